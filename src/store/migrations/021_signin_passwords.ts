import type { Migration } from './types.js';

/**
 * Sign-in with passwords: each user's argon2id password hash (one row per user; setting a password
 * is an upsert on the IAM id), e-mailed password-reset links (only the SHA-256 of the secret is
 * stored; spending one is a conditional delete), and how a refresh token's sign-in was made
 * (`authn`, JSON of grant type and MFA level; NULL for API-key grants), so a refresh keeps it.
 */
export const signinPasswords: Migration = {
  version: '021_signin_passwords',
  statements: () => [
    `CREATE TABLE user_passwords (iam_id TEXT PRIMARY KEY, hash TEXT NOT NULL, updated_at TEXT NOT NULL)`,
    `CREATE TABLE password_resets (
      token_hash TEXT PRIMARY KEY, iam_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
    `CREATE INDEX password_resets_by_iam_id ON password_resets (iam_id)`,
    `ALTER TABLE refresh_tokens ADD COLUMN authn TEXT`,
  ],
};
