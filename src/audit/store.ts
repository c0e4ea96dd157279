import { sql, type Selectable } from 'kysely';
import type { Db } from '../store/db.js';
import type { AuditEventsTable } from '../store/schema.js';
import type { AuditFilter, AuditOutcome, AuditRecord, AuditSlice, AuditWindow } from './types.js';

/**
 * Reads of the audit trail (the table store/unit-of-work.ts writes; this store never writes it).
 * Contracts, enforced by test/conformance/audit.test.ts on SQLite and PostgreSQL:
 * - listEvents returns the account's events that pass every filter, newest first (highest id
 *   first), at most `limit` of them and only those with an id below `before` when given; `more`
 *   says whether another event passes the filters after the last one returned;
 * - an action filter ending in `*` matches every action that starts with what precedes it, case
 *   sensitively on both databases (no LIKE, whose case rules differ); any other action matches
 *   exactly;
 * - `from` is inclusive and `to` exclusive, compared with the stored ISO 8601 UTC timestamps.
 */

type Row = Selectable<AuditEventsTable>;

const recordOf = (row: Row): AuditRecord => ({
  id: Number(row.id),
  at: row.at,
  requestId: row.request_id,
  initiatorIamId: row.initiator_iam_id,
  initiatorAccountId: row.initiator_account_id,
  accountId: row.account_id ?? '',
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  outcome: row.outcome as AuditOutcome,
  detail: JSON.parse(row.detail) as Record<string, unknown>,
});

export function createAuditStore(db: Db) {
  return {
    async listEvents(filter: AuditFilter, window: AuditWindow): Promise<AuditSlice> {
      let query = db.selectFrom('audit_events').selectAll().where('account_id', '=', filter.accountId);
      if (window.before !== undefined) query = query.where('id', '<', window.before);
      if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('at', '<', filter.to);
      if (filter.initiatorIamId !== undefined) query = query.where('initiator_iam_id', '=', filter.initiatorIamId);
      if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
      if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
      if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
      if (filter.action !== undefined) {
        if (filter.action.endsWith('*')) {
          const prefix = filter.action.slice(0, -1);
          query = query.where(sql<string>`substr(action, 1, ${prefix.length})`, '=', prefix);
        } else {
          query = query.where('action', '=', filter.action);
        }
      }
      const rows = await query.orderBy('id', 'desc').limit(window.limit + 1).execute();
      return { items: rows.slice(0, window.limit).map(recordOf), more: rows.length > window.limit };
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
