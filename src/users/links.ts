import type { AccessGroupsService } from '../access-groups/service.js';
import { entityTag } from '../kernel/ids.js';
import type { PolicyDomain } from '../policies/index.js';
import { parseV1 } from '../policies/v1.js';
import type { Write } from '../store/unit-of-work.js';
import type { UserLinks } from './service.js';

/**
 * Retires the active policies whose subject is the user in the account, inside the removal write,
 * and publishes each as a `policy` delete. The policy domain offers no such operation yet, so
 * this writes its rows directly, the way its own removal does (state `deleted`, next entity tag).
 */
async function retirePoliciesOf(w: Write, accountId: string, iamId: string, at: string, by: string): Promise<void> {
  const rows = await w.trx
    .selectFrom('policies')
    .select(['id', 'entity_tag'])
    .where('account_id', '=', accountId)
    .where('subject_iam_id', '=', iamId)
    .where('state', '=', 'active')
    .execute();
  for (const row of rows) {
    const revision = Number.parseInt(row.entity_tag, 10) || 0;
    await w.trx
      .updateTable('policies')
      .set({ state: 'deleted', last_modified_at: at, last_modified_by_id: by, entity_tag: entityTag(revision + 1) })
      .where('id', '=', row.id)
      .execute();
    w.changed({ entity: 'policy', entityId: row.id, accountId, op: 'delete' });
  }
}

/** How user management reaches access groups and policies: invitations add, removals take away. */
export function userLinks(deps: { accessGroups: AccessGroupsService; policies: PolicyDomain; now: () => string }): UserLinks {
  return {
    addToAccessGroups: (actor, accountId, iamId, groupIds) => deps.accessGroups.addToGroups(actor, accountId, iamId, 'user', groupIds),
    async grantPolicies(actor, accountId, iamId, policies) {
      for (const p of policies) {
        const draft = parseV1({
          type: p.type,
          subjects: [{ attributes: [{ name: 'iam_id', value: iamId }] }],
          roles: (p.roles ?? []).map((r) => ({ role_id: r.role_id ?? '' })),
          resources: (p.resources ?? []).map((r) => ({
            attributes: (r.attributes ?? []).map((a) => ({ name: a.name ?? '', value: a.value ?? '' })),
          })),
        });
        await deps.policies.policies.create(actor, draft);
      }
    },
    onRemove: [
      (w, accountId, iamId) => deps.accessGroups.removeIdentityEverywhere(w, accountId, iamId),
      (w, accountId, iamId, by) => retirePoliciesOf(w, accountId, iamId, deps.now(), by),
    ],
  };
}
