import type { Command } from 'commander';
import type IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import type { Api } from '../client/api.js';
import { leaf, list, type Ctx, type Flags } from '../client/command.js';
import { CliError, usageError } from '../client/errors.js';
import type { Column } from '../client/output.js';
import { parseConditions } from './access-groups.js';
import { allPages, serviceId, user } from './resolve.js';

/**
 * Trusted profiles (`ibmcloud iam trusted-profile*`): the profile, its claim rules (federated
 * users and compute resources whose claims match may assume it), its links (compute resources
 * that may) and its identities (users, service IDs and CRNs that may).
 */
type Profile = IamIdentityV1.TrustedProfile;
type Rule = IamIdentityV1.ProfileClaimRule;
type Link = IamIdentityV1.ProfileLink;
type Identity = IamIdentityV1.ProfileIdentityResponse;

const PROFILE_COLUMNS: Column<Profile>[] = [
  ['ID', (p) => p.id],
  ['Name', (p) => p.name],
  ['Description', (p) => p.description],
  ['IAM ID', (p) => p.iam_id],
  ['Created At', (p) => p.created_at],
];

const RULE_COLUMNS: Column<Rule>[] = [
  ['ID', (r) => r.id],
  ['Name', (r) => r.name],
  ['Type', (r) => r.type],
  ['Realm / CR type', (r) => r.realm_name ?? r.cr_type],
  ['Expiration', (r) => r.expiration],
  ['Conditions', (r) => (r.conditions ?? []).map((c) => `${c.claim} ${c.operator} ${c.value}`).join('; ')],
];

const LINK_COLUMNS: Column<Link>[] = [
  ['ID', (l) => l.id],
  ['Name', (l) => l.name],
  ['CR type', (l) => l.cr_type],
  ['CRN', (l) => l.link.crn],
  ['Namespace', (l) => l.link.namespace],
  ['Component', (l) => l.link.name],
];

const IDENTITY_COLUMNS: Column<Identity>[] = [
  ['Type', (i) => i.type],
  ['Identifier', (i) => i.identifier],
  ['IAM ID', (i) => i.iam_id],
  ['Accounts', (i) => (i.accounts ?? []).join(', ')],
  ['Description', (i) => i.description],
];

const showProfile = (ctx: Ctx, p: Profile) =>
  ctx.out.result(p, () =>
    ctx.out.fields([
      ['ID', p.id],
      ['Name', p.name],
      ['Description', p.description],
      ['IAM ID', p.iam_id],
      ['CRN', p.crn],
      ['Created At', p.created_at],
      ['Last Updated', p.modified_at],
    ]),
  );

export async function profiles(api: Api, name?: string): Promise<Profile[]> {
  return allPages(async (pagetoken) => {
    const { result } = await api.identity.listProfiles({ accountId: api.accountId, pagesize: 100, ...(name && { name }), ...(pagetoken && { pagetoken }) });
    return { items: result.profiles, next: result.next };
  });
}

/** A profile of the account by ID (`Profile-…`, or its IAM ID) or name. */
export async function profile(api: Api, nameOrId: string): Promise<Profile> {
  const id = nameOrId.startsWith('iam-Profile-') ? nameOrId.slice('iam-'.length) : nameOrId;
  if (id.startsWith('Profile-')) return (await api.identity.getProfile({ profileId: id })).result;
  const found = (await profiles(api, nameOrId)).filter((p) => p.name === nameOrId);
  if (found.length === 0) throw new CliError(`Trusted profile '${nameOrId}' was not found.`);
  if (found.length > 1) throw new CliError(`Several trusted profiles are named '${nameOrId}' (${found.map((p) => p.id).join(', ')}): use the ID.`);
  return found[0]!;
}

/**
 * `--conditions` of a claim rule: as for access-group rules, with each value sent as IBM's claim
 * rules take it, a JSON string (`value=dev` and `value="dev"` both become `"dev"`; a JSON list stays).
 */
function ruleConditions(text: string): IamIdentityV1.ProfileClaimRuleConditions[] {
  return parseConditions(text).map((c) => ({ ...c, value: c.value.startsWith('[') ? c.value : JSON.stringify(c.value) }));
}

