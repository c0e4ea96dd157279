import { DomainError } from '../../kernel/errors.js';
import type { TemplateKind } from '../types.js';

/**
 * The errors of the policy-management template kinds (policy, action-control and role templates),
 * in the codes of the API's ErrorObject enum. The refusal to update a committed version is IBM's
 * exact text, with the kind's name.
 */
type KindErrors = Pick<TemplateKind, 'invalidError' | 'nameTakenError' | 'notFoundError' | 'assignmentNotFoundError' | 'committedError'>;

export function policyApiErrors(label: 'Policy' | 'Action control' | 'Role', code: 'policy' | 'action_control' | 'role'): KindErrors {
  const notFound = code === 'action_control' ? 'action_control_template_not_found' : `${code}_template_not_found`;
  return {
    invalidError: (message) => new DomainError('invalid', 'invalid_body', message),
    nameTakenError: (name) =>
      new DomainError('conflict', code === 'role' ? 'role_template_conflict_error' : 'policy_template_conflict_error', `Template name '${name}' already exists in this account.`),
    notFoundError: (id, version) =>
      new DomainError('not_found', notFound, version === undefined ? `${label} template '${id}' was not found.` : `${label} template id '${id}' and version '${version}' was not found.`),
    assignmentNotFoundError: (id) => new DomainError('not_found', `${code}_assignment_not_found`, `${label} assignment '${id}' was not found.`),
    committedError: (id, version) =>
      new DomainError('conflict', code === 'role' ? 'role_template_conflict_error' : 'policy_template_conflict_error', `${label} template id '${id}' and version '${version}' is committed and cannot be updated`),
  };
}
