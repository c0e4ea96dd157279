import type { MfaTrait } from '../identity/types.js';
import { DomainError } from '../kernel/errors.js';
import { subjectKindOf } from '../kernel/ids.js';
import type { Write } from '../store/unit-of-work.js';
import type { SignInContext } from './context.js';
import { signinErrors as errors } from './errors.js';
import { createLockout } from './lockout.js';
import { createMfaOperations } from './mfa.js';
import { assertionOf, createPasskeyOperations } from './passkeys.js';
import { createPasswordOperations, type PasswordChecked } from './passwords.js';
import { createRevocation } from './revocation.js';
import { createSessionOperations, type Session } from './sessions.js';
import type { AuthnLevel, PasswordAttempt, SignedIn, SignInOrigin } from './types.js';

/**
 * What the account asks of a user's sign-in (identity settings): the user's own `user_mfa` entry
 * when there is one, else the account's `mfa`.
 */
export function requirementOf(settings: { mfa: MfaTrait; userMfa: readonly { iamId: string; mfa: MfaTrait }[] }, iamId: string): MfaTrait {
  return settings.userMfa.find((entry) => entry.iamId === iamId)?.mfa ?? settings.mfa;
}

/**
 * The sign-in level (`acr`) an MFA requirement asks for:
 * - NONE: 1, a password. NONE_NO_ROPC: 1, and the password grant is refused (IBM: no "resource
 *   owner password credentials", the CLI's password login); API keys and browser sessions work.
 * - TOTP, TOTP4ALL (every user here is a non-federated one), LEVEL1 (IBM: e-mail codes; a TOTP
 *   code is at least as strong), LEVEL2 (TOTP): 2, a one-time code of the user's authenticator,
 *   one of their recovery codes, or a passkey.
 * - LEVEL3 (IBM: a security key): 3, a passkey (a WebAuthn credential, the protocol of security keys).
 */
export function acrRequiredBy(mfa: MfaTrait | string): 1 | 2 | 3 {
  if (mfa === 'LEVEL3') return 3;
  if (mfa === 'TOTP' || mfa === 'TOTP4ALL' || mfa === 'LEVEL1' || mfa === 'LEVEL2') return 2;
  return 1;
}

/** The second factor a sign-in proved: a TOTP code, a recovery code (`otp`), or a passkey (`hwk`). */
type Factor = 'totp' | 'otp' | 'hwk';

/** How a sign-in was made: acr 1 with a password only, 2 with a one-time code, 3 with a passkey. */
const authnOf = (grantType: string, factor: Factor | undefined): AuthnLevel =>
  factor ? { grantType, acr: factor === 'hwk' ? 3 : 2, amr: ['pwd', factor] } : { grantType, acr: 1, amr: ['pwd'] };

/** Failures that are guesses (a wrong password or second factor): they count towards a lock. */
const GUESSES = new Set(['credentials_incorrect', 'mfa_failed']);

/**
 * Sign-in (issue #14): passwords (set when an invitation is redeemed, reset by e-mail, changed,
 * checked by the password grant), second factors (TOTP with recovery codes, passkeys) enforced as
 * the account's MFA settings require, lockout across nodes, revocation, and the audit trail and
 * metrics of every sign-in. What the registry wires and other domains call.
 */
