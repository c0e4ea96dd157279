import { DomainError } from '../../kernel/errors.js';

/**
 * Errors of the template mechanics. Every message names the template, version or assignment it
 * concerns; codes are stable snake_case (each API renders them in its own error shape).
 */
export const templateErrors = {
  templateNotFound: (label: string, id: string) => new DomainError('not_found', 'not_found', `The ${label} ${id} was not found.`),
  versionNotFound: (label: string, id: string, version: number | string) =>
    new DomainError('not_found', 'not_found', `Version ${version} of the ${label} ${id} was not found.`),
  assignmentNotFound: (id: string) => new DomainError('not_found', 'not_found', `The template assignment ${id} was not found.`),
  /** An edit of a committed version: committed versions are immutable, a new version is the way. */
  committed: (label: string, id: string, version: number) =>
    new DomainError(
      'conflict',
      'template_version_committed',
      `Version ${version} of the ${label} ${id} is committed and cannot be changed. Create a new version instead.`,
    ),
  notCommitted: (label: string, id: string, version: number) =>
    new DomainError('invalid', 'template_version_not_committed', `Version ${version} of the ${label} ${id} is not committed; only committed versions can be assigned.`),
  assigned: (label: string, id: string, version?: number) =>
    new DomainError(
      'conflict',
      'template_assigned',
      version === undefined
        ? `The ${label} ${id} has assignments. Remove them before deleting the template.`
        : `Version ${version} of the ${label} ${id} is assigned. Remove or update its assignments first.`,
    ),
  concurrentVersion: (id: string) =>
    new DomainError('conflict', 'conflict', `Another version of template ${id} was created at the same time. Try again.`),
  alreadyAssigned: (templateId: string, target: string) =>
    new DomainError('conflict', 'assignment_exists', `Template ${templateId} is already assigned to ${target}. Update that assignment instead.`),
  busy: (id: string) =>
    new DomainError('conflict', 'assignment_in_progress', `The template assignment ${id} is still running. Wait until its status is succeeded or failed.`),
  targetNotFound: (targetType: string, target: string) =>
    new DomainError('not_found', 'not_found', `${targetType} ${target} is not part of this enterprise.`),
  notEnterprise: (accountId: string) =>
    new DomainError('invalid', 'invalid_request', `Account ${accountId} is not an enterprise account; templates are assigned from the enterprise account.`),
  /** A change in a child account to a resource an enterprise assignment manages. */
  managed: (what: string, id: string, assignmentId: string) =>
    new DomainError(
      'forbidden',
      'enterprise_managed',
      `The ${what} ${id} is managed by the enterprise template assignment ${assignmentId} and cannot be changed or deleted in this account.`,
    ),
};
