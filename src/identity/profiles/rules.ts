import { invalid } from '../../kernel/errors.js';
import { expectedTag, nextTag, staleTag } from '../../kernel/etag.js';
import { ids } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/principal.js';
import { audited } from '../context.js';
import { identityErrors } from '../errors.js';
import { IDENTITY_LIMITS } from '../limits.js';
import {
  authorizeHandOverOf,
  authorizeOnProfile,
  lockedProfile,
  profileSubject,
  trustChanged,
  visibleProfile,
  type ProfileContext,
} from './context.js';
import type { ClaimRuleChanges } from './store.js';
import {
  CLAIM_OPERATORS,
  COMPUTE_RESOURCE_TYPES,
  type ClaimCondition,
  type ClaimOperator,
  type ClaimRule,
  type ClaimRuleType,
  type ComputeResourceType,
} from '../types.js';

/**
 * Claim rules of a trusted profile: `Profile-SAML` rules (a realm, conditions on the federated
 * user's claims, a session lifetime) and `Profile-CR` rules (a compute-resource type, conditions
 * on its token's claims). Adding or changing a rule widens who may assume the profile, so it is a
 * grant of the profile's access (authorizeHandOver); deleting one narrows it and needs only
 * `iam-identity.profile.update`. At most IDENTITY_LIMITS.claimRulesPerProfile SAML rules and
 * crRulesPerProfile CR rules per profile, counted with the profile locked (no race past them).
 */

export interface ClaimRuleInput {
  type: string;
  conditions: Array<{ claim: string; operator: string; value: string }>;
  name?: string;
  realmName?: string;
  crType?: string;
  expiration?: number;
}

/** A rule's session lifetime in seconds: IBM's session range; CR rules default to 12 hours. */
const EXPIRATION = { min: 900, max: 86_400, default: 43_200 };

export interface RuleFields {
  type: ClaimRuleType;
  name: string | null;
  realmName: string | null;
  crType: ComputeResourceType | null;
  expiration: number;
  conditions: ClaimCondition[];
}

function conditionsOf(conditions: ClaimRuleInput['conditions']): ClaimCondition[] {
  if (conditions.length === 0) throw invalid('conditions must name at least one condition.');
  return conditions.map((c, i) => {
    if (c.claim.trim() === '') throw invalid(`conditions[${i}].claim must not be empty.`);
    if (!(CLAIM_OPERATORS as readonly string[]).includes(c.operator)) {
      throw invalid(`conditions[${i}].operator "${c.operator}" is not one of ${CLAIM_OPERATORS.join(', ')}.`);
    }
    return { claim: c.claim, operator: c.operator as ClaimOperator, value: c.value };
  });
}

/** The rule as stored, from the request; 400 naming the first field that breaks IBM's rules. */
export function ruleFieldsOf(input: ClaimRuleInput): RuleFields {
  const conditions = conditionsOf(input.conditions);
  const name = input.name === undefined || input.name === '' ? null : input.name;
  const expiration = input.expiration;
  if (expiration !== undefined && (!Number.isInteger(expiration) || expiration < EXPIRATION.min || expiration > EXPIRATION.max)) {
    throw invalid(`expiration must be a whole number of seconds from ${EXPIRATION.min} to ${EXPIRATION.max}.`);
  }
  if (input.type === 'Profile-SAML') {
    if (!input.realmName) throw invalid('realm_name is required for a claim rule of type Profile-SAML.');
    if (expiration === undefined) throw invalid('expiration is required for a claim rule of type Profile-SAML.');
    if (input.crType !== undefined) throw invalid('cr_type applies only to claim rules of type Profile-CR.');
    return { type: 'Profile-SAML', name, realmName: input.realmName, crType: null, expiration, conditions };
  }
  if (input.type === 'Profile-CR') {
    if (input.crType === undefined) throw invalid('cr_type is required for a claim rule of type Profile-CR.');
    if (!(COMPUTE_RESOURCE_TYPES as readonly string[]).includes(input.crType)) {
      throw invalid(`cr_type "${input.crType}" is not one of ${COMPUTE_RESOURCE_TYPES.join(', ')}.`);
    }
    if (input.realmName !== undefined) throw invalid('realm_name applies only to claim rules of type Profile-SAML.');
    return { type: 'Profile-CR', name, realmName: null, crType: input.crType as ComputeResourceType, expiration: expiration ?? EXPIRATION.default, conditions };
  }
  throw invalid(`type "${input.type}" is not one of Profile-SAML, Profile-CR.`);
}

const limitOf = (type: ClaimRuleType) =>
  type === 'Profile-SAML' ? IDENTITY_LIMITS.claimRulesPerProfile : IDENTITY_LIMITS.crRulesPerProfile;

