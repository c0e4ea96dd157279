import type { Command } from 'commander';
import type IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import type { Api } from '../client/api.js';
import { leaf, list, type Ctx } from '../client/command.js';
import { CliError, usageError } from '../client/errors.js';
import type { Column } from '../client/output.js';
import { accessGroup, accessGroups, serviceId, user } from './resolve.js';
import { profile } from './trusted-profiles.js';

type Group = IamAccessGroupsV2.Group;
type Member = IamAccessGroupsV2.ListGroupMembersResponseMember;
type Rule = IamAccessGroupsV2.Rule;

const GROUP_COLUMNS: Column<Group>[] = [
  ['Name', (g) => g.name],
  ['ID', (g) => g.id],
  ['Description', (g) => g.description],
];

const showGroup = (ctx: Ctx, g: Group) =>
  ctx.out.result(g, () => ctx.out.fields([['Name', g.name], ['ID', g.id], ['Description', g.description], ['Created At', g.created_at], ['Last Modified At', g.last_modified_at]]));

/** Members of a group, every page, of one type (`user` or `service`). */
export async function members(api: Api, groupId: string, type?: 'user' | 'service' | 'profile'): Promise<Member[]> {
  const out: Member[] = [];
  for (let offset = 0; ; offset += 100) {
    const { result } = await api.groups.listAccessGroupMembers({ accessGroupId: groupId, limit: 100, offset, verbose: true, ...(type && { type }) });
    out.push(...(result.members ?? []));
    if ((result.members ?? []).length < 100) return out;
  }
}

/** `claim=…,operator=…,value=…;claim=…` → rule conditions. */
export function parseConditions(text: string): IamAccessGroupsV2.RuleConditions[] {
  return text
    .split(';')
    .map((c) => c.trim())
    .filter(Boolean)
    .map((condition) => {
      const fields = Object.fromEntries(
        list(condition).map((pair) => {
          const at = pair.indexOf('=');
          return at > 0 ? [pair.slice(0, at).trim(), pair.slice(at + 1).trim().replace(/^"(.*)"$/, '$1')] : [pair, ''];
        }),
      ) as Record<string, string>;
      if (!fields.claim || !fields.operator || fields.value === undefined) {
        throw usageError(`A condition is claim=CLAIM,operator=OPERATOR,value=VALUE; '${condition}' is not.`);
      }
      return { claim: fields.claim, operator: fields.operator, value: fields.value };
    });
}

const RULE_COLUMNS: Column<Rule>[] = [
  ['ID', (r) => r.id],
  ['Name', (r) => r.name],
  ['Realm', (r) => r.realm_name],
  ['Expiration', (r) => r.expiration],
  ['Conditions', (r) => (r.conditions ?? []).map((c) => `${c.claim} ${c.operator} ${c.value}`).join('; ')],
];

function memberCommands(iam: Command, kind: 'user' | 'service-id' | 'profile'): void {
  const type = kind === 'user' ? 'user' : kind === 'profile' ? 'profile' : 'service';
  const noun = kind === 'user' ? 'user' : kind === 'profile' ? 'trusted profile' : 'service ID';
  const resolve = async (api: Api, arg: string) => {
    if (kind === 'user') {
      const u = await user(api, arg);
      return { iamId: u.iam_id!, label: u.user_id ?? u.iam_id! };
    }
    if (kind === 'profile') {
      const p = await profile(api, arg);
      return { iamId: p.iam_id, label: p.name };
    }
    const s = await serviceId(api, arg);
    return { iamId: s.iam_id, label: s.name };
  };
  const exampleMember = kind === 'user' ? 'alice@example.com' : kind === 'profile' ? 'ci-runner' : 'ci-deployer';

  leaf(iam, { name: `access-group-${kind}s <group>`, description: `list the ${noun}s of an access group`, example: `portcullis iam access-group-${kind}s developers` }, async (ctx, args) => {
    const g = await accessGroup(ctx.api, args[0]!);
    ctx.out.progress(`Getting ${noun}s of access group ${g.name}...`);
    const found = await members(ctx.api, g.id!, type);
    ctx.out.ok();
    ctx.out.list(found, [['Name', (m) => m.name], ...(kind === 'user' ? ([['Email', (m: Member) => m.email]] as Column<Member>[]) : []), ['IAM ID', (m) => m.iam_id], ['Membership', (m) => m.membership_type]], `No ${noun} in access group ${g.name}.`);
  });

  leaf(iam, { name: `access-group-${kind}-add <group> <${kind}...>`, description: `add ${noun}s to an access group`, example: `portcullis iam access-group-${kind}-add developers ${exampleMember}` }, async (ctx, args) => {
    const g = await accessGroup(ctx.api, args[0]!);
    const found = await Promise.all(args.slice(1).map((a) => resolve(ctx.api, a)));
    ctx.out.progress(`Adding ${noun}s ${found.map((f) => f.label).join(', ')} to access group ${g.name}...`);
    const { result } = await ctx.api.groups.addMembersToAccessGroup({ accessGroupId: g.id!, members: found.map((f) => ({ iam_id: f.iamId, type })) });
    const failed = (result.members ?? []).filter((m) => m.status_code !== undefined && m.status_code >= 300);
    if (failed.length) throw new CliError(failed.map((m) => `${m.iam_id}: ${m.errors?.[0]?.message ?? `HTTP ${m.status_code}`}`).join('\n'));
    ctx.out.ok();
    ctx.out.result(result, () => ctx.out.message(`${found.map((f) => f.label).join(', ')} added to access group ${g.name}.`));
  });

  leaf(iam, { name: `access-group-${kind}-remove <group> <${kind}>`, description: `remove a ${noun} from an access group`, example: `portcullis iam access-group-${kind}-remove developers ${exampleMember} -f`, destructive: true }, async (ctx, args) => {
    const g = await accessGroup(ctx.api, args[0]!);
    const m = await resolve(ctx.api, args[1]!);
    await ctx.confirm(`Are you sure you want to remove ${noun} ${m.label} from access group ${g.name}?`);
    ctx.out.progress(`Removing ${noun} ${m.label} from access group ${g.name}...`);
    await ctx.api.groups.removeMemberFromAccessGroup({ accessGroupId: g.id!, iamId: m.iamId });
    ctx.out.ok();
    ctx.out.result({ access_group_id: g.id, iam_id: m.iamId, removed: true }, () => ctx.out.message(`${m.label} removed from access group ${g.name}.`));
  });
}

