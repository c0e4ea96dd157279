import type { Migration } from './types.js';

/**
 * The audit API's filters (src/audit/): an account's events by who did them and by what they were
 * done to, newest first, without reading the account's whole trail. (Listing by account alone
 * uses audit_events_by_account of migration 001.)
 */
export const auditReads: Migration = {
  version: '026_audit_reads',
  statements: () => [
    `CREATE INDEX audit_events_by_initiator ON audit_events (account_id, initiator_iam_id, id)`,
    `CREATE INDEX audit_events_by_target ON audit_events (account_id, target_id, id)`,
  ],
};
