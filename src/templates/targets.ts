import { enterpriseCrn, parentOf } from '../enterprise/crn.js';
import type { EnterpriseStore } from '../enterprise/store.js';
import type { TargetType } from './types.js';

/**
 * Where assignments land, answered from the enterprise domain: a template's account must be an
 * enterprise account, and its assignments reach only that enterprise's live child accounts —
 * named one by one, or through an account group (and the groups below it).
 */
export interface EnterpriseDirectory {
  /** The enterprise whose enterprise account this is, or undefined when it is none. */
  enterpriseOfAccount(accountId: string): Promise<string | undefined>;
  /**
   * The live child accounts an assignment target reaches in the enterprise, or undefined when the
   * target is not a live account (other than the enterprise account) or account group of it.
   */
  accountsOf(enterpriseId: string, type: TargetType, target: string): Promise<string[] | undefined>;
  /** The account groups an account sits in (its group and every group above it), innermost first; empty when in none. */
  groupsAbove(accountId: string): Promise<{ enterpriseId: string; groupIds: string[] } | undefined>;
}

const PAGE = 500;

export function enterpriseDirectory(store: Pick<EnterpriseStore, 'getEnterprise' | 'getMember' | 'getGroup' | 'listGroups' | 'listMembers'>): EnterpriseDirectory {
  async function all<T>(page: (after?: string) => Promise<{ items: T[]; more: boolean }>, idOf: (item: T) => string): Promise<T[]> {
    const out: T[] = [];
    let after: string | undefined;
    for (;;) {
      const slice = await page(after);
      out.push(...slice.items);
      if (!slice.more || slice.items.length === 0) return out;
      after = idOf(slice.items[slice.items.length - 1]!);
    }
  }

  /** Live accounts directly or indirectly under `parent` (a CRN). */
  async function accountsUnder(enterpriseId: string, enterpriseAccountId: string, parent: string): Promise<string[]> {
    const members = await all((after) => store.listMembers({ enterpriseId, parent }, { limit: PAGE, after }), (m) => m.account_id);
    const groups = await all((after) => store.listGroups({ enterpriseId, parent }, { limit: PAGE, after }), (g) => g.id);
    const nested = await Promise.all(groups.map((g) => accountsUnder(enterpriseId, enterpriseAccountId, enterpriseCrn(enterpriseAccountId, 'account-group', g.id))));
    return [...members.map((m) => m.account_id), ...nested.flat()];
  }

  return {
    async enterpriseOfAccount(accountId) {
      const member = await store.getMember(accountId);
      if (!member || member.state !== 'ACTIVE') return undefined;
      const enterprise = await store.getEnterprise(member.enterprise_id);
      return enterprise?.account_id === accountId ? enterprise.id : undefined;
    },

    async accountsOf(enterpriseId, type, target) {
      const enterprise = await store.getEnterprise(enterpriseId);
      if (!enterprise) return undefined;
      if (type === 'Account') {
        const member = await store.getMember(target);
        const reachable = member && member.state === 'ACTIVE' && member.enterprise_id === enterpriseId && target !== enterprise.account_id;
        return reachable ? [target] : undefined;
      }
      const group = await store.getGroup(target);
      if (!group || group.state !== 'ACTIVE' || group.enterprise_id !== enterpriseId) return undefined;
      const accounts = await accountsUnder(enterpriseId, enterprise.account_id, enterpriseCrn(enterprise.account_id, 'account-group', target));
      return [...new Set(accounts)].filter((a) => a !== enterprise.account_id).sort();
    },

    async groupsAbove(accountId) {
      const member = await store.getMember(accountId);
      if (!member || member.state !== 'ACTIVE') return undefined;
      const groupIds: string[] = [];
      let parent = parentOf(member.parent);
      while (parent?.type === 'account-group' && !groupIds.includes(parent.id)) {
        const group = await store.getGroup(parent.id);
        if (!group || group.state !== 'ACTIVE') break;
        groupIds.push(group.id);
        parent = parentOf(group.parent);
      }
      return { enterpriseId: member.enterprise_id, groupIds };
    },
  };
}
