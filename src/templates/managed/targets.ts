import { parentOf } from '../../enterprise/crn.js';
import type { Db } from '../../store/db.js';
import { templateErrors } from './errors.js';
import type { TargetType } from './types.js';

/**
 * Which child accounts an assignment target reaches, read from the enterprise tables. Templates
 * live in the enterprise account; a target is an active account of that enterprise (not the
 * enterprise account itself) or an active account group of it, which reaches every active account
 * under it, nested groups included, as they are when the assignment runs.
 */
export function createTargets(db: Db) {
  /** The enterprise whose enterprise account is `accountId`; 400 when there is none. */
  async function enterpriseOf(accountId: string): Promise<string> {
    const row = await db.selectFrom('enterprises').select('id').where('account_id', '=', accountId).executeTakeFirst();
    if (!row) throw templateErrors.notEnterprise(accountId);
    return row.id;
  }

  return {
    enterpriseOf,

    /** Throws 404 unless the target is an active account or account group of the enterprise of `accountId`. */
    async check(accountId: string, targetType: TargetType, target: string): Promise<void> {
      const enterpriseId = await enterpriseOf(accountId);
      if (targetType === 'Account') {
        const row = await db
          .selectFrom('enterprise_accounts')
          .select('account_id')
          .where('account_id', '=', target)
          .where('enterprise_id', '=', enterpriseId)
          .where('state', '=', 'ACTIVE')
          .executeTakeFirst();
        if (!row || target === accountId) throw templateErrors.targetNotFound(targetType, target);
        return;
      }
      const group = await db
        .selectFrom('account_groups')
        .select('id')
        .where('id', '=', target)
        .where('enterprise_id', '=', enterpriseId)
        .where('state', '=', 'ACTIVE')
        .executeTakeFirst();
      if (!group) throw templateErrors.targetNotFound(targetType, target);
    },

    /** The active child accounts the target reaches now, sorted (empty when it no longer exists). */
    async accountsOf(accountId: string, targetType: TargetType, target: string): Promise<string[]> {
      const enterpriseId = await enterpriseOf(accountId);
      const accounts = await db
        .selectFrom('enterprise_accounts')
        .select(['account_id', 'parent'])
        .where('enterprise_id', '=', enterpriseId)
        .where('state', '=', 'ACTIVE')
        .where('account_id', '!=', accountId)
        .execute();
      if (targetType === 'Account') return accounts.some((a) => a.account_id === target) ? [target] : [];
      const groups = await db
        .selectFrom('account_groups')
        .select(['id', 'parent'])
        .where('enterprise_id', '=', enterpriseId)
        .where('state', '=', 'ACTIVE')
        .execute();
      // The group and every active group below it, by their parent CRNs.
      const inside = new Set<string>();
      if (groups.some((g) => g.id === target)) inside.add(target);
      for (let grew = inside.size > 0; grew; ) {
        grew = false;
        for (const g of groups) {
          const parent = parentOf(g.parent);
          if (parent?.type === 'account-group' && inside.has(parent.id) && !inside.has(g.id)) {
            inside.add(g.id);
            grew = true;
          }
        }
      }
      return accounts
        .filter((a) => {
          const parent = parentOf(a.parent);
          return parent?.type === 'account-group' && inside.has(parent.id);
        })
        .map((a) => a.account_id)
        .sort();
    },
  };
}

export type Targets = ReturnType<typeof createTargets>;
