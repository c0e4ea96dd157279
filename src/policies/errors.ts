import { DomainError } from '../kernel/errors.js';
import type { CustomRoleRecord } from './types.js';
import type { PolicyView } from './wire.js';

/**
 * A conflict that names the entity it conflicts with (`details.conflicts_with`). It carries the
 * record; the routes render it (wire.ts renderConflict), since its `href` needs the site's URL.
 */
export class ConflictWith extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly existing: { kind: 'policy'; view: PolicyView } | { kind: 'role'; role: CustomRoleRecord },
  ) {
    super('conflict', code, message);
  }
}

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
  policyConflict: (view: PolicyView) =>
    new ConflictWith('policy_conflict_error', 'A policy with the same subject, resource and conditions already exists.', { kind: 'policy', view }),
  /** A custom role the request collides with (same name, or exactly the same actions), rendered like a read of it. */
  roleConflict: (message: string, role: CustomRoleRecord) => new ConflictWith('role_conflict_error', message, { kind: 'role', role }),
  /** The same collision where no href is shown (a template assignment's resource failure): `role` as given. */
  roleConflictSummary: (message: string, etag: string, role: unknown) =>
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
