import { identityCrn, targetOf } from '../../identity/context.js';
import { normalIdentifier } from '../../identity/profiles/identities.js';
import { ruleFieldsOf } from '../../identity/profiles/rules.js';
import type { ProfileStore } from '../../identity/profiles/store.js';
import type { ClaimRule, ProfileIdentity, ProfileIdentityType, TrustedProfile } from '../../identity/types.js';
import type { Clock } from '../../kernel/clock.js';
import { DomainError } from '../../kernel/errors.js';
import { nextTag } from '../../kernel/etag.js';
import { iamIdOfProfile, ids } from '../../kernel/ids.js';
import type { Write } from '../../store/unit-of-work.js';
import { resourceFailure } from '../errors.js';
import type { PolicyTemplateApplier } from '../groups/types.js';
import { referencedPolicies } from '../references.js';
import type { TemplateStore } from '../store.js';
import type { AppliedResource, TargetContext, TemplateKind } from '../types.js';

/**
 * Trusted-profile templates as a kind of the template core: a version holds a profile (name,
 * description, claim rules, identities), policy template references and action controls; an
 * assignment creates the profile in each child account, or brings the one it created up to the
 * version, and removal deletes it. The profile is enterprise-managed: the identity domain asks
 * guard.ts before each change in the child (IdentityDeps.guardManagedProfile), which refuses all
 * but what the version's `action_controls` leave to the child. The template's rules (resource keys
 * `rule:<n>`) and identities are the version's, replaced on each apply; rules and identities the
 * child added where the controls let it stay. Each policy template reference gives the profile the
 * referenced committed access template's policy there (references.ts, as access-group templates
 * do), enterprise-managed like the profile.
 */

export interface ProfileRuleDefinition {
  name?: string;
  type: string;
  realm_name?: string;
  expiration?: number;
  conditions: { claim: string; operator: string; value: string }[];
}
export interface ProfileIdentityDefinition {
  identifier: string;
  type: string;
  accounts?: string[];
  description?: string;
}
/** IBM's IamIdentityV1 `ActionControls`: what the child account may add (`add`) and take away of the template's own (`remove`). */
export interface ProfileActionControls {
  identities?: { add: boolean; remove: boolean };
  rules: { add: boolean; remove: boolean };
  policies: { add: boolean; remove: boolean };
}
export interface ProfileTemplateBody {
  profile: { name: string; description?: string; rules?: ProfileRuleDefinition[]; identities?: ProfileIdentityDefinition[] };
  policy_template_references: { id: string; version: string }[];
  action_controls?: ProfileActionControls;
}

export const PROFILE_KEY = 'profile';
/** The resource key of the template's claim rule at `index` (its id is the resource id; guard.ts tells the template's rules by it). */
export const ruleKey = (index: number) => `rule:${index}`;
const isRuleKey = (key: string) => key.startsWith('rule:');
/** An identity as the identity domain names it in a ProfileChange (`type identifier`). */
export const identityKey = (i: { type: string; identifier: string }) => `${i.type} ${i.identifier}`;

const invalid = (message: string) => new DomainError('invalid', 'invalid_template_request', message);

/** An error of the identity checks restated in the templates' code, naming where it was. */
function restated<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'invalid') throw invalid(`${where}: ${error.message}`);
    throw error;
  }
}

const rulesOf = (body: ProfileTemplateBody) =>
  (body.profile.rules ?? []).map((r, i) =>
    restated(`profile.rules[${i}]`, () =>
      ruleFieldsOf({
        type: r.type,
        conditions: r.conditions ?? [],
        ...(r.name !== undefined ? { name: r.name } : {}),
        ...(r.realm_name !== undefined ? { realmName: r.realm_name } : {}),
        ...(r.expiration !== undefined ? { expiration: r.expiration } : {}),
      }),
    ),
  );

const identitiesOf = (body: ProfileTemplateBody): ProfileIdentity[] =>
  (body.profile.identities ?? []).map((i, n) =>
    restated(`profile.identities[${n}]`, () => {
      if (!['user', 'serviceid', 'crn'].includes(i.type)) throw invalid(`type "${i.type}" is not one of user, serviceid, crn.`);
      const type = i.type as ProfileIdentityType;
      const identifier = normalIdentifier(type, i.identifier);
      return { type, identifier, iamId: type === 'crn' ? `crn-${identifier}` : identifier, accounts: [...new Set(i.accounts ?? [])], description: i.description ?? null };
    }),
  );