const ruleFlags = (c: Command) =>
  c
    .option('-n, --name <name>', 'rule name')
    .option('--realm-name <url>', 'identity provider (realm) whose claims the rule reads')
    .option('--expiration <hours>', 'hours the membership lasts after sign-in (1-24; 24 when created)')
    .option('--conditions <conditions>', 'claim=CLAIM,operator=OPERATOR,value=VALUE, several separated by ";"');

/** `iam access-groups`, `access-group`, `-create/-update/-delete`, members (users, service IDs, trusted profiles), and rules. */
export function registerAccessGroups(iam: Command): void {
  leaf(
    iam,
    {
      name: 'access-groups',
      description: 'list the access groups of the account (or of one member)',
      example: 'portcullis iam access-groups -u alice@example.com',
      flags: (c) => c.option('-u, --user <user>', 'groups of this user').option('-s, --service-id <service-id>', 'groups of this service ID'),
    },
    async (ctx, _args, flags) => {
      const iamId =
        typeof flags.user === 'string' ? (await user(ctx.api, flags.user)).iam_id : typeof flags.serviceId === 'string' ? (await serviceId(ctx.api, flags.serviceId)).iam_id : undefined;
      ctx.out.progress(`Getting access groups in account ${ctx.api.accountId}...`);
      const found = iamId ? ((await ctx.api.groups.listAccessGroups({ accountId: ctx.api.accountId, iamId, limit: 100 })).result.groups ?? []) : await accessGroups(ctx.api);
      ctx.out.ok();
      ctx.out.list(found, GROUP_COLUMNS, 'No access group found.');
    },
  );

  leaf(iam, { name: 'access-group <group>', description: 'show an access group', example: 'portcullis iam access-group developers', flags: (c) => c.option('--id', 'print only the ID') }, async (ctx, args, flags) => {
    const g = await accessGroup(ctx.api, args[0]!);
    if (flags.id && !ctx.out.json) ctx.out.message(g.id!);
    else showGroup(ctx, g);
  });

  leaf(iam, { name: 'access-group-create <name>', description: 'create an access group', example: 'portcullis iam access-group-create developers -d "app developers"', flags: (c) => c.option('-d, --description <text>', 'description') }, async (ctx, args, flags) => {
    ctx.out.progress(`Creating access group ${args[0]} in account ${ctx.api.accountId}...`);
    const { result } = await ctx.api.groups.createAccessGroup({ accountId: ctx.api.accountId, name: args[0]!, ...(typeof flags.description === 'string' && { description: flags.description }) });
    ctx.out.ok();
    showGroup(ctx, result);
  });

  leaf(
    iam,
    { name: 'access-group-update <group>', description: "change an access group's name or description", example: 'portcullis iam access-group-update developers -n devs', flags: (c) => c.option('-n, --name <name>', 'new name').option('-d, --description <text>', 'new description') },
    async (ctx, args, flags) => {
      const g = await accessGroup(ctx.api, args[0]!);
      const current = await ctx.api.groups.getAccessGroup({ accessGroupId: g.id! });
      ctx.out.progress(`Updating access group ${g.name}...`);
      const { result } = await ctx.api.groups.updateAccessGroup({
        accessGroupId: g.id!,
        ifMatch: (current.headers as Record<string, string>).etag ?? '*',
        ...(typeof flags.name === 'string' && { name: flags.name }),
        ...(typeof flags.description === 'string' && { description: flags.description }),
      });
      ctx.out.ok();
      showGroup(ctx, result);
    },
  );

  leaf(
    iam,
    { name: 'access-group-delete <group>', description: 'delete an access group', example: 'portcullis iam access-group-delete developers -f -r', destructive: true, flags: (c) => c.option('-r, --recursive', 'also when it has members and rules') },
    async (ctx, args, flags) => {
      const g = await accessGroup(ctx.api, args[0]!);
      await ctx.confirm(`Are you sure you want to delete access group ${g.name}?`);
      ctx.out.progress(`Deleting access group ${g.name}...`);
      await ctx.api.groups.deleteAccessGroup({ accessGroupId: g.id!, force: flags.recursive === true });
      ctx.out.ok();
      ctx.out.result({ id: g.id, name: g.name, deleted: true }, () => ctx.out.message(`Access group ${g.name} deleted.`));
    },
  );

  memberCommands(iam, 'user');
  memberCommands(iam, 'service-id');
  memberCommands(iam, 'profile');

  leaf(iam, { name: 'access-group-rules <group>', description: 'list the dynamic rules of an access group', example: 'portcullis iam access-group-rules developers' }, async (ctx, args) => {
    const g = await accessGroup(ctx.api, args[0]!);
    ctx.out.progress(`Getting rules of access group ${g.name}...`);
    const { result } = await ctx.api.groups.listAccessGroupRules({ accessGroupId: g.id! });
    ctx.out.ok();
    ctx.out.list(result.rules ?? [], RULE_COLUMNS, `No rule in access group ${g.name}.`);
  });

  leaf(iam, { name: 'access-group-rule <group> <rule-id>', description: 'show a dynamic rule', example: 'portcullis iam access-group-rule developers ClaimRule-…' }, async (ctx, args) => {
    const g = await accessGroup(ctx.api, args[0]!);
    const { result } = await ctx.api.groups.getAccessGroupRule({ accessGroupId: g.id!, ruleId: args[1]! });
    ctx.out.result(result, () => ctx.out.table([result], RULE_COLUMNS));
  });

  leaf(
    iam,
    { name: 'access-group-rule-create <group>', description: 'add a dynamic rule: identities whose sign-in claims match become members', example: 'portcullis iam access-group-rule-create developers -n devs --realm-name https://idp.example.com --conditions "claim=groups,operator=CONTAINS,value=dev"', flags: ruleFlags },
    async (ctx, args, flags) => {
      const g = await accessGroup(ctx.api, args[0]!);
      if (typeof flags.name !== 'string' || typeof flags.realmName !== 'string' || typeof flags.conditions !== 'string') throw usageError('Pass -n NAME, --realm-name REALM and --conditions CONDITIONS.');
      ctx.out.progress(`Creating rule ${flags.name} in access group ${g.name}...`);
      const { result } = await ctx.api.groups.addAccessGroupRule({ accessGroupId: g.id!, name: flags.name, realmName: flags.realmName, expiration: Number(flags.expiration ?? 24), conditions: parseConditions(flags.conditions) });
      ctx.out.ok();
      ctx.out.result(result, () => ctx.out.table([result], RULE_COLUMNS));
    },
  );

  leaf(
    iam,
    { name: 'access-group-rule-update <group> <rule-id>', description: 'change a dynamic rule', example: 'portcullis iam access-group-rule-update developers ClaimRule-… --expiration 12', flags: ruleFlags },
    async (ctx, args, flags) => {
      const g = await accessGroup(ctx.api, args[0]!);
      const current = await ctx.api.groups.getAccessGroupRule({ accessGroupId: g.id!, ruleId: args[1]! });
      const rule = current.result;
      ctx.out.progress(`Updating rule ${rule.name} of access group ${g.name}...`);
            const { result } = await ctx.api.groups.replaceAccessGroupRule({
        accessGroupId: g.id!,
        ruleId: rule.id!,
        ifMatch: (current.headers as Record<string, string>).etag ?? '*',
        name: typeof flags.name === 'string' ? flags.name : rule.name!,
        realmName: typeof flags.realmName === 'string' ? flags.realmName : rule.realm_name!,
        expiration: flags.expiration !== undefined ? Number(flags.expiration) : rule.expiration!,
        conditions: typeof flags.conditions === 'string' ? parseConditions(flags.conditions) : rule.conditions!,
      });
      ctx.out.ok();
      ctx.out.result(result, () => ctx.out.table([result], RULE_COLUMNS));
    },
  );

  leaf(iam, { name: 'access-group-rule-delete <group> <rule-id>', description: 'delete a dynamic rule', example: 'portcullis iam access-group-rule-delete developers ClaimRule-… -f', destructive: true }, async (ctx, args) => {
    const g = await accessGroup(ctx.api, args[0]!);
    await ctx.confirm(`Are you sure you want to delete rule ${args[1]} of access group ${g.name}?`);
    ctx.out.progress(`Deleting rule ${args[1]}...`);
    await ctx.api.groups.removeAccessGroupRule({ accessGroupId: g.id!, ruleId: args[1]! });
    ctx.out.ok();
    ctx.out.result({ id: args[1], deleted: true }, () => ctx.out.message(`Rule ${args[1]} deleted.`));
  });
}
