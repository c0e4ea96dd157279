import type { Catalog } from '../catalog/index.js';
import type { Authorizer } from '../kernel/authorizer.js';
import type { Actor } from '../kernel/principal.js';
import type { PolicyStore } from './store.js';
import { grantTargets } from './targets.js';
import type { PolicyRecord } from './types.js';

export interface GrantCheckDeps {
  authorizer: Authorizer;
  catalog: Catalog;
  policies: Pick<PolicyStore, 'listActiveOfGroup'>;
}

/**
 * Granting existing policies again, to someone new (authz.md §3.1): whoever joins an access group
 * receives every policy of the group, so adding a member is allowed only to a caller who could
 * create each of those policies — the owner, or who holds `action` on every target of every
 * policy's scope. Decided by the authorizer (the PDP; the owner's built-in rights), like any grant.
 */
export function createGrantCheck(deps: GrantCheckDeps) {
  /** Throws DomainError('forbidden') unless `actor` may perform `action` on every policy's whole scope. */
  async function authorizeAll(actor: Actor, action: string, policies: readonly Pick<PolicyRecord, 'accountId' | 'resource'>[]): Promise<void> {
    for (const policy of policies) {
      for (const target of grantTargets(policy.accountId, policy.resource, deps.catalog)) {
        await deps.authorizer.authorize(actor.principal, action, target, actor.environment);
      }
    }
  }

  return {
    authorizeAll,
    /** Throws DomainError('forbidden') unless `actor` could create every active policy of the group. */
    async authorizeJoin(actor: Actor, accountId: string, groupId: string): Promise<void> {
      await authorizeAll(actor, 'iam.policy.create', await deps.policies.listActiveOfGroup(accountId, groupId));
    },
  };
}

export type GrantCheck = ReturnType<typeof createGrantCheck>;
