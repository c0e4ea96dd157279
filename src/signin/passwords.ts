import { randomBytes } from 'node:crypto';
import { DomainError } from '../kernel/errors.js';
import { hashSecret } from '../kernel/secrets.js';
import type { Write } from '../store/unit-of-work.js';
import type { SignInContext } from './context.js';
import { signinErrors as errors } from './errors.js';
import { checkPassword, hashPassword, passwordMatches } from './password-rules.js';
import { resetMessage } from './reset-mail.js';
import type { Revocation, Revoked } from './revocation.js';
import type { Actor } from '../kernel/principal.js';
import type { PasswordAttempt } from './types.js';

/** Password-reset secrets carry this prefix, so the credential is recognisable as one. */
export const RESET_PREFIX = 'reset-';

/** A user whose password checked out, before the account and the second factor are settled. */
export interface PasswordChecked {
  iamId: string;
  accountId: string;
}

/**
 * Passwords: set when an invitation is redeemed, reset through an e-mailed link, changed by the
 * signed-in user, checked by the password grant. Answers never tell whether a user exists: an
 * unknown user, a user without a password and a wrong password are the same refusal, after the
 * same argon2id work. A reset or a change revokes the user's sessions and tokens everywhere, in
 * the write that stores the new hash.
 */
export function createPasswordOperations(ctx: SignInContext, revocation: Revocation) {
  const { store, writer, clock, metrics } = ctx;
  const now = () => clock.now().toISOString();

  return {
    /**
     * Checks a new password against the rules (400 naming the rule) and hashes it. Called before
     * the write that stores it, so that no transaction waits for argon2id.
     */
    async prepare(password: string, logins: readonly string[]): Promise<string> {
      checkPassword(ctx.policy, password, logins);
      return hashPassword(password);
    },

    /** Stores a prepared hash as the user's password, inside the caller's write. */
    async setIn(w: Write, iamId: string, hash: string): Promise<void> {
      await store.setPasswordHash(w.trx, iamId, hash, now());
    },

    /**
     * Mails a single-use reset link to the user with that login, if there is one; answers the same
     * either way, and sends after answering (no timing difference). The newest link replaces the
     * user's earlier ones.
     */
    async requestReset(login: string, requestId: string): Promise<void> {
      const user = await store.userByLogin(login);
      metrics.resets.inc({ stage: 'request', outcome: user ? 'sent' : 'unknown_login' });
      if (!user) return;
      const secret = `${RESET_PREFIX}${randomBytes(32).toString('base64url')}`;
      const createdAt = clock.now();
      const expiresAt = new Date(createdAt.getTime() + ctx.resetTtlSeconds * 1000).toISOString();
      await writer.write(async (w) => {
        await store.replaceReset(w.trx, { tokenHash: hashSecret(secret), iamId: user.iamId, createdAt: createdAt.toISOString(), expiresAt });
        w.audit({
          requestId,
          initiatorIamId: user.iamId,
          initiatorAccountId: null,
          accountId: null,
          action: 'iam-identity.password.reset-request',
          targetType: 'user',
          targetId: user.iamId,
          detail: { expires_at: expiresAt },
        });
      });
      void ctx.mailer.send(resetMessage({ email: user.email || user.userId, siteUrl: ctx.site.url, secret, expiresAt })).catch(ctx.onMailError);
    },

    /**
     * Sets a new password with a reset secret: the password must meet the rules (checked before the
     * secret is spent), the secret must be unexpired and unused (spent by one conditional delete: of
     * concurrent redemptions one wins).
     */
    async confirmReset(secret: string, password: string, requestId: string): Promise<void> {
      const tokenHash = hashSecret(secret);
      checkPassword(ctx.policy, password);
      const hash = await hashPassword(password);
      const invalid = { requestId, initiatorIamId: '', initiatorAccountId: null, accountId: null, action: 'iam-identity.password.reset', targetType: 'password_reset', targetId: tokenHash.slice(0, 16) };
      const { value } = await writer
        .write(async (w): Promise<Revoked> => {
          const iamId = await store.consumeReset(w.trx, tokenHash, now());
          if (iamId === undefined) throw errors.resetInvalid();
          const user = await store.userById(iamId, w.trx);
          // The login rule needs the user, known only once the secret is spent: a refusal rolls the spending back.
          if (user) checkPassword(ctx.policy, password, [user.userId, user.email]);
          await store.setPasswordHash(w.trx, iamId, hash, now());
          w.audit({
            requestId,
            initiatorIamId: iamId,
            initiatorAccountId: null,
            accountId: null,
            action: 'iam-identity.password.reset',
            targetType: 'user',
            targetId: iamId,
          });
          return revocation.revokeIn(w, iamId, 'password_reset', { requestId, initiator: iamId });
        })
        .catch(async (error: unknown) => {
          metrics.resets.inc({ stage: 'confirm', outcome: 'failure' });
          if (error instanceof DomainError && error.code === 'reset_link_invalid') await writer.auditFailure(invalid, 'reset_link_invalid');
          throw error;
        });
      metrics.resets.inc({ stage: 'confirm', outcome: 'success' });
      revocation.counted(value);
    },

    /**
     * The signed-in user changes their password: the current one must be right (a wrong one counts
     * as a failed check: 400, audited), the new one must meet the rules. Revokes the user's sessions
     * and tokens everywhere, the caller's included: they sign in again with the new password.
     */
    async change(actor: Actor, current: string, next: string): Promise<void> {
      if (actor.principal.kind !== 'user') throw errors.usersOnly();
      const iamId = actor.principal.iamId;
      const user = await store.userById(iamId);
      const stored = await store.passwordHash(iamId);
      if (!user || stored === undefined) throw errors.noPassword();
      const event = { requestId: actor.requestId, initiatorIamId: iamId, initiatorAccountId: actor.principal.accountId, accountId: null, action: 'iam-identity.password.change', targetType: 'user', targetId: iamId };
      if (!(await passwordMatches(stored, current))) {
        await writer.auditFailure(event, 'current_password_incorrect');
        throw errors.passwordWrong();
      }
      checkPassword(ctx.policy, next, [user.userId, user.email]);
      const hash = await hashPassword(next);
      const { value } = await writer.write(async (w) => {
        await store.setPasswordHash(w.trx, iamId, hash, now());
        w.audit(event);
        return revocation.revokeIn(w, iamId, 'password_change', { requestId: actor.requestId, initiator: iamId });
      });
      revocation.counted(value);
    },

    /**
     * Checks a password attempt and settles the account: the named one, where the user must be an
     * ACTIVE member, or the only account the user is active in. Throws the token API's errors.
     */
    async check(attempt: PasswordAttempt): Promise<PasswordChecked> {
      const user = await store.userByLogin(attempt.username);
      const hash = user && (await store.passwordHash(user.iamId));
      if (!(await passwordMatches(hash, attempt.password)) || !user) throw errors.credentialsIncorrect();
      const active = await store.activeAccountsOf(user.iamId);
      if (attempt.account !== undefined) {
        if (!active.includes(attempt.account)) throw errors.notAccountMember(attempt.account);
        return { iamId: user.iamId, accountId: attempt.account };
      }
      if (active.length !== 1) throw errors.accountRequired();
      return { iamId: user.iamId, accountId: active[0]! };
    },
  };
}

export type PasswordOperations = ReturnType<typeof createPasswordOperations>;
