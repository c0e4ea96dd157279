import type { Migration } from './types.js';

/**
 * Sign-in hardening:
 * - `webauthn_credentials`: each user's passkeys (several per user, named uniquely per user), the
 *   COSE public key and the signature counter last seen (updated conditionally, so two uses of one
 *   assertion cannot both move it).
 * - `webauthn_challenges`: challenges handed out for a registration or an authentication, bound
 *   to the user (and the account signed in to), spent once by a conditional delete, expiring.
 * - `signin_failures`: failed sign-ins per login and per client address (keys are digests), a
 *   fixed window and the lock it leads to; counted by one conditional upsert, shared by every node.
 * - `signin_revocations`: per identity and account (`*`: every account), the instant before which
 *   its sessions and tokens no longer count (a password reset or change, MFA removed: everywhere;
 *   the user removed from an account: there).
 * - `refresh_tokens.family` and `used_at`: a refresh keeps the family and marks the spent token
 *   instead of deleting it, so that presenting a spent one is recognised as reuse; reuse revokes
 *   the family (`refresh_families_revoked`, durable even for tokens still being written behind).
 * - `signin_sessions.end_reason`: why a session ended (logout, revoked, expired, idle).
 */
export const signinHardening: Migration = {
  version: '024_signin_hardening',
  statements: (t) => [
    `CREATE TABLE webauthn_credentials (
      id TEXT PRIMARY KEY, credential_id TEXT NOT NULL UNIQUE, iam_id TEXT NOT NULL, name TEXT NOT NULL, public_key TEXT NOT NULL,
      counter ${t.bigint} NOT NULL, transports TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT, UNIQUE (iam_id, name))`,
    `CREATE TABLE webauthn_challenges (
      challenge TEXT PRIMARY KEY, purpose TEXT NOT NULL, iam_id TEXT NOT NULL, account_id TEXT, expires_at TEXT NOT NULL)`,
    `CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at)`,
    `CREATE TABLE signin_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_ends_at TEXT NOT NULL, locked_until TEXT)`,
    `CREATE TABLE signin_revocations (iam_id TEXT NOT NULL, account_id TEXT NOT NULL, not_before TEXT NOT NULL, PRIMARY KEY (iam_id, account_id))`,
    `ALTER TABLE refresh_tokens ADD COLUMN family TEXT`,
    `ALTER TABLE refresh_tokens ADD COLUMN used_at TEXT`,
    `CREATE TABLE refresh_families_revoked (family TEXT PRIMARY KEY, revoked_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
    `ALTER TABLE signin_sessions ADD COLUMN end_reason TEXT`,
  ],
};
