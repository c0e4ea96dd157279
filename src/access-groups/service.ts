import { createContext, type AccessGroupsDeps } from './context.js';
import { ruleOperations } from './dynamic.js';
import { groupOperations } from './groups.js';
import { memberOperations } from './members.js';

/**
 * IAM access groups: groups of an account, their static members, dynamic-membership rules and
 * the account's access-groups settings. Every operation is authorized with the `iam-groups`
 * actions of the catalogue (reference/authz.md §7) on the group it touches (account-level
 * operations: on the account), every mutation is audited, and every change to a group, a
 * membership, a rule or the settings is published on the change feed for the decision point:
 *
 * | entity           | entityId               | when                                           |
 * |------------------|------------------------|------------------------------------------------|
 * | `access_group`   | group id               | group created, renamed, deleted                |
 * | `group_member`   | `<group id>/<iam id>`  | static or dynamic membership added / removed / renewed |
 * | `group_rule`     | rule id                | rule created, replaced, removed                |
 * | `group_settings` | account id             | public access switched                         |
 *
 * The Public Access group (`AccessGroupId-PublicAccess`) exists in every account without being
 * stored: it is listed and readable, but cannot be changed, deleted, or given members or rules;
 * by-id requests for it concern the caller's account. A dynamic membership's expiry publishes
 * nothing: readers compare `expiresAt` with their clock.
 */
export function createAccessGroupsService(deps: AccessGroupsDeps) {
  const ctx = createContext(deps);
  const { store } = deps;
  const { now } = ctx;
  return {
    ...groupOperations(ctx),
    ...memberOperations(ctx),
    ...ruleOperations(ctx),

    // ── For the decision point (see AccessGroupsStore for the contracts) ─────────────────────

    listMemberships: () => store.listMemberships(now()),
    membershipsOf: (iamId: string) => store.membershipsOf(iamId, now()),
    groupsOf: (iamId: string, accountId: string) => store.groupsOf(iamId, accountId, now()),
    isPublicAccessEnabled: (accountId: string) => store.isPublicAccessEnabled(accountId),
  };
}

export type AccessGroupsService = ReturnType<typeof createAccessGroupsService>;
