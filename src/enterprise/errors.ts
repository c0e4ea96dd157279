import { DomainError, invalid, notFound } from '../kernel/errors.js';

/** Errors of the Enterprise Management API. */
export const enterpriseErrors = {
  enterpriseNotFound: (id: string) => notFound('Enterprise', id),
  accountNotFound: (id: string) => notFound('Account', id),
  groupNotFound: (id: string) => notFound('Account group', id),
  badParent: (parent: string) =>
    invalid(`parent ${parent} is not the CRN of an active enterprise or account group you can manage.`),
  alreadyInEnterprise: (accountId: string) =>
    new DomainError('conflict', 'account_in_enterprise', `Account ${accountId} already belongs to an enterprise.`),
  unknownContact: (iamId: string, accountId: string) =>
    invalid(`${iamId} is not a user of account ${accountId}; the primary contact must be one.`),
  unknownOwner: (owner: string) =>
    invalid(`owner_iam_id ${owner} is neither an existing user's IAM id nor an e-mail address for a new owner.`),
  notEmpty: (id: string) =>
    new DomainError('conflict', 'account_group_not_empty', `Account group ${id} still holds accounts or account groups.`),
  enterpriseAccount: (id: string) =>
    new DomainError('conflict', 'enterprise_account', `Account ${id} is the enterprise account; it cannot be moved or deleted.`),
  cycle: () => invalid('An account group cannot be moved under itself or one of its descendants.'),
  notOwnerOfImported: (accountId: string) =>
    new DomainError('forbidden', 'insufficent_permissions', `Only the owner of account ${accountId} can import it into an enterprise.`),
  badMfa: (mfa: string, levels: readonly string[]) =>
    invalid(`traits.mfa ${JSON.stringify(mfa)} is not an MFA level; use '' (opt out) or one of ${levels.join(', ')}.`),
};
