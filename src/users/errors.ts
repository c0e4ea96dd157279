import { DomainError, invalid, notFound } from '../kernel/errors.js';

/** Errors of the User Management API. */
export const userErrors = {
  userNotFound: (iamId: string, accountId: string) => notFound('User', `${iamId} in account ${accountId}`),
  alreadyMember: (email: string, accountId: string) =>
    new DomainError('conflict', 'user_already_member', `${email} is already a user of account ${accountId}.`),
  ownerUntouchable: () => new DomainError('conflict', 'account_owner', 'The account owner cannot be removed or have their state changed.'),
  pending: (iamId: string) =>
    new DomainError('conflict', 'user_pending', `User ${iamId} has not accepted the invitation yet; their state cannot be changed.`),
  badState: (state: string) => invalid(`state ${state} cannot be set; use ACTIVE, VPN_ONLY or DISABLED_CLASSIC_INFRASTRUCTURE.`),
  badSearch: (term: string) => invalid(`search term ${term} is not field:value with a field among firstname, lastname, email, state, iam_id, user_id.`),
  badStart: () => invalid('The _start token is not valid.'),
  startOfOtherSort: () => invalid('The _start token continues a listing in another order: send the sort it came with, or start again without _start.'),
  badEmail: (email: string) => invalid(`${email} is not an e-mail address.`),
  unavailable: (what: string) => invalid(`${what} cannot be given with an invitation on this server yet.`),
  invitationInvalid: () =>
    new DomainError('unauthenticated', 'invalid_token', 'The invitation secret is not valid, has expired or was already used.'),
  invitationElsewhere: (accountId: string) => notFound('Invitation to account', accountId),
  invitationExpired: (accountId: string) =>
    new DomainError('not_found', 'not_found', `The invitation to account ${accountId} has expired; ask an administrator to invite you again.`),
  identityExists: () =>
    new DomainError(
      'forbidden',
      'insufficent_permissions',
      'The invitee already has an identity: accept while signed in as that identity, with its own IAM token.',
    ),
};
