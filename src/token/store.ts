import type { Db } from '../store/db.js';
import type { SigningKeysTable, RefreshTokensTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';

export type SigningKeyRow = SigningKeysTable;
export type RefreshTokenRow = RefreshTokensTable;

/** SQL of the token domain: signing keys and refresh tokens. */
export function createTokenStore(db: Db) {
  return {
    // ---- signing keys -------------------------------------------------------------------------

    /** Every stored signing key, newest first (created_at, then kid). */
    async listSigningKeys(executor: Db | Trx = db): Promise<SigningKeyRow[]> {
      return executor.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
    },

    /**
     * Replaces a stored private key by `sealed` (under the current KEK) if it still holds `from`;
     * false when another node replaced it first or the row is gone.
     */
    async resealSigningKey(trx: Trx, kid: string, from: string, sealed: string): Promise<boolean> {
      const result = await trx
        .updateTable('signing_keys')
        .set({ private_key: sealed, private_key_encryption: 'aes-256-gcm' })
        .where('kid', '=', kid)
        .where('private_key', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Serialises key creation across processes until `trx` ends: a no-op update of the change-feed
     * head row, which every writer locks anyway (a row lock on PostgreSQL, the write lock on SQLite).
     */
    async lockSigningKeys(trx: Trx): Promise<void> {
      await trx.updateTable('feed_head').set((eb) => ({ revision: eb.ref('revision') })).where('id', '=', 1).execute();
    },

    async insertSigningKey(trx: Trx, row: SigningKeyRow): Promise<void> {
      await trx.insertInto('signing_keys').values(row).execute();
    },

    /** Sets when a key stopped signing and when it leaves the JWKS. */
    async supersedeSigningKey(trx: Trx, kid: string, retiresAt: string, expiresAt: string): Promise<void> {
      await trx.updateTable('signing_keys').set({ retires_at: retiresAt, expires_at: expiresAt }).where('kid', '=', kid).execute();
    },

    /** Removes keys whose every token has expired. */
    async deleteExpiredSigningKeys(trx: Trx, now: string): Promise<void> {
      await trx.deleteFrom('signing_keys').where('expires_at', '<=', now).execute();
    },

    /** Stores refresh tokens (already hashed), in one statement per 500 rows. */
    async insertRefreshTokens(rows: RefreshTokenRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += 500) {
        await db.insertInto('refresh_tokens').values(rows.slice(i, i + 500)).execute();
      }
    },

    /** Whose unspent refresh token hashes to `tokenHash` (its account and identity), without spending it; undefined when none. */
    async refreshTokenHolder(tokenHash: string): Promise<{ accountId: string; iamId: string } | undefined> {
      const row = await db
        .selectFrom('refresh_tokens')
        .select(['account_id', 'iam_id'])
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return row && { accountId: row.account_id, iamId: row.iam_id };
    },

    /**
     * Consume-once: marks the unspent refresh token spent at `now` and returns it. Of concurrent
     * callers presenting the same token, exactly one gets the row; the others, and every later
     * caller, get undefined. The spent row stays (until it expires) so that a reuse is recognised.
     */
    async consumeRefreshToken(tokenHash: string, now: string): Promise<RefreshTokenRow | undefined> {
      return db
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
    },

    /** The family and expiry of a refresh token that was already spent; undefined when the token is unknown or unspent. */
    async spentRefreshToken(tokenHash: string): Promise<{ family: string; expiresAt: string } | undefined> {
      const row = await db
        .selectFrom('refresh_tokens')
        .select(['token_hash', 'family', 'expires_at'])
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is not', null)
        .executeTakeFirst();
      return row && { family: row.family ?? row.token_hash, expiresAt: row.expires_at };
    },

    /**
     * Revokes a refresh-token family (a spent token of it was presented again): every token of it,
     * also those still being written behind, is refused from now on. Idempotent; the row is kept
     * until `expiresAt`, the longest any token of the family can live.
     */
    async revokeRefreshFamily(family: string, at: string, expiresAt: string): Promise<void> {
      await db
        .insertInto('refresh_families_revoked')
        .values({ family, revoked_at: at, expires_at: expiresAt })
        .onConflict((oc) => oc.column('family').doNothing())
        .execute();
    },

    /** Whether the refresh-token family was revoked. */
    async refreshFamilyRevoked(family: string): Promise<boolean> {
      return (await db.selectFrom('refresh_families_revoked').select('family').where('family', '=', family).executeTakeFirst()) !== undefined;
    },

    /** Removes refresh tokens (spent or not) and revoked families whose time is over at `now`. */
    async deleteExpiredRefreshTokens(now: string): Promise<void> {
      await db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).execute();
      await db.deleteFrom('refresh_families_revoked').where('expires_at', '<=', now).execute();
    },

  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
