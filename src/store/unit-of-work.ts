import type { Transaction } from 'kysely';
import type { Actor } from '../kernel/principal.js';
import { sql } from 'kysely';
import { FEED_CHANNEL, type Db } from './db.js';
import type { Schema } from './schema.js';

export type Trx = Transaction<Schema>;

/** A change to one entity, published on the change feed when the write commits. */
export interface Change {
  entity: string;
  entityId: string;
  accountId: string | null;
  op: 'create' | 'update' | 'delete';
}

/** Who did what to what; recorded for every mutation (never holds secrets). */
export interface AuditEvent {
  requestId: string;
  initiatorIamId: string;
  initiatorAccountId: string | null;
  accountId: string | null;
  /** Catalog-style action, e.g. `iam-identity.apikey.create`. */
  action: string;
  targetType: string;
  targetId: string;
  outcome: 'success' | 'failure';
  detail?: Record<string, unknown>;
}

/** What a service may do inside one write transaction. */
export interface Write {
  trx: Trx;
  /** Publishes a change on the feed, in this transaction. */
  changed(change: Change): void;
  /** Records an audit event, in this transaction. */
  audit(event: Omit<AuditEvent, 'outcome'>): void;
}

export interface Committed<T> {
  value: T;
  /** The feed revision this write produced (the current head if it changed nothing). */
  revision: number;
}

export interface Writer {
  /**
   * Runs `fn` in one transaction, then appends its changes (under a new revision) and audit events
   * in that same transaction. Either all of it commits or none of it does.
   *
   * Contracts (enforced by test/conformance on SQLite and PostgreSQL):
   * - When `fn` throws or any statement fails, nothing of the write remains — no rows, no change
   *   rows, no audit events, no revision consumed — and the error is rethrown as is.
   * - A write that published changes gets exactly one new revision, the previous head + 1, shared
   *   by all its change rows. Revisions are consecutive integers with no gaps or duplicates, also
   *   under concurrent writes from many connections or processes: concurrent writes serialise on the
   *   feed_head row (PostgreSQL: its row lock, held from the increment until commit; SQLite: one
   *   writer at a time), so commits become visible in revision order.
   * - A write that published no changes does not advance the head; it reports the head it read.
   * - Audit events are stored with outcome `success` and the same timestamp as the change rows.
   */
  write<T>(fn: (w: Write) => Promise<T>): Promise<Committed<T>>;
  /**
   * Records the audit event of a refused or failed mutation, outside any (rolled-back) transaction:
   * outcome `failure`, `reason` added to `detail`. Does not touch the feed.
   */
  auditFailure(event: Omit<AuditEvent, 'outcome'>, reason: string): Promise<void>;
}

/**
 * `onCommit` hears the revision of every write that committed changes (after the commit), so the
 * process can wake its change-feed follower and tell the caller which revision it produced.
 */
export function createWriter(
  db: Db,
  now: () => Date = () => new Date(),
  /** Hears each commit that changed something: its revision and the request ids of its audit events. */
  onCommit?: (revision: number, requestIds: readonly string[]) => void,
  /** Send a PostgreSQL notification with each revision (see Database.onFeedCommit). */
  notify = false,
): Writer {
  const insertAudit = (trx: Trx | Db, events: AuditEvent[], at: string) =>
    trx
      .insertInto('audit_events')
      .values(
        events.map((e) => ({
          at,
          request_id: e.requestId,
          initiator_iam_id: e.initiatorIamId,
          initiator_account_id: e.initiatorAccountId,
          account_id: e.accountId,
          action: e.action,
          target_type: e.targetType,
          target_id: e.targetId,
          outcome: e.outcome,
          detail: JSON.stringify(e.detail ?? {}),
        })),
      )
      .execute();

  return {
    async write(fn) {
      const committed = await db.transaction().execute(async (trx) => {
        const changes: Change[] = [];
        const events: AuditEvent[] = [];
        const value = await fn({
          trx,
          changed: (change) => changes.push(change),
          audit: (event) => events.push({ ...event, outcome: 'success' }),
        });
        const at = now().toISOString();
        let revision: number;
        if (changes.length > 0) {
          // The row lock on feed_head orders commits: revisions become visible in increasing order.
          const head = await trx
            .updateTable('feed_head')
            .set((eb) => ({ revision: eb('revision', '+', 1) }))
            .where('id', '=', 1)
            .returning('revision')
            .executeTakeFirstOrThrow();
          revision = Number(head.revision);
          // Delivered at commit to every process listening (PostgreSQL), which then pulls the feed.
          if (notify) await sql`SELECT pg_notify(${FEED_CHANNEL}, ${String(revision)})`.execute(trx);
          await trx
            .insertInto('changes')
            .values(
              changes.map((c) => ({ revision, entity: c.entity, entity_id: c.entityId, account_id: c.accountId, op: c.op, at })),
            )
            .execute();
        } else {
          const head = await trx.selectFrom('feed_head').select('revision').where('id', '=', 1).executeTakeFirstOrThrow();
          revision = Number(head.revision);
        }
        if (events.length > 0) await insertAudit(trx, events, at);
        return { value, revision, changedAnything: changes.length > 0, requestIds: [...new Set(events.map((e) => e.requestId))] };
      });
      if (committed.changedAnything) onCommit?.(committed.revision, committed.requestIds);
      return { value: committed.value, revision: committed.revision };
    },
    async auditFailure(event, reason) {
      await insertAudit(db, [{ ...event, outcome: 'failure', detail: { ...event.detail, reason } }], now().toISOString());
    },
  };
}

/** The audit event of a mutation an actor performs. */
export function auditOf(
  actor: Actor,
  event: { accountId: string | null; action: string; targetType: string; targetId: string; detail?: Record<string, unknown> },
): Omit<AuditEvent, 'outcome'> {
  return {
    requestId: actor.requestId,
    initiatorIamId: actor.principal.iamId,
    initiatorAccountId: actor.principal.accountId,
    ...event,
  };
}
