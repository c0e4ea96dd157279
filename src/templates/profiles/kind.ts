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
import type { TargetContext, TemplateKind } from '../types.js';

/**
 * Trusted-profile templates as a kind of the template core: a version holds a profile (name,
 * description, claim rules, identities) and policy template references; an assignment creates the
 * profile in each child account, or brings the one it created up to the version (rules and
 * identities replaced), and removal deletes it. The profile is enterprise-managed: the identity
 * domain refuses its changes in the child (IdentityDeps.guardManagedProfile). Each policy template
 * reference gives the profile the referenced committed access template's policy there
 * (references.ts, as access-group templates do), enterprise-managed like the profile.
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
export interface ProfileTemplateBody {
  profile: { name: string; description?: string; rules?: ProfileRuleDefinition[]; identities?: ProfileIdentityDefinition[] };
  policy_template_references: { id: string; version: string }[];
}

export const PROFILE_KEY = 'profile';

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
  const checked: ProfileTemplateBody = { profile: { ...profile, name: profile.name.trim() }, policy_template_references: refs };
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

  async function placeProfile(w: Write, ctx: TargetContext<ProfileTemplateBody>): Promise<string> {
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
    // The rules and identities are the version's: replaced as a whole.
    await w.trx.deleteFrom('profile_claim_rules').where('profile_id', '=', profile.id).execute();
    for (const fields of rulesOf(ctx.version.body)) {
      const rule: ClaimRule = { id: `ClaimRule-${ids.uuid()}`, profileId: profile.id, ...fields, createdAt: at, modifiedAt: at, entityTag: nextTag() };
      await profiles.insertClaimRule(w.trx, rule);
    }
    await profiles.replaceIdentities(w.trx, profile.id, undefined, nextTag(profile.identitiesTag), identitiesOf(ctx.version.body));
    return profile.id;
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
      const profileId = await resourceFailure(PROFILE_KEY, () => placeProfile(w, ctx));
      return [{ key: PROFILE_KEY, resourceId: profileId }, ...(await references.place(w, ctx, subjectOf(profileId)))];
    },

    async remove(w, ctx) {
      await references.retireAll(w, ctx);
      const profile = await placed(ctx, w);
      if (!profile) return;
      await profiles.deleteProfile(w.trx, profile.id);
      w.changed({ entity: 'profile', entityId: profile.id, accountId: ctx.accountId, op: 'delete' });
    },

    /** The profile renamed, redescribed or gone, or its rules or identities other than the version's; a referenced policy changed or gone. */
    async drift(ctx) {
      const profile = await placed(ctx);
      if (!profile) return ctx.previous.map((r) => r.key);
      const policies = await references.drifted(ctx, subjectOf(profile.id));
      const { profile: wanted } = ctx.version.body;
      const rules = (await profiles.claimRulesOf(profile.id)).map((r) => JSON.stringify([r.type, r.name, r.realmName, r.expiration, r.conditions]));
      const wantedRules = rulesOf(ctx.version.body).map((r) => JSON.stringify([r.type, r.name, r.realmName, r.expiration, r.conditions]));
      const identities = (await profiles.identitiesOf(profile.id)).map((i) => `${i.type} ${i.identifier}`).sort();
      const wantedIdentities = identitiesOf(ctx.version.body).map((i) => `${i.type} ${i.identifier}`).sort();
      const same =
        profile.name === wanted.name &&
        (profile.description ?? '') === (wanted.description ?? '') &&
        JSON.stringify(rules.sort()) === JSON.stringify(wantedRules.sort()) &&
        JSON.stringify(identities) === JSON.stringify(wantedIdentities);
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