/** Checks a trusted-profile template definition; 400 naming the first bad field. */
export function checkProfileBody(input: unknown): ProfileTemplateBody {
  const body = (input ?? {}) as Partial<ProfileTemplateBody>;
  const profile = body.profile;
  if (!profile || typeof profile.name !== 'string' || profile.name.trim() === '') throw invalid('profile with a name is required.');
  const refs = body.policy_template_references ?? [];
  refs.forEach((ref, i) => {
    if (!ref.id || !ref.version) throw invalid(`policy_template_references[${i}] needs id and version.`);
  });
  const checked: ProfileTemplateBody = {
    profile: { ...profile, name: profile.name.trim() },
    policy_template_references: refs,
    ...(body.action_controls ? { action_controls: body.action_controls } : {}),
  };
  rulesOf(checked);
  const identities = identitiesOf(checked);
  if (new Set(identities.map((i) => `${i.type} ${i.identifier}`)).size !== identities.length) throw invalid('profile.identities names an identity twice.');
  if (checked.profile.identities) {
    checked.profile.identities = identities.map((i, n) => ({
      identifier: i.identifier,
      type: i.type,
      ...(checked.profile.identities![n]!.accounts ? { accounts: i.accounts } : {}),
      ...(i.description !== null ? { description: i.description } : {}),
    }));
  }
  return checked;
}

export interface ProfileKindDeps {
  profiles: Pick<ProfileStore, 'getProfile' | 'insertProfile' | 'updateProfile' | 'deleteProfile' | 'insertClaimRule' | 'claimRulesOf' | 'replaceIdentities' | 'identitiesOf'>;
  /** The version an earlier apply placed (its identities give way to the new version's). */
  templates: Pick<TemplateStore, 'getVersion'>;
  clock: Clock;
  /** Places the policies of the referenced policy templates (the policy template kind). */
  policyTemplates: PolicyTemplateApplier;
}

/** The profile as the subject of its referenced policies. */
const subjectOf = (profileId: string) => ({ kind: 'iam_id' as const, iamId: iamIdOfProfile(profileId) });

