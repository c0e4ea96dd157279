import { DomainError, invalid, notFound } from '../kernel/errors.js';

/**
 * The identity domain's errors. Entities of another account are reported exactly like missing
 * ones (404), so ids never reveal what exists elsewhere; accounts named explicitly (a path or an
 * `account_id`) are refused by the authorizer (403).
 */
export const identityErrors = {
  apiKeyNotFound: (id: string) => notFound('API key', id),
  apiKeyValueNotFound: () => new DomainError('not_found', 'not_found', 'No API key with the given value was found.'),
  serviceIdNotFound: (id: string) => notFound('Service ID', id),
  groupNotFound: (id: string) => notFound('Service ID group', id),
  profileNotFound: (id: string) => notFound('Trusted profile', id),
  claimRuleNotFound: (id: string) => notFound('Claim rule', id),
  linkNotFound: (id: string) => notFound('Link', id),
  profileIdentityNotFound: (type: string, identifier: string) =>
    new DomainError('not_found', 'not_found', `No identity of type ${type} with identifier ${identifier} may assume this trusted profile.`),
  profileNameTaken: (name: string) =>
    new DomainError('conflict', 'conflict', `A trusted profile named "${name}" already exists in this account.`),
  linkExists: () => new DomainError('conflict', 'conflict', 'The trusted profile already has a link to this compute resource.'),
  /** A per-profile limit (claim rules, links) reached: 409 as for other account limits. */
  profileLimitReached: (what: string, limit: number) =>
    new DomainError('conflict', 'limit_exceeded', `A trusted profile can have at most ${limit} ${what}.`),

  /** Locked entities refuse updates and deletes until unlocked: 409, code `entity_locked`. */
  locked: (what: string, id: string) =>
    new DomainError('conflict', 'entity_locked', `${what} ${id} is locked. Unlock it before updating or deleting it.`),

  /** A chosen API key value that is too short or already taken: one answer for both (no oracle). */
  unusableApiKeyValue: () =>
    invalid('The given apikey value cannot be used: choose a value of at least 32 characters that is not a value of another API key.'),
  /** User API keys are created only by their own user. */
  notOwnKey: (iamId: string) =>
    new DomainError('forbidden', 'insufficent_permissions', `Only ${iamId} can create API keys for ${iamId}; a user API key is created by its own user.`),
  groupNameTaken: (name: string) =>
    new DomainError('conflict', 'conflict', `A service ID group named "${name}" already exists in this account.`),
  groupNotEmpty: (id: string) =>
    new DomainError('conflict', 'conflict', `Service ID group ${id} still contains service IDs; move or delete them first.`),

  unknownIdentity: (iamId: string, accountId: string) =>
    invalid(`iam_id ${iamId} is neither a member of account ${accountId} nor a service ID of it.`),
  badPageToken: () => invalid('The pagetoken is not valid.'),
};