export function createSignInService(ctx: SignInContext) {
  const { metrics } = ctx;
  const revocation = createRevocation(ctx);
  const passwords = createPasswordOperations(ctx, revocation);
  const mfa = createMfaOperations(ctx, revocation);
  const passkeys = createPasskeyOperations(ctx, revocation);
  const lockout = createLockout(ctx);

  /**
   * Runs `step` (a check of a password attempt) under the lockout: refused at once while the login
   * or the address is locked; a refusal is audited with its reason and, when it was a guess,
   * counted towards a lock; a success clears the login's count.
   */
  async function guarded<T>(attempt: PasswordAttempt, origin: SignInOrigin, via: string, step: () => Promise<T>): Promise<T> {
    try {
      await lockout.guard(attempt.username, origin.clientAddress);
      return await step();
    } catch (error) {
      if (error instanceof DomainError) {
        const reason = error.code === 'signin_locked' ? 'locked' : error.code;
        metrics.signins.inc({ via, outcome: 'failure', reason });
        const user = await ctx.store.userByLogin(attempt.username);
        await lockout.failed({ login: attempt.username, clientAddress: origin.clientAddress, reason, guess: GUESSES.has(error.code), via, requestId: origin.requestId }, user?.iamId);
      }
      throw error;
    }
  }

  /** A password sign-in: the password first (so a wrong one tells nothing of MFA), then the second factor. */
  async function signIn(attempt: PasswordAttempt, origin: SignInOrigin, via: 'grant' | 'session'): Promise<SignedIn> {
    const signedIn = await guarded(attempt, origin, via, async () => {
      const checked = await passwords.check(attempt);
      const factor = await secondFactor(checked, attempt, origin.requestId, via);
      return { ...checked, authn: authnOf('password', factor) };
    });
    await ctx.writer.write(async (w) => {
      await lockout.succeededIn(w.trx, attempt.username);
      w.audit({
        requestId: origin.requestId,
        initiatorIamId: signedIn.iamId,
        initiatorAccountId: signedIn.accountId,
        accountId: signedIn.accountId,
        action: 'iam-identity.signin',
        targetType: 'user',
        targetId: signedIn.iamId,
        detail: { via, acr: signedIn.authn.acr, amr: signedIn.authn.amr, client_address: origin.clientAddress },
      });
    });
    metrics.signins.inc({ via, outcome: 'success', reason: 'ok' });
    return signedIn;
  }
  const sessions = createSessionOperations(ctx, (attempt, origin) => signIn(attempt, origin, 'session'));

  /** Whether the user holds any second factor, and a passkey in particular. */
  async function factorsOf(iamId: string): Promise<{ any: boolean; passkey: boolean }> {
    const [totp, passkey] = await Promise.all([mfa.enrolled(iamId), passkeys.enrolled(iamId)]);
    return { any: totp || passkey, passkey };
  }

  /**
   * The second factor of a sign-in whose password checked out. A factor given is spent (and must be
   * right) even when the account does not require one, raising the sign-in's level; a passkey
   * answer wins over a passcode. The level reached must meet the requirement.
   */
  async function secondFactor(checked: PasswordChecked, attempt: PasswordAttempt, requestId: string, via: 'grant' | 'session'): Promise<Factor | undefined> {
    const { iamId, accountId } = checked;
    const requirement = requirementOf(await ctx.accountSettingsOf(accountId), iamId);
    if (requirement === 'NONE_NO_ROPC' && via === 'grant') throw errors.passwordGrantRefused(accountId);
    const needed = acrRequiredBy(requirement);
    let factor: Factor | undefined;
    if (attempt.webauthn !== undefined) {
      const assertion = assertionOf(attempt.webauthn);
      if (!assertion) throw errors.webauthnMalformed();
      const proved = await passkeys.verify(iamId, accountId, assertion, requestId);
      metrics.mfa.inc({ factor: 'passkey', outcome: proved ? 'success' : 'failure' });
      if (!proved) throw errors.passkeyIncorrect(requirement);
      factor = 'hwk';
    } else if (attempt.passcode !== undefined) {
      const spent = await mfa.spend(iamId, attempt.passcode, requestId);
      metrics.mfa.inc({ factor: spent ?? 'passcode', outcome: spent ? 'success' : 'failure' });
      if (!spent) throw errors.passcodeIncorrect(requirement);
      factor = spent;
    }
    if (authnOf('password', factor).acr >= needed) return factor;
    const held = await factorsOf(iamId);
    if (needed === 3) throw held.passkey ? errors.passkeyRequired(requirement) : errors.mfaNotEnrolled(requirement);
    throw held.any ? errors.passcodeRequired(requirement) : errors.mfaNotEnrolled(requirement);
  }

  return {
    passwords,
    mfa,
    passkeys,
    sessions,
    revocation,

    /**
     * The password grant's check (token/service.ts): the user, the account and how they signed in.
     * Throws the token API's errors; the password is checked first, so a wrong one never tells
     * anything of the user's MFA.
     */
    passwordSignIn: (attempt: PasswordAttempt, origin: SignInOrigin) => signIn(attempt, origin, 'grant'),

    /**
     * A passkey challenge for a sign-in (`POST /signin/passkey/options`): the password is checked
     * first (under the lockout, as a sign-in), then the user's passkeys and a challenge for the account.
     */
    async passkeyOptions(attempt: PasswordAttempt, origin: SignInOrigin) {
      const checked = await guarded(attempt, origin, 'passkey_options', () => passwords.check(attempt));
      return passkeys.authenticationOptions(checked.iamId, checked.accountId);
    },

    /** The accounts the person of a session is an ACTIVE member of (id and name); none for a trusted profile's session. */
    async accountsOf(session: Session): Promise<{ id: string; name: string }[]> {
      return subjectKindOf(session.iamId) === 'user' ? ctx.store.activeMembershipsOf(session.iamId) : [];
    },

    /**
     * Moves a session to another account of the same person, applying that account's rules as a
     * sign-in there would: the session must be a password sign-in of a user (an API key is bound
     * to its account, an identity provider's sign-in to the account that trusts it); the user must
     * be an ACTIVE member there (no member, a disabled member, an unknown account: the same
     * refusal); how the session signed in must meet the account's MFA requirement for the user
     * (else 403 step_up_required: a new sign-in there with the second factor); `admit` checks the
     * client address against the account's allowed IPs. The lockout is not involved: no password is
     * tried. The old session ends in the write that opens the new one (sessions.switchTo).
     */
    async switchAccount(session: Session, accountId: string, requestId: string, admit: (accountId: string) => Promise<void>) {
      if (subjectKindOf(session.iamId) !== 'user' || session.authn.grantType !== 'password') {
        throw errors.reauthenticationRequired(accountId, session.authn.apiKeyId ? 'with an API key' : 'through an identity provider');
      }
      if (!(await ctx.store.activeAccountsOf(session.iamId)).includes(accountId)) throw errors.notAccountMember(accountId);
      const requirement = requirementOf(await ctx.accountSettingsOf(accountId), session.iamId);
      const needed = acrRequiredBy(requirement);
      if (session.authn.acr < needed) throw errors.stepUpRequired(accountId, requirement, needed);
      await admit(accountId);
      return sessions.switchTo(session, accountId, requestId);
    },

    /** The sign-in level a user needs in an account now (their `user_mfa` entry, else the account's `mfa`). */
    async acrRequiredOf(accountId: string, iamId: string): Promise<number> {
      return acrRequiredBy(requirementOf(await ctx.accountSettingsOf(accountId), iamId));
    },

    /**
     * The identity-removal hook (registry): a user removed from an account loses their sessions
     * there, and their tokens for it stop working, in the removal's write.
     */
    async userRemovedIn(w: Write, accountId: string, iamId: string, byIamId: string): Promise<void> {
      if (subjectKindOf(iamId) !== 'user') return;
      revocation.counted(await revocation.revokeIn(w, iamId, 'user_removed', { requestId: '', initiator: byIamId, accountId }));
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
