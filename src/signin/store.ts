import { sql } from 'kysely';
import type { Db } from '../store/db.js';
import type { WebAuthnCredentialsTable } from '../store/schema.js';
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

    /** The accounts the user is an ACTIVE member of, with their names, by name then id (the console's account switcher). */
    async activeMembershipsOf(iamId: string): Promise<{ id: string; name: string }[]> {
      return db
        .selectFrom('account_users as m')
        .innerJoin('accounts as a', 'a.id', 'm.account_id')
        .select(['a.id as id', 'a.name as name'])
        .where('m.iam_id', '=', iamId)
        .where('m.state', '=', 'ACTIVE')
        .orderBy('a.name')
        .orderBy('a.id')
        .execute();
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

    /**
     * The users (of `iamIds`) with a second factor: whether they hold a confirmed TOTP authenticator,
     * how many passkeys, when a factor was last used, and their unused recovery codes.
     */
    async enrolments(iamIds: readonly string[], ex: Executor = db): Promise<Map<string, Enrolment>> {
      const out = new Map<string, Enrolment>();
      if (iamIds.length === 0) return out;
      const rows = await ex
        .selectFrom('mfa_totp')
        .select(['iam_id', 'last_used_at'])
        .where('iam_id', 'in', [...iamIds])
        .where('confirmed_at', 'is not', null)
        .execute();
      for (const r of rows) out.set(r.iam_id, { totp: true, passkeys: 0, lastUsedAt: r.last_used_at, recoveryCodesLeft: 0 });
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
      const passkeys = await ex
        .selectFrom('webauthn_credentials')
        .select((eb) => ['iam_id', eb.fn.countAll<string | number>().as('n'), eb.fn.max('last_used_at').as('last')])
        .where('iam_id', 'in', [...iamIds])
        .groupBy('iam_id')
        .execute();
      for (const p of passkeys) {
        const entry = out.get(p.iam_id) ?? { totp: false, passkeys: 0, lastUsedAt: null, recoveryCodesLeft: 0 };
        entry.passkeys = Number(p.n);
        if (p.last && (entry.lastUsedAt === null || p.last > entry.lastUsedAt)) entry.lastUsedAt = p.last;
        out.set(p.iam_id, entry);
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

    /** Ends the user's session `id` for `reason`; false when it is not theirs or already ended (of concurrent enders, one gets true). */
    async endSession(trx: Trx, iamId: string, id: string, at: string, reason: 'logout' | 'revoked' | 'switched'): Promise<boolean> {
      const result = await trx
        .updateTable('signin_sessions')
        .set({ ended_at: at, end_reason: reason })
        .where('id', '=', id)
        .where('iam_id', '=', iamId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Ends the live session with that secret when it is past `expires_at` or was last seen at or
     * before `idleSince`, recording why (`expired` wins over `idle`); the ended session, or
     * undefined when there is none to end (unknown, already ended, or still live). Of concurrent
     * callers one ends it, so its end is recorded once.
     */
    async endStaleSession(secretHash: string, now: string, idleSince: string): Promise<(SessionRow & { end_reason: string }) | undefined> {
      const row = await db
        .updateTable('signin_sessions')
        .set({ ended_at: now, end_reason: sql<string>`CASE WHEN expires_at <= ${now} THEN 'expired' ELSE 'idle' END` })
        .where('secret_hash', '=', secretHash)
        .where('ended_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleSince)]))
        .returning(['id', 'secret_hash', 'csrf_hash', 'iam_id', 'account_id', 'authn', 'created_at', 'last_seen_at', 'expires_at', 'end_reason'])
        .executeTakeFirst();
      return row && { ...row, end_reason: row.end_reason ?? 'expired' };
    },

    /** Ends every live session of the user (in `accountId` only, when given); the ended sessions. */
    async endSessionsOf(trx: Trx, iamId: string, accountId: string | undefined, at: string): Promise<SessionRow[]> {
      let query = trx.updateTable('signin_sessions').set({ ended_at: at, end_reason: 'revoked' }).where('iam_id', '=', iamId).where('ended_at', 'is', null);
      if (accountId !== undefined) query = query.where('account_id', '=', accountId);
      return query.returning(['id', 'secret_hash', 'csrf_hash', 'iam_id', 'account_id', 'authn', 'created_at', 'last_seen_at', 'expires_at']).execute();
    },

    // ---- revocation -----------------------------------------------------------------------------

    /**
     * Records that the identity's sessions and refresh tokens created before `at` no longer count,
     * in `accountId` or, with ALL_ACCOUNTS, everywhere. One upsert; a later instant replaces an
     * earlier one, never the reverse.
     */
    async revokeBefore(trx: Trx, iamId: string, accountId: string, at: string): Promise<void> {
      await trx
        .insertInto('signin_revocations')
        .values({ iam_id: iamId, account_id: accountId, not_before: at })
        .onConflict((oc) =>
          oc.columns(['iam_id', 'account_id']).doUpdateSet({ not_before: at }).where('signin_revocations.not_before', '<', at),
        )
        .execute();
    },

    /** The latest revocation instant of the identity that applies in `accountId`, or undefined. */
    async revokedBefore(iamId: string, accountId: string, ex: Executor = db): Promise<string | undefined> {
      const rows = await ex
        .selectFrom('signin_revocations')
        .select('not_before')
        .where('iam_id', '=', iamId)
        .where('account_id', 'in', [accountId, ALL_ACCOUNTS])
        .execute();
      return rows.map((r) => r.not_before).sort().pop();
    },

    // ---- failed sign-ins (lockout) ----------------------------------------------------------------

    /** The latest `locked_until` after `now` among these keys, or undefined when none is locked. */
    async lockedUntil(keys: readonly string[], now: string): Promise<string | undefined> {
      const rows = await db.selectFrom('signin_failures').select('locked_until').where('key', 'in', [...keys]).where('locked_until', '>', now).execute();
      return rows.map((r) => r.locked_until!).sort().pop();
    },

    /**
     * Counts one failure of `key` in one conditional upsert (race-safe across nodes): a window that
     * ended at `now` starts again at 1 until `windowEndsAt`; reaching `max` locks the key until
     * `lockUntil`. The count after this failure and whether the key is now locked.
     */
    async countFailure(trx: Trx, key: string, now: string, windowEndsAt: string, max: number, lockUntil: string): Promise<{ failures: number; locked: boolean }> {
      const fresh = sql<boolean>`signin_failures.window_ends_at <= ${now}`;
      const next = sql<number>`CASE WHEN ${fresh} THEN 1 ELSE signin_failures.failures + 1 END`;
      const row = await trx
        .insertInto('signin_failures')
        .values({ key, failures: 1, window_ends_at: windowEndsAt, locked_until: max <= 1 ? lockUntil : null })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: next,
            window_ends_at: sql<string>`CASE WHEN ${fresh} THEN ${windowEndsAt} ELSE signin_failures.window_ends_at END`,
            locked_until: sql<string | null>`CASE WHEN ${next} >= ${max} THEN ${lockUntil} ELSE signin_failures.locked_until END`,
          }),
        )
        .returning(['failures', 'locked_until'])
        .executeTakeFirstOrThrow();
      return { failures: Number(row.failures), locked: row.locked_until !== null && row.locked_until > now };
    },

    /** Forgets the failures of `key` (a login that signed in). */
    async clearFailures(trx: Trx, key: string): Promise<void> {
      await trx.deleteFrom('signin_failures').where('key', '=', key).execute();
    },

    // ---- passkeys (WebAuthn) ----------------------------------------------------------------------

    /** Stores a challenge handed out for `purpose`, bound to the user (and the account of a sign-in); purges expired ones. */
    async putChallenge(trx: Trx, row: { challenge: string; purpose: ChallengePurpose; iamId: string; accountId: string | null; expiresAt: string }, now: string): Promise<void> {
      await trx.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
      await trx
        .insertInto('webauthn_challenges')
        .values({ challenge: row.challenge, purpose: row.purpose, iam_id: row.iamId, account_id: row.accountId, expires_at: row.expiresAt })
        .execute();
    },

    /**
     * Consume-once: deletes the unexpired challenge of that user and purpose and returns it (the
     * account it was issued for). Of concurrent callers presenting one challenge, exactly one gets it.
     */
    async spendChallenge(trx: Trx, challenge: string, purpose: ChallengePurpose, iamId: string, now: string): Promise<{ accountId: string | null } | undefined> {
      const row = await trx
        .deleteFrom('webauthn_challenges')
        .where('challenge', '=', challenge)
        .where('purpose', '=', purpose)
        .where('iam_id', '=', iamId)
        .where('expires_at', '>', now)
        .returning('account_id')
        .executeTakeFirst();
      return row && { accountId: row.account_id };
    },

    /** Stores a passkey; the unique indexes refuse a second one with the same credential id, or the same name for the user. */
    async insertPasskey(trx: Trx, row: PasskeyRow): Promise<void> {
      await trx.insertInto('webauthn_credentials').values(row).execute();
    },

    /** The user's passkeys, oldest first. */
    async passkeysOf(iamId: string, ex: Executor = db): Promise<PasskeyRow[]> {
      return ex.selectFrom('webauthn_credentials').selectAll().where('iam_id', '=', iamId).orderBy('created_at').orderBy('id').execute();
    },

    /** The user's passkey with that credential id, or undefined. */
    async passkeyByCredential(iamId: string, credentialId: string): Promise<PasskeyRow | undefined> {
      return db.selectFrom('webauthn_credentials').selectAll().where('iam_id', '=', iamId).where('credential_id', '=', credentialId).executeTakeFirst();
    },

    /**
     * Moves a passkey's counter from `from` to `to` and records its use: false when another use
     * moved it first (then this assertion is a replay or lost a race).
     */
    async usePasskey(trx: Trx, id: string, from: number, to: number, at: string): Promise<boolean> {
      const result = await trx
        .updateTable('webauthn_credentials')
        .set({ counter: to, last_used_at: at })
        .where('id', '=', id)
        .where('counter', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Removes the user's passkey `id`; false when the user has none with that id. */
    async deletePasskey(trx: Trx, iamId: string, id: string): Promise<boolean> {
      const result = await trx.deleteFrom('webauthn_credentials').where('id', '=', id).where('iam_id', '=', iamId).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

/** A user's second factors, as the MFA status and reports show them. */
export interface Enrolment {
  totp: boolean;
  passkeys: number;
  lastUsedAt: string | null;
  recoveryCodesLeft: number;
}

/** What a WebAuthn challenge was handed out for. */
export type ChallengePurpose = 'register' | 'authenticate';

/** A passkey as stored. */
export type PasskeyRow = WebAuthnCredentialsTable;

/** The account id of a revocation that applies in every account (a password or second factor changed). */
export const ALL_ACCOUNTS = '*';

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