const ruleFlags = (c: Command) =>
  c
    .option('--name <name>', 'rule name')
    .option('--type <type>', 'Profile-SAML (federated users) or Profile-CR (compute resources)')
    .option('--realm-name <realm>', 'identity provider of a Profile-SAML rule')
    .option('--cr-type <type>', 'compute resource type of a Profile-CR rule: VSI, BMS, IKS_SA or ROKS_SA')
    .option('--conditions <conditions>', 'claim=CLAIM,operator=OPERATOR,value=VALUE, several separated by ";"')
    .option('--expiration <seconds>', 'session lifetime in seconds (Profile-SAML)');

const numberOf = (value: unknown, flag: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`${flag} takes a whole number of seconds; '${String(value)}' is not one.`);
  return n;
};

/** What an identity argument of `--id-type TYPE --identifier ID` names, as the API takes it. */
async function identityOf(api: Api, flags: Flags): Promise<{ type: 'user' | 'serviceid' | 'crn'; identifier: string }> {
  const type = flags.idType;
  const given = flags.identifier;
  if (type !== 'user' && type !== 'serviceid' && type !== 'crn') throw usageError('--id-type is user, serviceid or crn.');
  if (typeof given !== 'string') throw usageError('Pass --identifier (a user, service ID or CRN).');
  if (type === 'user') return { type, identifier: given.startsWith('IBMid-') ? given : (await user(api, given)).iam_id! };
  if (type === 'serviceid') return { type, identifier: given.startsWith('iam-ServiceId-') ? given : (await serviceId(api, given)).iam_id };
  return { type, identifier: given };
}

