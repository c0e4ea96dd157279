/**
 * Audit events as the audit API reads them: every mutation's success or failure, as
 * store/unit-of-work.ts and store/audited.ts record them (who, what, on which target, with what
 * outcome, in which request). Events hold no secrets: writers record names and ids, never values.
 */

export const OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof OUTCOMES)[number];

export interface AuditRecord {
  /** Increases with every event written (newest first is highest first). */
  id: number;
  /** When the write committed (ISO 8601, UTC). */
  at: string;
  /** The Transaction-Id of the request that caused it. */
  requestId: string;
  initiatorIamId: string;
  initiatorAccountId: string | null;
  accountId: string;
  /** Catalog-style action, e.g. `iam-identity.apikey.create`. */
  action: string;
  targetType: string;
  targetId: string;
  outcome: AuditOutcome;
  /** Extra facts of the event (names, ids, a failure's `reason`). */
  detail: Record<string, unknown>;
}

/** Which events of one account a listing shows; every field narrows it (all must hold). */
export interface AuditFilter {
  accountId: string;
  /** Events at or after this instant (ISO 8601). */
  from?: string;
  /** Events strictly before this instant (ISO 8601). */
  to?: string;
  initiatorIamId?: string;
  /** An exact action, or a prefix when given as `prefix*` (e.g. `iam-identity.apikey.*`). */
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome;
}

/** One page, newest first: up to `limit` events older than `before` (an event id), and whether more follow. */
export interface AuditWindow {
  limit: number;
  before?: number;
}

export interface AuditSlice {
  items: AuditRecord[];
  more: boolean;
}
