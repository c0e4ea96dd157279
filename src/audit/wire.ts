import { listingUrl } from '../http/query.js';
import type { AuditRecord } from './types.js';

/** Audit records in the API's JSON. */
export const auditEventWire = (e: AuditRecord) => ({
  id: String(e.id),
  time: e.at,
  request_id: e.requestId,
  initiator: { iam_id: e.initiatorIamId, account_id: e.initiatorAccountId },
  account_id: e.accountId,
  action: e.action,
  target: { type: e.targetType, id: e.targetId },
  outcome: e.outcome,
  details: e.detail,
});

/**
 * The links of a page: `first` is the listing without a cursor, `next` the same listing from the
 * next cursor (absent on the last page). `query` is the request's query string as received.
 */
export function pageLinksOf(baseUrl: string, query: Record<string, unknown>, next: string | undefined) {
  const href = (start?: string) => listingUrl(`${baseUrl}/v1/audit_events`, query, { start });
  return { first: { href: href() }, ...(next !== undefined ? { next: { href: href(next), start: next } } : {}) };
}