export function createProfileKind(deps: ProfileKindDeps): TemplateKind<ProfileTemplateBody> {
  const { profiles, clock } = deps;
  const references = referencedPolicies(deps.policyTemplates, (ctx) => (ctx.version.body as ProfileTemplateBody).policy_template_references);

  /** The profile this assignment made in the child account, when it is still there. */
  const placed = async (ctx: TargetContext<ProfileTemplateBody>, w?: Write) => {
    const id = ctx.previous.find((r) => r.key === PROFILE_KEY)?.resourceId;
    const found = id === undefined ? undefined : await profiles.getProfile(id, w?.trx);
    return found && found.accountId === ctx.accountId ? found : undefined;
  };

  /** The identities of the version this assignment applied last in the account (none on a first apply). */
  async function previousIdentities(w: Write, ctx: TargetContext<ProfileTemplateBody>): Promise<Set<string>> {
    const last = ctx.previous.find((r) => r.key === PROFILE_KEY);
    const body = last && (await deps.templates.getVersion<ProfileTemplateBody>(ctx.assignment.templateId, last.version, w.trx))?.body;
    return new Set(body ? identitiesOf(body).map(identityKey) : []);
  }

  async function placeProfile(w: Write, ctx: TargetContext<ProfileTemplateBody>): Promise<AppliedResource[]> {
    const at = clock.now().toISOString();
    const { profile: wanted } = ctx.version.body;
    const description = wanted.description === undefined || wanted.description === '' ? null : wanted.description;
    let profile = await placed(ctx, w);
    if (profile) {
      await profiles.updateProfile(w.trx, profile.id, undefined, { name: wanted.name, description, modified_at: at, entity_tag: nextTag(profile.entityTag) });
      w.changed({ entity: 'profile', entityId: profile.id, accountId: ctx.accountId, op: 'update' });
    } else {
      const id = ids.profile();
      profile = {
        id,
        iamId: iamIdOfProfile(id),
        crn: identityCrn(ctx.accountId, 'profile', id),
        accountId: ctx.accountId,
        name: wanted.name,
        description,
        email: null,
        createdBy: ctx.principal.iamId,
        createdAt: at,
        modifiedAt: at,
        entityTag: nextTag(),
        identitiesTag: nextTag(),
      } satisfies TrustedProfile;
      await profiles.insertProfile(w.trx, profile);
      w.changed({ entity: 'profile', entityId: id, accountId: ctx.accountId, op: 'create' });
    }
    // The template's rules and identities are the version's; those the child added stay.
    const earlierRules = ctx.previous.filter((r) => isRuleKey(r.key) && r.resourceId !== undefined).map((r) => r.resourceId!);
    if (earlierRules.length > 0) await w.trx.deleteFrom('profile_claim_rules').where('profile_id', '=', profile.id).where('id', 'in', earlierRules).execute();
    const applied: AppliedResource[] = [{ key: PROFILE_KEY, resourceId: profile.id }];
    for (const [index, fields] of rulesOf(ctx.version.body).entries()) {
      const rule: ClaimRule = { id: `ClaimRule-${ids.uuid()}`, profileId: profile.id, ...fields, createdAt: at, modifiedAt: at, entityTag: nextTag() };
      await profiles.insertClaimRule(w.trx, rule);
      applied.push({ key: ruleKey(index), resourceId: rule.id });
    }
    const identities = identitiesOf(ctx.version.body);
    const template = new Set([...(await previousIdentities(w, ctx)), ...identities.map(identityKey)]);
    const childs = (await profiles.identitiesOf(profile.id, w.trx)).filter((i) => !template.has(identityKey(i)));
    await profiles.replaceIdentities(w.trx, profile.id, undefined, nextTag(profile.identitiesTag), [...childs, ...identities]);
    return applied;
  }

  return {
    name: 'profile',
    actions: {
      template: 'iam-identity.profile-template',
      assignment: 'iam-identity.profile-assignment',
      serviceName: 'iam-identity',
      resourceType: 'profile-template',
      assignmentType: 'profile-assignment',
    },
    /** A later version (or an update) that leaves out `profile` or `policy_template_references` keeps those of `previous`. */
    validate: async (input, _accountId, previous) => {
      const body = (input ?? {}) as Partial<ProfileTemplateBody>;
      return checkProfileBody({
        profile: body.profile ?? previous?.profile,
        policy_template_references: body.policy_template_references ?? previous?.policy_template_references,
        action_controls: body.action_controls ?? previous?.action_controls,
      });
    },

    /**
     * Making the profile is `iam-identity.profile.create` (or `.update` of the one made before) in
     * the child, removing it `.delete`; and each referenced policy is authorized as the policy kind does.
     */
    async authorize(ctx, removing) {
      const existing = await placed(ctx);
      await resourceFailure(PROFILE_KEY, async () => {
        if (removing) {
          if (existing) await ctx.authorizeInTarget('iam-identity.profile.delete', targetOf(ctx.accountId, { type: 'profile', id: existing.id }));
          return;
        }
        await ctx.authorizeInTarget(existing ? 'iam-identity.profile.update' : 'iam-identity.profile.create', targetOf(ctx.accountId, { type: 'profile', ...(existing ? { id: existing.id } : {}) }));
      });
      await references.authorize(ctx, removing);
    },

    async apply(w, ctx) {
      const placedNow = await resourceFailure(PROFILE_KEY, () => placeProfile(w, ctx));
      return [...placedNow, ...(await references.place(w, ctx, subjectOf(placedNow[0]!.resourceId!)))];
    },

    async remove(w, ctx) {
      await references.retireAll(w, ctx);
      const profile = await placed(ctx, w);
      if (!profile) return;
      await profiles.deleteProfile(w.trx, profile.id);
      w.changed({ entity: 'profile', entityId: profile.id, accountId: ctx.accountId, op: 'delete' });
    },

    /**
     * The profile renamed, redescribed or gone, one of the template's rules or identities changed
     * or gone (those the child added do not count); a referenced policy changed or gone.
     */
    async drift(ctx) {
      const profile = await placed(ctx);
      if (!profile) return ctx.previous.map((r) => r.key);
      const policies = await references.drifted(ctx, subjectOf(profile.id));
      const { profile: wanted } = ctx.version.body;
      const ruleText = (r: Omit<ClaimRule, 'id' | 'profileId' | 'createdAt' | 'modifiedAt' | 'entityTag'>) => JSON.stringify([r.type, r.name, r.realmName, r.expiration, r.conditions]);
      const live = new Map((await profiles.claimRulesOf(profile.id)).map((r) => [r.id, ruleText(r)]));
      const wantedRules = rulesOf(ctx.version.body).map(ruleText);
      const rulesHeld = wantedRules.every((text, index) => {
        const id = ctx.previous.find((r) => r.key === ruleKey(index))?.resourceId;
        return id !== undefined && live.get(id) === text;
      });
      const identities = new Map((await profiles.identitiesOf(profile.id)).map((i) => [identityKey(i), i]));
      const identitiesHeld = identitiesOf(ctx.version.body).every((i) => {
        const found = identities.get(identityKey(i));
        return found !== undefined && found.description === i.description && JSON.stringify(found.accounts) === JSON.stringify(i.accounts);
      });
      const same = profile.name === wanted.name && (profile.description ?? '') === (wanted.description ?? '') && rulesHeld && identitiesHeld;
      return same ? policies : [PROFILE_KEY, ...policies];
    },

    committedError: (id, version) =>
      new DomainError('conflict', 'template_committed', `Version ${version} of trusted profile template ${id} is committed and cannot be changed. Create a new version instead.`),
    invalidError: invalid,
    nameTakenError: (name) => new DomainError('conflict', 'template_conflict_error', `A trusted profile template named '${name}' already exists in this account.`),
    notFoundError: (id, version) =>
      new DomainError('not_found', 'template_not_found', version === undefined ? `Trusted profile template ${id} not found.` : `Version ${version} of trusted profile template ${id} not found.`),
    assignmentNotFoundError: (id) => new DomainError('not_found', 'template_assignment_not_found', `Trusted profile template assignment ${id} not found.`),
  };
}
