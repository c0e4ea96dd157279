import type { Catalog } from '../catalog/index.js';
import type { Authorizer } from '../kernel/authorizer.js';
import type { Actor } from '../kernel/principal.js';
import type { PolicyStore } from './store.js';
import { grantTargets } from './targets.js';
import type { PolicyRecord } from './types.js';

export interface GrantCheckDeps {
  authorizer: Authorizer;
  catalog: Catalog;
  policies: Pick<PolicyStore, 'listActiveOfGroup' | 'listActiveOfSubject'>;
  /** The ids of the account's access groups `iamId` belongs to now (static or dynamic members). */
  groupsOf(accountId: string, iamId: string): Promise<string[]>;
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

  /** Throws DomainError('forbidden') unless `actor` could create every active policy of the group. */
  async function authorizeJoin(actor: Actor, accountId: string, groupId: string): Promise<void> {
    await authorizeAll(actor, 'iam.policy.create', await deps.policies.listActiveOfGroup(accountId, groupId));
  }

  return {
    authorizeAll,
    authorizeJoin,
    /**
     * Throws DomainError('forbidden') unless `actor` could create every active policy that reaches
     * `iamId` in the account: its own and those of each access group it belongs to. Whoever may
     * assume a trusted profile receives exactly that, so changing who may is such a grant.
     */
    async authorizeHandOver(actor: Actor, accountId: string, iamId: string): Promise<void> {
      await authorizeAll(actor, 'iam.policy.create', await deps.policies.listActiveOfSubject(accountId, iamId));
      for (const groupId of await deps.groupsOf(accountId, iamId)) await authorizeJoin(actor, accountId, groupId);
    },
  };
}

export type GrantCheck = ReturnType<typeof createGrantCheck>;
