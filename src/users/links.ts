import type { AccessGroupsService } from '../access-groups/service.js';
import type { PolicyDomain } from '../policies/index.js';
import { parseV1 } from '../policies/v1.js';
import type { UserLinks } from './service.js';

/** How user management reaches access groups and policies: invitations add, removals take away. */
export function userLinks(deps: { accessGroups: AccessGroupsService; policies: PolicyDomain; onIdentityRemoved: UserLinks['onRemove'] }): UserLinks {
  return {
    async addToAccessGroups(actor, accountId, iamId, groupIds) {
      for (const result of await deps.accessGroups.addToGroups(actor, accountId, iamId, 'user', groupIds)) {
        if (!result.outcome.ok) throw result.outcome.error;
      }
    },
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
    onRemove: deps.onIdentityRemoved,
  };
}