export function createClaimRuleOperations(p: ProfileContext) {
  const { ctx, store } = p;

  /**
   * The profile (visible to the actor, the actor allowed `action` on it) and its rule; 404 when
   * either is missing. A change of the rule (update, delete) takes the rule as it was away.
   */
  async function authorizedRule(actor: Actor, profileId: string, ruleId: string, action: string) {
    const profile = await visibleProfile(p, actor, profileId);
    await authorizeOnProfile(p, actor, action, profile, [{ of: 'rules', op: 'remove', item: ruleId }]);
    const rule = await store.getClaimRule(profileId, ruleId);
    if (!rule) throw identityErrors.claimRuleNotFound(ruleId);
    return { profile, rule };
  }

  return {
    async create(actor: Actor, profileId: string, input: ClaimRuleInput): Promise<ClaimRule> {
      const id = `ClaimRule-${ids.uuid()}`;
      const subject = profileSubject('update', profileId);
      return audited(ctx, actor, subject, async (commit) => {
        const profile = await visibleProfile(p, actor, profileId);
        subject.accountId = profile.accountId;
        await authorizeOnProfile(p, actor, 'iam-identity.profile.update', profile, [{ of: 'rules', op: 'add' }]);
        const fields = ruleFieldsOf(input);
        await authorizeHandOverOf(p, actor, profile);
        const at = ctx.clock.now().toISOString();
        const rule: ClaimRule = { id, profileId, ...fields, createdAt: at, modifiedAt: at, entityTag: nextTag() };
        return commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            const limit = limitOf(rule.type);
            if ((await store.countClaimRules(w.trx, profileId, rule.type)) >= limit) {
              throw identityErrors.profileLimitReached(`${rule.type} claim rules`, limit);
            }
            await store.insertClaimRule(w.trx, rule);
            await trustChanged(p, w, actor, current, 'create_claim_rule', [id, rule.type], `Claim rule ${id} added to trusted profile ${profileId}.`);
            return rule;
          },
          { claim_rule_id: id, type: rule.type },
        );
      });
    },

    async get(actor: Actor, profileId: string, ruleId: string): Promise<ClaimRule> {
      return (await authorizedRule(actor, profileId, ruleId, 'iam-identity.profile.get')).rule;
    },

    async list(actor: Actor, profileId: string): Promise<ClaimRule[]> {
      const profile = await visibleProfile(p, actor, profileId);
      await authorizeOnProfile(p, actor, 'iam-identity.profile.get', profile);
      return store.claimRulesOf(profileId);
    },

    /** Replaces the rule (IBM's update sends the whole rule) when If-Match holds its tag (`*`: any). */
    async update(actor: Actor, profileId: string, ruleId: string, ifMatch: string, input: ClaimRuleInput): Promise<ClaimRule> {
      const subject = profileSubject('update', profileId);
      return audited(ctx, actor, subject, async (commit) => {
        const { profile } = await authorizedRule(actor, profileId, ruleId, 'iam-identity.profile.update');
        subject.accountId = profile.accountId;
        const fields = ruleFieldsOf(input);
        await authorizeHandOverOf(p, actor, profile);
        return commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            const rule = await store.getClaimRule(profileId, ruleId, w.trx);
            if (!rule) throw identityErrors.claimRuleNotFound(ruleId);
            if (rule.type !== fields.type && (await store.countClaimRules(w.trx, profileId, fields.type)) >= limitOf(fields.type)) {
              throw identityErrors.profileLimitReached(`${fields.type} claim rules`, limitOf(fields.type));
            }
            const changes: ClaimRuleChanges = {
              name: fields.name,
              type: fields.type,
              realm_name: fields.realmName,
              cr_type: fields.crType,
              expiration: fields.expiration,
              conditions: JSON.stringify(fields.conditions),
            };
            const stamp = { modified_at: ctx.clock.now().toISOString(), entity_tag: nextTag(rule.entityTag) };
            if (!(await store.updateClaimRule(w.trx, profileId, ruleId, expectedTag(ifMatch, rule.entityTag), { ...changes, ...stamp }))) {
              throw staleTag();
            }
            await trustChanged(p, w, actor, current, 'update_claim_rule', [ruleId], `Claim rule ${ruleId} of trusted profile ${profileId} updated.`);
            return (await store.getClaimRule(profileId, ruleId, w.trx))!;
          },
          { claim_rule_id: ruleId },
        );
      });
    },

    async delete(actor: Actor, profileId: string, ruleId: string): Promise<void> {
      const subject = profileSubject('update', profileId);
      await audited(ctx, actor, subject, async (commit) => {
        const { profile } = await authorizedRule(actor, profileId, ruleId, 'iam-identity.profile.update');
        subject.accountId = profile.accountId;
        await commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            if (!(await store.deleteClaimRule(w.trx, profileId, ruleId))) throw identityErrors.claimRuleNotFound(ruleId);
            await trustChanged(p, w, actor, current, 'delete_claim_rule', [ruleId], `Claim rule ${ruleId} removed from trusted profile ${profileId}.`);
          },
          { claim_rule_id: ruleId },
        );
      });
    },
  };
}

export type ClaimRuleOperations = ReturnType<typeof createClaimRuleOperations>;
