import { DomainError } from '../kernel/errors.js';
import type { ResourceError } from './types.js';

/**
 * Errors of the template mechanics every kind shares. Kind-specific texts (IBM's exact refusal of
 * a committed version, each API's not-found codes) come from the kind itself (TemplateKind).
 */
export const templateErrors = {
  nameTaken: (name: string) => new DomainError('conflict', 'template_conflict_error', `A template with the name '${name}' already exists in this account.`),
  /** A template or version that assignments still use cannot be deleted. */
  assigned: (id: string, version?: number) =>
    new DomainError(
      'conflict',
      'template_assigned',
      version === undefined
        ? `Template '${id}' is assigned; remove its assignments before deleting it.`
        : `Template '${id}' version '${version}' is assigned; remove its assignments before deleting it.`,
    ),
  notCommitted: (id: string, version: number) =>
    new DomainError('invalid', 'template_not_committed', `Template '${id}' version '${version}' is not committed; only committed versions can be assigned.`),
  notEnterprise: (accountId: string) =>
    new DomainError('invalid', 'invalid_target', `Account ${accountId} is not an enterprise account; only templates of an enterprise account can be assigned.`),
  badTarget: (type: string, target: string) =>
    new DomainError('invalid', 'invalid_target', `${type} ${target} is not an active ${type === 'Account' ? 'child account' : 'account group'} of this enterprise.`),
  alreadyAssigned: (templateId: string, type: string, target: string) =>
    new DomainError('conflict', 'assignment_conflict_error', `Template '${templateId}' is already assigned to ${type} ${target}.`),
  inProgress: (id: string) => new DomainError('conflict', 'assignment_in_progress', `Assignment ${id} is in progress; try again when it has finished.`),
  /** A run that stopped with its server (core.ts, recovery): what happened and how to retry. */
  interrupted: (id: string, operation: string) =>
    new DomainError(
      'unavailable',
      'assignment_interrupted',
      `The server running this ${operation === 'create' ? 'assignment' : operation === 'remove' ? 'removal' : 'update'} of assignment ${id} stopped before it finished in this account; ${operation === 'remove' ? 'delete the assignment again' : 'update the assignment (the same version applies it again)'} to retry.`,
    ),
  /**
   * A managed resource changed or deleted other than through its assignment. `what` names it
   * (`Policy 1234…`); the text is the same for every kind.
   */
  managed: (what: string) =>
    new DomainError('forbidden', 'enterprise_managed', `${what} is managed by an enterprise template assignment and can only be changed or deleted through that assignment.`),
  /**
   * A change to a managed resource that its template's action controls do not leave to the child
   * account. `what` names the resource (`The access group …`), `change` the change (`adding members`).
   */
  controlled: (what: string, assignmentId: string, change: string) =>
    new DomainError(
      'forbidden',
      'enterprise_managed',
      `${what} is managed by the enterprise template assignment ${assignmentId}: ${change} is not allowed in this account by the template's action controls.`,
    ),
};

/** The resource key under which an account reports a run that stopped with its server before it finished there. */
export const INTERRUPTED_KEY = 'interrupted';

/** A failure of one managed resource of an apply: the runner reports it under `key`. */
export class ResourceFailure extends Error {
  constructor(
    readonly key: string,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ResourceFailure';
  }
}

/** Wraps what `run` throws as the failure of resource `key` (a kind names the resource it was making). */
export async function resourceFailure<T>(key: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof ResourceFailure ? error : new ResourceFailure(key, error);
  }
}

/** How a resource's failure is reported: a domain error's kind, code and message; anything else is opaque. */
export function resourceErrorOf(error: unknown): ResourceError {
  const cause = error instanceof ResourceFailure ? error.cause : error;
  if (cause instanceof DomainError) return { kind: cause.kind, code: cause.code, message: cause.message };
  return { kind: 'internal', code: 'internal_error', message: 'Internal error.' };
}
