import { DomainError } from '../kernel/errors.js';

/**
 * The access-groups domain's errors. Messages name the group id, rule id or iam_id they concern:
 * the SDK's integration tests match on that. Codes are the API handbook's snake_case.
 */
export const accessGroupErrors = {
  invalid: (message: string) => new DomainError('invalid', 'invalid_request', message),
  groupNotFound: (id: string) => new DomainError('not_found', 'not_found', `Access group ${id} not found.`),
  ruleNotFound: (groupId: string, ruleId: string) =>
    new DomainError('not_found', 'not_found', `Rule ${ruleId} not found in access group ${groupId}.`),
  notAMember: (groupId: string, iamId: string) =>
    new DomainError('not_found', 'not_found', `${iamId} is not a member of access group ${groupId}.`),
  memberOfNoGroup: (iamId: string, accountId: string) =>
    new DomainError('not_found', 'not_found', `${iamId} is not a member of any access group in account ${accountId}.`),
  /** Unknown identities and identities of other accounts look the same, so ids reveal nothing. */
  identityNotFound: (iamId: string, accountId: string) =>
    new DomainError('not_found', 'not_found', `Identity ${iamId} not found in account ${accountId}.`),
  wrongMemberType: (iamId: string, type: string) =>
    new DomainError('invalid', 'invalid_request', `${iamId} is not an identity of type ${type}.`),
  tooManyGroups: (iamId: string, limit: number) =>
    new DomainError('conflict', 'limit_exceeded', `${iamId} is already a member of ${limit} access groups, the most allowed.`),
  nameTaken: (name: string) =>
    new DomainError('conflict', 'conflict', `An access group named "${name}" already exists in this account.`),
  groupNotEmpty: (id: string) =>
    new DomainError(
      'conflict',
      'conflict',
      `Access group ${id} still has members or rules. Remove them first, or delete with force=true to remove them too.`,
    ),
  publicAccessImmutable: () =>
    new DomainError('invalid', 'invalid_request', 'The Public Access group cannot be changed, deleted, or given members or rules.'),
};
