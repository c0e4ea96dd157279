import type { Catalog } from '../catalog/index.js';
import { isAllowed, type Authorizer } from '../kernel/authorizer.js';
import type { Actor } from '../kernel/principal.js';
import type { AttributeCondition } from '../pdp/types.js';
import { grantTargets } from './targets.js';

/**
 * "On which of these scopes may I grant access?" — the granting rule (authz.md §3.1) asked ahead
 * of a grant, so that a client (the console's assign-access flow) offers only what the caller may
 * grant. The answer is the one creating a policy on that scope would get from its authorization
 * step (`iam.policy.create` on every target of the scope's real kind, grantTargets): the same
 * function decides both. It reveals only the caller's own reach; a scope of another account is
 * never grantable. Validation of the scope itself (contradictions, unknown services) stays with
 * the policy create, which may still refuse a grantable scope with a 400.
 */
export function createGrantableCheck(deps: { catalog: Catalog; authorizer: Authorizer }) {
  return async (actor: Actor, accountId: string, scopes: readonly (readonly AttributeCondition[])[]): Promise<boolean[]> => {
    const answers: boolean[] = [];
    for (const scope of scopes) {
      let grantable = true;
      for (const target of grantTargets(accountId, scope, deps.catalog)) {
        if (!(await isAllowed(deps.authorizer, actor, 'iam.policy.create', target))) {
          grantable = false;
          break;
        }
      }
      answers.push(grantable);
    }
    return answers;
  };
}

export type GrantableCheck = ReturnType<typeof createGrantableCheck>;
