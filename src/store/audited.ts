import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import { DomainError } from '../kernel/errors.js';
import type { Actor } from '../kernel/principal.js';
import { asUnavailable } from './unavailable.js';
import { auditOf, type AuditEvent, type Write, type Writer } from './unit-of-work.js';

/**
 * The one audited mutation every domain uses: authorize, write (changes, change-feed entries and
 * the success event in one transaction, through the Writer), and a failure event for whatever the
 * mutation throws instead.
 */

/**
 * What an audit event of a mutation is about. Operations by id start with `accountId` null (or a
 * `targetId` not yet known, for creates) and fill it in as soon as they know it, so that a refusal
 * after that names the account and the target.
 */
export interface AuditSubject {
  action: string;
  targetType: string;
  targetId: string;
  accountId: string | null;
  /** Details every event of the mutation carries, its failure event too (a commit may add more). */
  detail?: Record<string, unknown>;
}

/** Event details, or a function of the write's result that gives them. */
export type Detail<R> = Record<string, unknown> | ((value: R) => Record<string, unknown> | undefined);

/** Runs the mutation's write: `fn`'s changes, its change-feed entries and the subject's success event commit together. */
export type Commit = <R>(fn: (w: Write) => Promise<R>, detail?: Detail<R>) => Promise<R>;

/** Records the success event of one item of a write that acts on several targets (e.g. each invited user). */
export type RecordItem = (w: Write, targetId: string, detail?: Record<string, unknown>) => void;

export interface MutationTools {
  /** Asks the authorizer for the actor's `action` on `target`; a refusal fails the mutation (and is audited). */
  authorize(action: string, target: AccessTarget): Promise<void>;
  /**
   * Runs the mutation's write when it acts on several targets: instead of the subject's one event,
   * `fn` records one success event per target with `record` (same action and target type).
   */
  commitEach<R>(fn: (w: Write, record: RecordItem) => Promise<R>): Promise<R>;
}

export interface AuditedDeps {
  writer: Writer;
  authorizer: Authorizer;
  /**
   * Called with each committed write's change-feed revision before the mutation returns; e.g. the
   * catalog waits until this node's decision point has applied it.
   */
  afterCommit?: (revision: number) => Promise<void>;
}

export type Audited = <T>(actor: Actor, subject: AuditSubject, run: (commit: Commit, tools: MutationTools) => Promise<T>) => Promise<T>;

/**
 * `audited(actor, subject, run)`: `run` validates, authorizes (outside any transaction) and then
 * commits its write. Whatever `run` throws is recorded as a failure event of `subject` — outcome
 * `failure`, `reason` the error's code and message — and rethrown; except when the database is
 * unavailable (DomainError kind `unavailable`, or a driver error that means it): a failure event
 * would only wait on the same database again, so none is attempted.
 */
export function createAudited(deps: AuditedDeps): Audited {
  return async (actor, subject, run) => {
    const eventOf = (more?: Record<string, unknown>, targetId = subject.targetId): Omit<AuditEvent, 'outcome'> => {
      const detail = subject.detail || more ? { ...subject.detail, ...more } : undefined;
      const { action, targetType, accountId } = subject;
      return auditOf(actor, { action, targetType, targetId, accountId, ...(detail ? { detail } : {}) });
    };
    const committed = async <R>(written: Promise<{ value: R; revision: number }>) => {
      const { value, revision } = await written;
      await deps.afterCommit?.(revision);
      return value;
    };
    const commit: Commit = (fn, detail) =>
      committed(
        deps.writer.write(async (w) => {
          const result = await fn(w);
          w.audit(eventOf(typeof detail === 'function' ? detail(result) : detail));
          return result;
        }),
      );
    const tools: MutationTools = {
      authorize: (action, target) => deps.authorizer.authorize(actor.principal, action, target, actor.environment),
      commitEach: (fn) => committed(deps.writer.write((w) => fn(w, (ww, targetId, detail) => ww.audit(eventOf(detail, targetId))))),
    };
    try {
      return await run(commit, tools);
    } catch (error) {
      if (!isUnavailable(error)) await deps.writer.auditFailure(eventOf(), reasonOf(error));
      throw error;
    }
  };
}

const isUnavailable = (error: unknown) =>
  (error instanceof DomainError && error.kind === 'unavailable') || asUnavailable(error) !== undefined;

/** The failure's code and message; an unexpected error's text stays in the log, not the audit trail. */
const reasonOf = (error: unknown) => (error instanceof DomainError ? `${error.code}: ${error.message}` : 'internal error');

/**
 * The action names, authorization targets and audit subjects of one resource type of a service
 * (`service.type.verb`), for domains whose operations each act on one such resource.
 */
export function resourceKind(serviceName: string, resourceType: string) {
  const action = (verb: string) => `${serviceName}.${resourceType}.${verb}`;
  return {
    action,
    targetOf: (accountId: string, id?: string): AccessTarget => ({
      accountId,
      serviceName,
      resourceType,
      ...(id !== undefined ? { resource: id } : {}),
    }),
    subjectOf: (verb: string, id: string, accountId: string | null): AuditSubject => ({
      action: action(verb),
      targetType: resourceType,
      targetId: id,
      accountId,
    }),
  };
}
