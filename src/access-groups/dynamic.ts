import { randomUUID } from 'node:crypto';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import type { Trx, Write } from '../store/unit-of-work.js';
import type { Context } from './context.js';
import { accessGroupErrors as errors } from './errors.js';
import { checkRuleInput, evaluateRules, type DynamicGrant, type FederatedLogin } from './rules.js';
import { PUBLIC_ACCESS_GROUP_ID, type AccessGroup, type Rule, type RuleInput } from './types.js';

/** Dynamic-membership rules, and the memberships they grant at federated sign-in. */



export function ruleOperations(ctx: Context) {
  const { store, writer, clock } = ctx.deps;
  const { now, authorizedGroup, mutable, audited, memberChanged } = ctx;

  /** Revokes the dynamic memberships of a group that `ruleId` granted (others granted them too: kept). */
  async function revokeGrantsOfRule(w: Write, rule: Rule) {
    for (const member of await store.dynamicMembersOfGroup(w.trx, rule.accountId, rule.groupId)) {
      if (!member.rule_ids.includes(rule.id)) continue;
      const others = member.rule_ids.filter((id) => id !== rule.id);
      if (others.length > 0) {
        await store.putDynamicMember(w.trx, rule.accountId, { ...member, rule_ids: others });
      } else {
        await store.deleteDynamicMember(w.trx, rule.accountId, rule.groupId, member.iam_id);
        memberChanged(w, rule.accountId, rule.groupId, member.iam_id, 'delete');
      }
    }
  }

  /** The rule a by-id request names, in the group it names (404 otherwise). */
  async function ruleOf(group: AccessGroup, ruleId: string, trx?: Trx): Promise<Rule> {
    const rule = await store.getRule(ruleId, trx);
    if (!rule || rule.groupId !== group.id || rule.accountId !== group.accountId) throw errors.ruleNotFound(group.id, ruleId);
    return rule;
  }

  return {

    async addRule(actor: Actor, groupId: string, input: RuleInput): Promise<Rule> {
      const id = `ClaimRule-${randomUUID()}`;
      const subject = { action: 'iam-groups.rules.create', targetType: 'rule', targetId: id, accountId: actor.principal.accountId };
      return audited(actor, subject, async (commit) => {
        const rule = checkRuleInput(input);
        const group = mutable(await authorizedGroup(actor, groupId, subject.action));
        // A rule makes members too: it grants the group's policies like adding a member does.
        await ctx.deps.authorizeJoin(actor, group.accountId, group.id);
        subject.accountId = group.accountId;
        return commit(async (w) => {
          if (!(await store.lockGroup(w.trx, group.accountId, groupId))) throw errors.groupNotFound(groupId);
          const at = now();
          const by = actor.principal.iamId;
          await store.insertRule(w.trx, {
            id,
            account_id: group.accountId,
            group_id: groupId,
            name: rule.name ?? '',
            expiration: rule.expiration,
            realm_name: rule.realmName,
            conditions: rule.conditions,
            created_at: at,
            created_by_id: by,
            last_modified_at: at,
            last_modified_by_id: by,
            entity_tag: nextTag(),
          });
          w.changed({ entity: 'group_rule', entityId: id, accountId: group.accountId, op: 'create' });
          return (await store.getRule(id, w.trx))!;
        });
      });
    },

    async listRules(actor: Actor, groupId: string): Promise<Rule[]> {
      const group = await authorizedGroup(actor, groupId, 'iam-groups.rules.list');
      return group.id === PUBLIC_ACCESS_GROUP_ID ? [] : store.listRules(group.accountId, groupId);
    },

    async getRule(actor: Actor, groupId: string, ruleId: string): Promise<Rule> {
      return ruleOf(await authorizedGroup(actor, groupId, 'iam-groups.rules.read'), ruleId);
    },

    /**
     * Replaces a rule (If-Match, 412 when stale). When its realm, conditions or expiration change,
     * the memberships it granted end; members regain them at their next sign-in if they still match.
     */
    async replaceRule(actor: Actor, groupId: string, ruleId: string, ifMatch: string, input: RuleInput): Promise<Rule> {
      const subject = { action: 'iam-groups.rules.update', targetType: 'rule', targetId: ruleId, accountId: actor.principal.accountId };
      return audited(actor, subject, async (commit) => {
        const rule = checkRuleInput(input);
        const group = await authorizedGroup(actor, groupId, subject.action, ruleId);
        await ctx.deps.authorizeJoin(actor, group.accountId, group.id);
        subject.accountId = group.accountId;
        return commit(async (w) => {
          const current = await ruleOf(group, ruleId, w.trx);
          const expected = expectedTag(ifMatch, current.entityTag);
          const updated = await store.updateRule(w.trx, ruleId, expected, {
            name: rule.name ?? '',
            expiration: rule.expiration,
            realm_name: rule.realmName,
            conditions: rule.conditions,
            last_modified_at: now(),
            last_modified_by_id: actor.principal.iamId,
            entity_tag: nextTag(current.entityTag),
          });
          if (!updated) throw staleTag();
          const meaning = (r: Pick<Rule, 'realmName' | 'conditions' | 'expiration'>) =>
            JSON.stringify([r.realmName, r.expiration, r.conditions.map((c) => [c.claim, c.operator, c.value])]);
          if (meaning(current) !== meaning(rule)) await revokeGrantsOfRule(w, current);
          w.changed({ entity: 'group_rule', entityId: ruleId, accountId: group.accountId, op: 'update' });
          return (await store.getRule(ruleId, w.trx))!;
        });
      });
    },

    /** Removes a rule and ends the memberships only it granted. */
    async removeRule(actor: Actor, groupId: string, ruleId: string): Promise<void> {
      const subject = { action: 'iam-groups.rules.delete', targetType: 'rule', targetId: ruleId, accountId: actor.principal.accountId };
      await audited(actor, subject, async (commit) => {
        const group = await authorizedGroup(actor, groupId, subject.action, ruleId);
        subject.accountId = group.accountId;
        await commit(async (w) => {
          const rule = await ruleOf(group, ruleId, w.trx);
          await revokeGrantsOfRule(w, rule);
          await store.deleteRule(w.trx, ruleId);
          w.changed({ entity: 'group_rule', entityId: ruleId, accountId: group.accountId, op: 'delete' });
        });
      });
    },

    /**
     * Records the dynamic memberships of a federated sign-in: evaluates the account's rules for the
     * realm against the claims (see rules.ts) and makes the identity's memberships from that realm
     * exactly the grants, with their expiry; memberships from other realms are left alone. Publishes
     * a `group_member` change for each membership added, renewed or ended. Returns the grants.
     */
    async applyFederatedLogin(
      accountId: string,
      iamId: string,
      realmName: string,
      claims: FederatedLogin['claims'],
      requestId = 'federated-sign-in',
    ): Promise<DynamicGrant[]> {
      const { value } = await writer.write(async (w) => {
        const at = clock.now();
        const grants: DynamicGrant[] = [];
        // Grants come in group id order: the locks are taken in that order.
        for (const grant of evaluateRules(await store.rulesOfRealm(w.trx, accountId, realmName), { realmName, claims }, at)) {
          if (await store.lockGroup(w.trx, accountId, grant.groupId)) grants.push(grant);
        }
        const granted = new Set(grants.map((g) => g.groupId));
        for (const existing of await store.dynamicMembershipsOf(w.trx, accountId, iamId)) {
          if (existing.realm_name !== realmName || granted.has(existing.group_id)) continue;
          await store.deleteDynamicMember(w.trx, accountId, existing.group_id, iamId);
          memberChanged(w, accountId, existing.group_id, iamId, 'delete');
        }
        for (const grant of grants) {
          await store.putDynamicMember(w.trx, accountId, {
            group_id: grant.groupId,
            iam_id: iamId,
            type: 'user',
            realm_name: realmName,
            rule_ids: grant.ruleIds,
            created_at: at.toISOString(),
            expires_at: grant.expiresAt,
          });
          memberChanged(w, accountId, grant.groupId, iamId, 'update');
        }
        w.audit({
          requestId,
          initiatorIamId: iamId,
          initiatorAccountId: accountId,
          accountId,
          action: 'iam-groups.dynamic-members.update',
          targetType: 'member',
          targetId: iamId,
          detail: { realm_name: realmName, groups: grants.map((g) => ({ access_group_id: g.groupId, expires_at: g.expiresAt })) },
        });
        return grants;
      });
      return value;
    },

  };
}
