import type { Migration } from './types.js';

/**
 * Invitations expire: `invitation_expires_at` (ISO 8601) bounds both ways of accepting. Invitation
 * secrets issued before this version were returned to the inviter and written to the log, so they
 * are revoked here: those invitees accept while signed in as themselves, or are invited again.
 */
export const invitationExpiry: Migration = {
  version: '010_invitation_expiry',
  statements: () => [
    `ALTER TABLE account_users ADD COLUMN invitation_expires_at TEXT`,
    `UPDATE account_users SET invitation_hash = NULL WHERE invitation_hash IS NOT NULL`,
  ],
};
