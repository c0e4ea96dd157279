import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import { forbidden } from '../kernel/errors.js';
import type { Principal } from '../kernel/principal.js';
import type { AccountsStore } from './store.js';

/** Actions any member of an account may perform there, whatever they own. */
const OPEN_TO_MEMBERS = new Set(['iam-identity.serviceid.create', 'iam-identity.serviceid-group.list']);

/**
 * The interim authorizer, until the policy decision point decides management calls: the account
 * owner may do everything in their account; anyone else only what they own (their API keys, the
 * service IDs they created) and the actions open to every member. Nobody acts across accounts.
 */
export function createOwnerAuthorizer(accounts: AccountsStore): Authorizer {
  return {
    async authorize(principal: Principal, action: string, target: AccessTarget) {
      if (principal.accountId !== target.accountId) throw forbidden();
      const account = await accounts.getAccount(target.accountId);
      if (!account) throw forbidden();
      if (account.ownerIamId === principal.iamId) return;
      if (OPEN_TO_MEMBERS.has(action)) return;
      if (target.ownerIamId !== undefined && target.ownerIamId === principal.iamId) return;
      throw forbidden(`${principal.iamId} is not authorized to perform ${action} on this resource.`);
    },
  };
}
