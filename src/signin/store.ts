import type { Db } from '../store/db.js';
import type { Trx } from '../store/unit-of-work.js';

type Executor = Db | Trx;

/** A user's TOTP authenticator as stored (its secret sealed). */
export interface TotpRow {
  sealedSecret: string;
  confirmedAt: string | null;
  lastUsedAt: string | null;
}

/** How many earlier time steps of a user's accepted codes are kept (older ones can no longer validate). */
const KEPT_STEPS = 10;

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

    // ---- TOTP and recovery codes ----------------------------------------------------------------

    async totpOf(iamId: string, ex: Executor = db): Promise<TotpRow | undefined> {
      const row = await ex.selectFrom('mfa_totp').select(['secret', 'confirmed_at', 'last_used_at']).where('iam_id', '=', iamId).executeTakeFirst();
      return row && { sealedSecret: row.secret, confirmedAt: row.confirmed_at, lastUsedAt: row.last_used_at };
    },

    /**
     * Stores a new, unconfirmed authenticator for the user, replacing an unconfirmed one; false (and
     * nothing written) when the user has a confirmed one. One conditional upsert.
     */
    async putPendingTotp(trx: Trx, iamId: string, sealedSecret: string, at: string): Promise<boolean> {
      const result = await trx
        .insertInto('mfa_totp')
        .values({ iam_id: iamId, secret: sealedSecret, created_at: at, confirmed_at: null, last_used_at: null })
        .onConflict((oc) => oc.column('iam_id').doUpdateSet({ secret: sealedSecret, created_at: at }).where('mfa_totp.confirmed_at', 'is', null))
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** Confirms the user's pending authenticator; false when there is none pending. */
    async confirmTotp(trx: Trx, iamId: string, at: string): Promise<boolean> {
      const result = await trx
        .updateTable('mfa_totp')
        .set({ confirmed_at: at, last_used_at: at })
        .where('iam_id', '=', iamId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Removes the user's authenticator, its used steps and recovery codes. */
    async deleteMfa(trx: Trx, iamId: string): Promise<void> {
      await trx.deleteFrom('mfa_totp').where('iam_id', '=', iamId).execute();
      await trx.deleteFrom('mfa_totp_steps').where('iam_id', '=', iamId).execute();
      await trx.deleteFrom('mfa_recovery_codes').where('iam_id', '=', iamId).execute();
    },

    /**
     * Records that the code of time step `step` was accepted; false when it already was (a replay).
     * A conditional insert on the (user, step) key: of concurrent uses of one code exactly one gets
     * true. Also forgets steps too old to validate again.
     */
    async useTotpStep(trx: Trx, iamId: string, step: number, at: string): Promise<boolean> {
      const result = await trx
        .insertInto('mfa_totp_steps')
        .values({ iam_id: iamId, step, used_at: at })
        .onConflict((oc) => oc.columns(['iam_id', 'step']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
      await trx.deleteFrom('mfa_totp_steps').where('iam_id', '=', iamId).where('step', '<', step - KEPT_STEPS).execute();
      await trx.updateTable('mfa_totp').set({ last_used_at: at }).where('iam_id', '=', iamId).execute();
      return true;
    },

    /** Replaces the user's recovery codes by these (hashes). */
    async replaceRecoveryCodes(trx: Trx, iamId: string, hashes: readonly string[], at: string): Promise<void> {
      await trx.deleteFrom('mfa_recovery_codes').where('iam_id', '=', iamId).execute();
      await trx
        .insertInto('mfa_recovery_codes')
        .values(hashes.map((code_hash) => ({ iam_id: iamId, code_hash, created_at: at, used_at: null })))
        .execute();
    },

    /** Spends one recovery code; false when the user has no unused code with that hash. One conditional update. */
    async useRecoveryCode(trx: Trx, iamId: string, codeHash: string, at: string): Promise<boolean> {
      const result = await trx
        .updateTable('mfa_recovery_codes')
        .set({ used_at: at })
        .where('iam_id', '=', iamId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The users (of `iamIds`) with a confirmed authenticator: when it was last used, and unused recovery codes. */
    async enrolments(iamIds: readonly string[], ex: Executor = db): Promise<Map<string, { lastUsedAt: string | null; recoveryCodesLeft: number }>> {
      const out = new Map<string, { lastUsedAt: string | null; recoveryCodesLeft: number }>();
      if (iamIds.length === 0) return out;
      const rows = await ex
        .selectFrom('mfa_totp')
        .select(['iam_id', 'last_used_at'])
        .where('iam_id', 'in', [...iamIds])
        .where('confirmed_at', 'is not', null)
        .execute();
      for (const r of rows) out.set(r.iam_id, { lastUsedAt: r.last_used_at, recoveryCodesLeft: 0 });
      const codes = await ex
        .selectFrom('mfa_recovery_codes')
        .select((eb) => ['iam_id', eb.fn.countAll<string | number>().as('left')])
        .where('iam_id', 'in', [...iamIds])
        .where('used_at', 'is', null)
        .groupBy('iam_id')
        .execute();
      for (const c of codes) {
        const entry = out.get(c.iam_id);
        if (entry) entry.recoveryCodesLeft = Number(c.left);
      }
      return out;
    },

    // ---- browser sessions -----------------------------------------------------------------------

    async insertSession(trx: Trx, row: SessionRow): Promise<void> {
      await trx.insertInto('signin_sessions').values({ ...row, ended_at: null }).execute();
    },

    /**
     * The live session whose secret hashes to `secretHash`, marking it seen at `now`: one
     * conditional update that succeeds only while it is not ended, not past `expires_at`, and was
     * last seen after `idleSince`. Undefined otherwise.
     */
    async touchSession(secretHash: string, now: string, idleSince: string): Promise<SessionRow | undefined> {
      return db
        .updateTable('signin_sessions')
        .set({ last_seen_at: now })
        .where('secret_hash', '=', secretHash)
        .where('ended_at', 'is', null)
        .where('expires_at', '>', now)
        .where('last_seen_at', '>', idleSince)
        .returning(['id', 'secret_hash', 'csrf_hash', 'iam_id', 'account_id', 'authn', 'created_at', 'last_seen_at', 'expires_at'])
        .executeTakeFirst();
    },

    /** The account a live session (by secret hash) belongs to, without touching it; undefined when none. */
    async sessionAccount(secretHash: string): Promise<string | undefined> {
      const row = await db.selectFrom('signin_sessions').select('account_id').where('secret_hash', '=', secretHash).where('ended_at', 'is', null).executeTakeFirst();
      return row?.account_id;
    },

    /** The user's sessions not ended and not past `expires_at`, newest first. */
    async liveSessionsOf(iamId: string, now: string): Promise<SessionRow[]> {
      return db
        .selectFrom('signin_sessions')
        .select(['id', 'secret_hash', 'csrf_hash', 'iam_id', 'account_id', 'authn', 'created_at', 'last_seen_at', 'expires_at'])
        .where('iam_id', '=', iamId)
        .where('ended_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
    },

    /** Ends the user's session `id`; false when it is not theirs or already ended. */
    async endSession(trx: Trx, iamId: string, id: string, at: string): Promise<boolean> {
      const result = await trx
        .updateTable('signin_sessions')
        .set({ ended_at: at })
        .where('id', '=', id)
        .where('iam_id', '=', iamId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

/** A browser session as stored (secrets as hashes). */
export interface SessionRow {
  id: string;
  secret_hash: string;
  csrf_hash: string;
  iam_id: string;
  account_id: string;
  authn: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export type SignInStore = ReturnType<typeof createSignInStore>;
