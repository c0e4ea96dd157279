import { DomainError } from '../kernel/errors.js';

/**
 * The policy-management error codes (conventions.md §2, the SDK's ErrorObject.Code enum). Every
 * route of this domain renders them in the `policy` error style.
 */
export const policyErrors = {
  invalidBody: (message: string) => new DomainError('invalid', 'invalid_body', message),
  missingQuery: (name: string) =>
    new DomainError('invalid', 'missing_required_query_parameter', `The query parameter ${name} is required.`),
  /** A role named in a request that does not exist (400, unlike a missing role resource: 404). */
  unknownRole: (crn: string) => new DomainError('invalid', 'role_not_found', `Role ${crn} does not exist.`),
  policyNotFound: (id: string) => new DomainError('not_found', 'policy_not_found', `Policy ${id} was not found.`),
  roleNotFound: (id: string) => new DomainError('not_found', 'role_not_found', `Role ${id} was not found.`),
  forbidden: (message = 'You are not authorized to perform this action.') =>
    new DomainError('forbidden', 'insufficent_permissions', message),
  /** `details.conflicts_with` names the existing policy, rendered like the request's own. */
  policyConflict: (etag: string, policy: unknown) =>
    new DomainError('conflict', 'policy_conflict_error', 'A policy with the same subject, resource and conditions already exists.', {
      data: { conflicts_with: { etag, policy } },
    }),
  roleConflict: (message: string, etag: string, role: unknown) =>
    new DomainError('conflict', 'role_conflict_error', message, { data: { conflicts_with: { etag, role } } }),
  /** A policy or custom role an enterprise template assignment manages, changed other than through it. */
  managed: (id: string) =>
    new DomainError(
      'forbidden',
      'enterprise_managed',
      `${id} is managed by an enterprise template assignment; change or remove it through that assignment.`,
    ),
  roleInUse: (crn: string, count: number) =>
    new DomainError('conflict', 'role_conflict_error', `Role ${crn} is granted by ${count} active ${count === 1 ? 'policy' : 'policies'}; remove it from them first.`),
};
