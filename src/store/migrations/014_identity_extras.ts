import type { Migration } from './types.js';

/**
 * Identity extras: per-account identity preferences (one row per account, identity, service and
 * preference; writes are upserts on that key) and inactive-identity activity reports (a job row
 * that any node answers from: `running` until the computing node stores the result).
 */
export const identityExtras: Migration = {
  version: '014_identity_extras',
  statements: () => [
    `CREATE TABLE identity_preferences (
      account_id TEXT NOT NULL, iam_id TEXT NOT NULL, service TEXT NOT NULL, preference_id TEXT NOT NULL,
      value_string TEXT, value_list TEXT, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
      PRIMARY KEY (account_id, iam_id, service, preference_id))`,
    `CREATE TABLE identity_reports (
      reference TEXT PRIMARY KEY, account_id TEXT NOT NULL, type TEXT NOT NULL, duration_hours INTEGER NOT NULL,
      status TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, completed_at TEXT, result TEXT)`,
    `CREATE INDEX identity_reports_account ON identity_reports (account_id, created_at)`,
  ],
};