/** `iam trusted-profiles`, `trusted-profile`, `-create/-update/-delete`, and their rules, links and identities. */
export function registerTrustedProfiles(iam: Command): void {
  leaf(iam, { name: 'trusted-profiles', description: 'list the trusted profiles of the account', example: 'portcullis iam trusted-profiles --output json', flags: (c) => c.option('--id', 'print only the IDs') }, async (ctx, _args, flags) => {
    ctx.out.progress(`Getting trusted profiles in account ${ctx.api.accountId}...`);
    const all = await profiles(ctx.api);
    ctx.out.ok();
    if (flags.id && !ctx.out.json) for (const p of all) ctx.out.message(p.id);
    else ctx.out.list(all, PROFILE_COLUMNS, 'No trusted profile found.');
  });

  leaf(iam, { name: 'trusted-profile <name-or-id>', description: 'show a trusted profile', example: 'portcullis iam trusted-profile ci-runner', flags: (c) => c.option('--id', 'print only the ID') }, async (ctx, args, flags) => {
    const p = await profile(ctx.api, args[0]!);
    if (flags.id && !ctx.out.json) ctx.out.message(p.id);
    else showProfile(ctx, p);
  });

  leaf(iam, { name: 'trusted-profile-create <name>', description: 'create a trusted profile', example: 'portcullis iam trusted-profile-create ci-runner -d "CI workloads"', flags: (c) => c.option('-d, --description <text>', 'description') }, async (ctx, args, flags) => {
    ctx.out.progress(`Creating trusted profile ${args[0]} in account ${ctx.api.accountId}...`);
    const { result } = await ctx.api.identity.createProfile({ accountId: ctx.api.accountId, name: args[0]!, ...(typeof flags.description === 'string' && { description: flags.description }) });
    ctx.out.ok();
    showProfile(ctx, result);
  });

  leaf(
    iam,
    { name: 'trusted-profile-update <name-or-id>', description: "change a trusted profile's name or description", example: 'portcullis iam trusted-profile-update ci-runner -n ci-runner-2', flags: (c) => c.option('-n, --name <name>', 'new name').option('-d, --description <text>', 'new description') },
    async (ctx, args, flags) => {
      if (typeof flags.name !== 'string' && typeof flags.description !== 'string') throw usageError('Pass -n NAME and/or -d DESCRIPTION.');
      const p = await profile(ctx.api, args[0]!);
      ctx.out.progress(`Updating trusted profile ${p.name}...`);
      const { result } = await ctx.api.identity.updateProfile({
        profileId: p.id,
        ifMatch: p.entity_tag ?? '*',
        ...(typeof flags.name === 'string' && { name: flags.name }),
        ...(typeof flags.description === 'string' && { description: flags.description }),
      });
      ctx.out.ok();
      showProfile(ctx, result);
    },
  );

  leaf(iam, { name: 'trusted-profile-delete <name-or-id>', description: 'delete a trusted profile', example: 'portcullis iam trusted-profile-delete ci-runner -f', destructive: true }, async (ctx, args) => {
    const p = await profile(ctx.api, args[0]!);
    await ctx.confirm(`Are you sure you want to delete trusted profile ${p.name} (${p.id})?`);
    ctx.out.progress(`Deleting trusted profile ${p.name}...`);
    await ctx.api.identity.deleteProfile({ profileId: p.id });
    ctx.out.ok();
    ctx.out.result({ id: p.id, name: p.name, deleted: true }, () => ctx.out.message(`Trusted profile ${p.name} deleted.`));
  });

  // Claim rules
  leaf(iam, { name: 'trusted-profile-rules <profile>', description: 'list the claim rules of a trusted profile', example: 'portcullis iam trusted-profile-rules ci-runner' }, async (ctx, args) => {
    const p = await profile(ctx.api, args[0]!);
    ctx.out.progress(`Getting rules of trusted profile ${p.name}...`);
    const { result } = await ctx.api.identity.listClaimRules({ profileId: p.id });
    ctx.out.ok();
    ctx.out.list(result.rules, RULE_COLUMNS, `No rule in trusted profile ${p.name}.`);
  });

  leaf(iam, { name: 'trusted-profile-rule <profile> <rule-id>', description: 'show a claim rule', example: 'portcullis iam trusted-profile-rule ci-runner ClaimRule-…' }, async (ctx, args) => {
    const p = await profile(ctx.api, args[0]!);
    const { result } = await ctx.api.identity.getClaimRule({ profileId: p.id, ruleId: args[1]! });
    ctx.out.result(result, () => ctx.out.table([result], RULE_COLUMNS));
  });

  leaf(
    iam,
    {
      name: 'trusted-profile-rule-create <profile>',
      description: 'add a claim rule: federated users or compute resources whose claims match may assume the profile',
      example: 'portcullis iam trusted-profile-rule-create ci-runner --name iks --type Profile-CR --cr-type IKS_SA --conditions "claim=namespace,operator=EQUALS,value=ci"',
      flags: ruleFlags,
    },
    async (ctx, args, flags) => {
      if (typeof flags.type !== 'string' || typeof flags.conditions !== 'string') throw usageError('Pass --type TYPE and --conditions CONDITIONS.');
      const p = await profile(ctx.api, args[0]!);
      const expiration = numberOf(flags.expiration, '--expiration');
      ctx.out.progress(`Creating rule in trusted profile ${p.name}...`);
      const { result } = await ctx.api.identity.createClaimRule({
        profileId: p.id,
        type: flags.type,
        conditions: ruleConditions(flags.conditions),
        ...(typeof flags.name === 'string' && { name: flags.name }),
        ...(typeof flags.realmName === 'string' && { realmName: flags.realmName }),
        ...(typeof flags.crType === 'string' && { crType: flags.crType }),
        ...(expiration !== undefined && { expiration }),
      });
      ctx.out.ok();
      ctx.out.result(result, () => ctx.out.table([result], RULE_COLUMNS));
    },
  );

  leaf(
    iam,
    { name: 'trusted-profile-rule-update <profile> <rule-id>', description: 'change a claim rule (unnamed parts stay as they are)', example: 'portcullis iam trusted-profile-rule-update ci-runner ClaimRule-… --conditions "claim=namespace,operator=EQUALS,value=deploy"', flags: ruleFlags },
    async (ctx, args, flags) => {
      const p = await profile(ctx.api, args[0]!);
      const { result: rule } = await ctx.api.identity.getClaimRule({ profileId: p.id, ruleId: args[1]! });
      const expiration = numberOf(flags.expiration, '--expiration') ?? rule.expiration;
      const realmName = typeof flags.realmName === 'string' ? flags.realmName : rule.realm_name;
      const crType = typeof flags.crType === 'string' ? flags.crType : rule.cr_type;
      const name = typeof flags.name === 'string' ? flags.name : rule.name;
      ctx.out.progress(`Updating rule ${rule.id} of trusted profile ${p.name}...`);
      const { result } = await ctx.api.identity.updateClaimRule({
        profileId: p.id,
        ruleId: rule.id,
        ifMatch: rule.entity_tag ?? '*',
        type: typeof flags.type === 'string' ? flags.type : rule.type,
        conditions: typeof flags.conditions === 'string' ? ruleConditions(flags.conditions) : rule.conditions,
        ...(name !== undefined && { name }),
        ...(realmName !== undefined && { realmName }),
        ...(crType !== undefined && { crType }),
        ...(expiration !== undefined && { expiration }),
      });
      ctx.out.ok();
      ctx.out.result(result, () => ctx.out.table([result], RULE_COLUMNS));
    },
  );

  leaf(iam, { name: 'trusted-profile-rule-delete <profile> <rule-id>', description: 'delete a claim rule', example: 'portcullis iam trusted-profile-rule-delete ci-runner ClaimRule-… -f', destructive: true }, async (ctx, args) => {
    const p = await profile(ctx.api, args[0]!);
    await ctx.confirm(`Are you sure you want to delete rule ${args[1]} of trusted profile ${p.name}?`);
    ctx.out.progress(`Deleting rule ${args[1]}...`);
    await ctx.api.identity.deleteClaimRule({ profileId: p.id, ruleId: args[1]! });
    ctx.out.ok();
    ctx.out.result({ id: args[1], deleted: true }, () => ctx.out.message(`Rule ${args[1]} deleted.`));
  });

  // Links to compute resources
  leaf(iam, { name: 'trusted-profile-links <profile>', description: 'list the compute resources linked to a trusted profile', example: 'portcullis iam trusted-profile-links ci-runner' }, async (ctx, args) => {
    const p = await profile(ctx.api, args[0]!);
    ctx.out.progress(`Getting links of trusted profile ${p.name}...`);
    const { result } = await ctx.api.identity.listLinks({ profileId: p.id });
    ctx.out.ok();
    ctx.out.list(result.links, LINK_COLUMNS, `No link in trusted profile ${p.name}.`);
  });

  leaf(iam, { name: 'trusted-profile-link <profile> <link-id>', description: 'show a link', example: 'portcullis iam trusted-profile-link ci-runner ProfileLink-…' }, async (ctx, args) => {
    const p = await profile(ctx.api, args[0]!);
    const { result } = await ctx.api.identity.getLink({ profileId: p.id, linkId: args[1]! });
    ctx.out.result(result, () => ctx.out.table([result], LINK_COLUMNS));
  });

  leaf(
    iam,
    {
      name: 'trusted-profile-link-create <profile>',
      description: 'link a compute resource (a virtual server, or a cluster service account) to a trusted profile',
      example: 'portcullis iam trusted-profile-link-create ci-runner --name vsi-1 --cr-type VSI --link-crn crn:v1:bluemix:public:is:us-south:a/ACCOUNT::instance:0717-…',
      flags: (c) =>
        c
          .option('--name <name>', 'link name')
          .option('--cr-type <type>', 'VSI, BMS, IKS_SA or ROKS_SA')
          .option('--link-crn <crn>', 'CRN of the compute resource')
          .option('--link-namespace <namespace>', 'Kubernetes namespace (IKS_SA, ROKS_SA)')
          .option('--link-name <name>', 'Kubernetes service account (IKS_SA, ROKS_SA)'),
    },
    async (ctx, args, flags) => {
      if (typeof flags.crType !== 'string' || typeof flags.linkCrn !== 'string') throw usageError('Pass --cr-type TYPE and --link-crn CRN.');
      const p = await profile(ctx.api, args[0]!);
      ctx.out.progress(`Linking ${flags.linkCrn} to trusted profile ${p.name}...`);
      const { result } = await ctx.api.identity.createLink({
        profileId: p.id,
        crType: flags.crType,
        link: {
          crn: flags.linkCrn,
          ...(typeof flags.linkNamespace === 'string' && { namespace: flags.linkNamespace }),
          ...(typeof flags.linkName === 'string' && { name: flags.linkName }),
        },
        ...(typeof flags.name === 'string' && { name: flags.name }),
      });
      ctx.out.ok();
      ctx.out.result(result, () => ctx.out.table([result], LINK_COLUMNS));
    },
  );

  leaf(iam, { name: 'trusted-profile-link-delete <profile> <link-id>', description: 'remove a link', example: 'portcullis iam trusted-profile-link-delete ci-runner ProfileLink-… -f', destructive: true }, async (ctx, args) => {
    const p = await profile(ctx.api, args[0]!);
    await ctx.confirm(`Are you sure you want to delete link ${args[1]} of trusted profile ${p.name}?`);
    ctx.out.progress(`Deleting link ${args[1]}...`);
    await ctx.api.identity.deleteLink({ profileId: p.id, linkId: args[1]! });
    ctx.out.ok();
    ctx.out.result({ id: args[1], deleted: true }, () => ctx.out.message(`Link ${args[1]} deleted.`));
  });

  // Identities that may assume the profile
  leaf(iam, { name: 'trusted-profile-identities <profile>', description: 'list the users, service IDs and CRNs that may assume a trusted profile', example: 'portcullis iam trusted-profile-identities ci-runner' }, async (ctx, args) => {
    const p = await profile(ctx.api, args[0]!);
    ctx.out.progress(`Getting identities of trusted profile ${p.name}...`);
    const { result } = await ctx.api.identity.getProfileIdentities({ profileId: p.id });
    ctx.out.ok();
    ctx.out.list(result.identities ?? [], IDENTITY_COLUMNS, `No identity may assume trusted profile ${p.name}.`);
  });

  const identityFlags = (c: Command) =>
    c.option('--id-type <type>', 'user, serviceid or crn').option('--identifier <id>', 'user (login or IAM ID), service ID (name or ID) or CRN');

  leaf(
    iam,
    {
      name: 'trusted-profile-identity-set <profile>',
      description: 'let a user, service ID or CRN assume a trusted profile',
      example: 'portcullis iam trusted-profile-identity-set ci-runner --id-type serviceid --identifier deployer',
      flags: (c) => identityFlags(c).option('--accounts <accounts>', 'for a user: comma-separated accounts it may come from').option('-d, --description <text>', 'description'),
    },
    async (ctx, args, flags) => {
      const p = await profile(ctx.api, args[0]!);
      const { type, identifier } = await identityOf(ctx.api, flags);
      const accounts = list(flags.accounts as string | undefined);
      ctx.out.progress(`Letting ${type} ${identifier} assume trusted profile ${p.name}...`);
      const { result } = await ctx.api.identity.setProfileIdentity({
        profileId: p.id,
        identityType: type,
        identifier,
        type,
        ...(accounts.length && { accounts }),
        ...(typeof flags.description === 'string' && { description: flags.description }),
      });
      ctx.out.ok();
      ctx.out.result(result, () => ctx.out.table([result], IDENTITY_COLUMNS));
    },
  );

  leaf(
    iam,
    { name: 'trusted-profile-identity-delete <profile>', description: 'stop a user, service ID or CRN from assuming a trusted profile', example: 'portcullis iam trusted-profile-identity-delete ci-runner --id-type serviceid --identifier deployer -f', destructive: true, flags: identityFlags },
    async (ctx, args, flags) => {
      const p = await profile(ctx.api, args[0]!);
      const { type, identifier } = await identityOf(ctx.api, flags);
      await ctx.confirm(`Are you sure you want to stop ${type} ${identifier} from assuming trusted profile ${p.name}?`);
      ctx.out.progress(`Removing ${type} ${identifier} from trusted profile ${p.name}...`);
      await ctx.api.identity.deleteProfileIdentity({ profileId: p.id, identityType: type, identifierId: identifier });
      ctx.out.ok();
      ctx.out.result({ profile_id: p.id, type, identifier, deleted: true }, () => ctx.out.message(`${identifier} may no longer assume trusted profile ${p.name}.`));
    },
  );
}
