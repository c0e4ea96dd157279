import type { Db } from '../store/db.js';
import type { SigningKeysTable, RefreshTokensTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';

export type SigningKeyRow = SigningKeysTable;
export type RefreshTokenRow = RefreshTokensTable;

/**
 * What a grant needs to know about an API key and the identity it authenticates as, read in one
 * query (one round trip on PostgreSQL). Columns of the joined tables are null when the row is
 * missing: no service ID / user with that IAM id, no membership in the key's account, no settings.
 */
export interface GrantSubjectRow {
  keyId: string;
  iamId: string;
  accountId: string;
  ownerType: string;
  disabled: number;
  locked: number;
  expiresAt: string | null;
  serviceId: string | null;
  serviceIdLocked: number | null;
  serviceIdName: string | null;
  serviceIdAccountId: string | null;
  userId: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  realm: string | null;
  membership: string | null;
  /** The key's account's settings JSON (IBM wire names). */
  settings: string | null;
}

export interface ActivityUpdate {
  apiKeyId: string;
  count: number;
  lastAuthn: string;
}

/** SQL of the token domain: signing keys, refresh tokens and the reads grants and bearer checks need. */
export function createTokenStore(db: Db) {
  const grantSubjects = () =>
    db
      .selectFrom('api_keys as k')
      .leftJoin('service_ids as s', 's.iam_id', 'k.iam_id')
      .leftJoin('users as u', 'u.iam_id', 'k.iam_id')
      .leftJoin('account_users as m', (join) => join.onRef('m.iam_id', '=', 'k.iam_id').onRef('m.account_id', '=', 'k.account_id'))
      .leftJoin('account_settings as st', 'st.account_id', 'k.account_id')
      .select([
        'k.id as keyId',
        'k.iam_id as iamId',
        'k.account_id as accountId',
        'k.owner_type as ownerType',
        'k.disabled as disabled',
        'k.locked as locked',
        'k.expires_at as expiresAt',
        's.id as serviceId',
        's.locked as serviceIdLocked',
        's.name as serviceIdName',
        's.account_id as serviceIdAccountId',
        'u.user_id as userId',
        'u.email as email',
        'u.first_name as firstName',
        'u.last_name as lastName',
        'u.realm as realm',
        'm.state as membership',
        'st.settings as settings',
      ]);

  // The hot query of every grant, built and compiled once; each call only binds the hash.
  const byKeyHash = grantSubjects().where('k.key_hash', '=', '').compile();

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

    // ---- grants -------------------------------------------------------------------------------

    /** The API key with this value hash and its identity; undefined when no key has it. */
    async grantSubjectByKeyHash(keyHash: string): Promise<GrantSubjectRow | undefined> {
      const { rows } = await db.executeQuery<GrantSubjectRow>({ ...byKeyHash, parameters: [keyHash] });
      return rows[0];
    },

    /** The API key with this id and its identity; undefined when it was deleted. */
    async grantSubjectByKeyId(keyId: string): Promise<GrantSubjectRow | undefined> {
      return grantSubjects().where('k.id', '=', keyId).executeTakeFirst();
    },

    /**
     * What a grant needs to know about a user signed in to an account without an API key (password
     * grant, or a refresh of one): the user and their membership and the account's settings, in the
     * GrantSubjectRow shape with no key (`keyId` empty, never disabled, locked or expiring).
     * Undefined when no user has that IAM id.
     */
    async grantSubjectByUser(iamId: string, accountId: string): Promise<GrantSubjectRow | undefined> {
      const row = await db
        .selectFrom('users as u')
        .leftJoin('account_users as m', (join) => join.onRef('m.iam_id', '=', 'u.iam_id').on('m.account_id', '=', accountId))
        .leftJoin('account_settings as st', (join) => join.on('st.account_id', '=', accountId))
        .select(['u.user_id as userId', 'u.email as email', 'u.first_name as firstName', 'u.last_name as lastName', 'u.realm as realm', 'm.state as membership', 'st.settings as settings'])
        .where('u.iam_id', '=', iamId)
        .executeTakeFirst();
      return (
        row && {
          ...row,
          keyId: '',
          iamId,
          accountId,
          ownerType: 'user',
          disabled: 0,
          locked: 0,
          expiresAt: null,
          serviceId: null,
          serviceIdLocked: null,
          serviceIdName: null,
          serviceIdAccountId: null,
        }
      );
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

    /** Adds authentications to API keys' activity (keys deleted meanwhile are skipped). */
    async recordActivity(updates: ActivityUpdate[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        for (const u of updates) {
          await trx
            .updateTable('api_keys')
            .set((eb) => ({ authn_count: eb('authn_count', '+', u.count), last_authn: u.lastAuthn }))
            .where('id', '=', u.apiKeyId)
            .execute();
        }
      });
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
