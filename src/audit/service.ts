import { decodeCursor, encodeCursor, limitOf } from '../kernel/cursor.js';
import type { Actor } from '../kernel/principal.js';
import { accountTarget, PAGE_LIMITS, READ_ACTION, type AuditContext } from './context.js';
import { auditErrors } from './errors.js';
import type { AuditFilter, AuditOutcome, AuditRecord } from './types.js';

/**
 * The audit API: an account's audit events, newest first, filtered and paged by an opaque cursor.
 * Decided by the PDP on `iam-identity.audit.read` on the account; an account other than the
 * caller's is refused (403) whether it exists or not. Reads are not themselves audited.
 */

export interface AuditQuery {
  accountId: string;
  limit?: number;
  /** The cursor of a previous page's `next`. */
  start?: string;
  from?: string;
  to?: string;
  initiatorIamId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome;
}

export interface AuditPage {
  limit: number;
  events: AuditRecord[];
  /** The cursor of the next page, while more events pass the filters. */
  next?: string;
}

/** A cursor carries the id of the last event shown: the next page starts below it. */
const isCursor = (value: unknown): value is { before: number } =>
  typeof value === 'object' &&
  value !== null &&
  Number.isSafeInteger((value as { before?: unknown }).before) &&
  (value as { before: number }).before > 0;

/** An instant in the stored form (ISO 8601 UTC with milliseconds), so text order is time order. */
function instantOf(name: string, text: string): string {
  // Date.parse accepts far more than ISO 8601; the pattern keeps the contract what the message says.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)) throw auditErrors.badTime(name);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw auditErrors.badTime(name);
  return new Date(ms).toISOString();
}

export function createAuditService(ctx: AuditContext) {
  return {
    async list(actor: Actor, query: AuditQuery): Promise<AuditPage> {
      await ctx.authorizer.authorize(actor.principal, READ_ACTION, accountTarget(query.accountId), actor.environment);
      const limit = limitOf(query.limit, PAGE_LIMITS);
      const cursor = query.start === undefined ? undefined : decodeCursor(query.start, isCursor, auditErrors.badStart);
      const filter: AuditFilter = { accountId: query.accountId };
      if (query.from !== undefined) filter.from = instantOf('from', query.from);
      if (query.to !== undefined) filter.to = instantOf('to', query.to);
      if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) throw auditErrors.badRange();
      if (query.action !== undefined) {
        if (query.action.indexOf('*') !== -1 && query.action.indexOf('*') !== query.action.length - 1) throw auditErrors.badAction();
        filter.action = query.action;
      }
      if (query.initiatorIamId !== undefined) filter.initiatorIamId = query.initiatorIamId;
      if (query.targetType !== undefined) filter.targetType = query.targetType;
      if (query.targetId !== undefined) filter.targetId = query.targetId;
      if (query.outcome !== undefined) filter.outcome = query.outcome;
      const slice = await ctx.store.listEvents(filter, { limit, ...(cursor ? { before: cursor.before } : {}) });
      const last = slice.items.at(-1);
      return { limit, events: slice.items, ...(slice.more && last ? { next: encodeCursor({ before: last.id }) } : {}) };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
