import type { Db } from '../store/db.js';
import type { Trx } from '../store/unit-of-work.js';

type Executor = Db | Trx;

/** The user a sign-in names, with what the password grant checks. */
export interface SignInUser {
  iamId: string;
  userId: string;
  email: string;
}

/** SQL of sign-in: password hashes, password-reset links, and the memberships a sign-in may enter. */
export function createSignInStore(db: Db) {
  return {
    // ---- passwords ------------------------------------------------------------------------------

    /** The user whose login (`user_id`) is `login`, or undefined. */
    async userByLogin(login: string, ex: Executor = db): Promise<SignInUser | undefined> {
      const row = await ex.selectFrom('users').select(['iam_id', 'user_id', 'email']).where('user_id', '=', login).executeTakeFirst();
      return row && { iamId: row.iam_id, userId: row.user_id, email: row.email };
    },

    /** The user with that IAM id, or undefined. */
    async userById(iamId: string, ex: Executor = db): Promise<SignInUser | undefined> {
      const row = await ex.selectFrom('users').select(['iam_id', 'user_id', 'email']).where('iam_id', '=', iamId).executeTakeFirst();
      return row && { iamId: row.iam_id, userId: row.user_id, email: row.email };
    },

    /** The user's password hash, or undefined when they have none. */
    async passwordHash(iamId: string, ex: Executor = db): Promise<string | undefined> {
      const row = await ex.selectFrom('user_passwords').select('hash').where('iam_id', '=', iamId).executeTakeFirst();
      return row?.hash;
    },

    /** Sets (or replaces) the user's password hash: one upsert on the IAM id. */
    async setPasswordHash(trx: Trx, iamId: string, hash: string, at: string): Promise<void> {
      await trx
        .insertInto('user_passwords')
        .values({ iam_id: iamId, hash, updated_at: at })
        .onConflict((oc) => oc.column('iam_id').doUpdateSet({ hash, updated_at: at }))
        .execute();
    },

    /** The accounts the user is an ACTIVE member of, in id order. */
    async activeAccountsOf(iamId: string, ex: Executor = db): Promise<string[]> {
      const rows = await ex
        .selectFrom('account_users')
        .select('account_id')
        .where('iam_id', '=', iamId)
        .where('state', '=', 'ACTIVE')
        .orderBy('account_id')
        .execute();
      return rows.map((r) => r.account_id);
    },

    // ---- password resets ------------------------------------------------------------------------

    /**
     * Stores a reset link (its secret's hash) and drops the user's earlier ones (only the newest link
     * works) and every link that expired before its creation (the purge).
     */
    async replaceReset(trx: Trx, row: { tokenHash: string; iamId: string; createdAt: string; expiresAt: string }): Promise<void> {
      await trx
        .deleteFrom('password_resets')
        .where((eb) => eb.or([eb('iam_id', '=', row.iamId), eb('expires_at', '<=', row.createdAt)]))
        .execute();
      await trx
        .insertInto('password_resets')
        .values({ token_hash: row.tokenHash, iam_id: row.iamId, created_at: row.createdAt, expires_at: row.expiresAt })
        .execute();
    },

    /**
     * Consume-once: deletes the reset link with that hash if it has not expired at `now` and returns
     * its user. Of concurrent callers presenting the same link, exactly one gets the user; an expired
     * link is left for the purge and answers undefined.
     */
    async consumeReset(trx: Trx, tokenHash: string, now: string): Promise<string | undefined> {
      const row = await trx
        .deleteFrom('password_resets')
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', now)
        .returning('iam_id')
        .executeTakeFirst();
      return row?.iam_id;
    },
  };
}

export type SignInStore = ReturnType<typeof createSignInStore>;
