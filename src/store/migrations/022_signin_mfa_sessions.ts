import type { Migration } from './types.js';

/**
 * Sign-in, second factor and sessions:
 * - `mfa_totp`: each user's TOTP authenticator (one per user), its secret sealed under the
 *   key-encryption key; unconfirmed until a first code proves the user holds it.
 * - `mfa_totp_steps`: the time steps whose codes were accepted, one row each: a code is accepted
 *   once (the primary key settles concurrent attempts), and old steps are purged.
 * - `mfa_recovery_codes`: single-use recovery codes (SHA-256 hashes), spent by a conditional update.
 * - `signin_sessions`: browser sessions (the cookie's secret and CSRF token stored as hashes), with
 *   their absolute expiry and last activity for the account's inactivity limit.
 */
export const signinMfaSessions: Migration = {
  version: '022_signin_mfa_sessions',
  statements: (t) => [
    `CREATE TABLE mfa_totp (
      iam_id TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at TEXT NOT NULL, confirmed_at TEXT, last_used_at TEXT)`,
    `CREATE TABLE mfa_totp_steps (iam_id TEXT NOT NULL, step ${t.bigint} NOT NULL, used_at TEXT NOT NULL, PRIMARY KEY (iam_id, step))`,
    `CREATE TABLE mfa_recovery_codes (
      iam_id TEXT NOT NULL, code_hash TEXT NOT NULL, created_at TEXT NOT NULL, used_at TEXT, PRIMARY KEY (iam_id, code_hash))`,
    `CREATE TABLE signin_sessions (
      id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL UNIQUE, csrf_hash TEXT NOT NULL, iam_id TEXT NOT NULL, account_id TEXT NOT NULL,
      authn TEXT NOT NULL, created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, expires_at TEXT NOT NULL, ended_at TEXT)`,
    `CREATE INDEX signin_sessions_by_iam_id ON signin_sessions (iam_id, created_at)`,
  ],
};
