import type { MfaTrait } from '../identity/types.js';
import type { SignInContext } from './context.js';
import { signinErrors as errors } from './errors.js';
import { createMfaOperations, type SecondFactor } from './mfa.js';
import { createPasswordOperations } from './passwords.js';
import { createSessionOperations } from './sessions.js';
import type { AuthnLevel, PasswordAttempt, SignedIn } from './types.js';

/**
 * What the account asks of a user's sign-in (identity settings): the user's own `user_mfa` entry
 * when there is one, else the account's `mfa`.
 *
 * - NONE: a password suffices. NONE_NO_ROPC: and the password grant is refused (IBM: no
 *   "resource owner password credentials", the CLI's password login); API keys and browser
 *   sessions still work.
 * - TOTP, TOTP4ALL (every user here is a non-federated one), LEVEL1 (IBM: e-mail codes; a TOTP
 *   code is at least as strong), LEVEL2 (TOTP): a one-time code from the user's authenticator, or
 *   one of their recovery codes.
 * - LEVEL3 (a security key): refused until WebAuthn is offered; no second factor here meets it.
 */
export function requirementOf(settings: { mfa: MfaTrait; userMfa: readonly { iamId: string; mfa: MfaTrait }[] }, iamId: string): MfaTrait {
  return settings.userMfa.find((entry) => entry.iamId === iamId)?.mfa ?? settings.mfa;
}

/** How a sign-in was made: acr 1 with a password only, 2 with a one-time code. */
const authnOf = (grantType: string, factor: SecondFactor | undefined): AuthnLevel =>
  factor ? { grantType, acr: 2, amr: ['pwd', factor] } : { grantType, acr: 1, amr: ['pwd'] };

/**
 * Sign-in (issue #14): passwords (set when an invitation is redeemed, reset by e-mail, checked by
 * the password grant) and a second factor (TOTP with recovery codes), enforced as the account's
 * MFA settings require. What the registry wires and other domains call.
 */
export function createSignInService(ctx: SignInContext) {
  const passwords = createPasswordOperations(ctx);
  const mfa = createMfaOperations(ctx);

  /** A password sign-in: the password first (so a wrong one tells nothing of MFA), then the second factor. */
  async function signIn(attempt: PasswordAttempt, requestId: string, via: 'grant' | 'session'): Promise<SignedIn> {
    const checked = await passwords.check(attempt);
    const factor = await secondFactor(checked.iamId, checked.accountId, attempt.passcode, requestId, via);
    return { ...checked, authn: authnOf('password', factor) };
  }
  const sessions = createSessionOperations(ctx, (attempt, requestId) => signIn(attempt, requestId, 'session'));

  /**
   * The second factor of a sign-in whose password checked out. A passcode given is spent (and must
   * be right) even when the account does not require one, raising the sign-in's level.
   */
  async function secondFactor(
    iamId: string,
    accountId: string,
    passcode: string | undefined,
    requestId: string,
    via: 'grant' | 'session',
  ): Promise<SecondFactor | undefined> {
    const requirement = requirementOf(await ctx.accountSettingsOf(accountId), iamId);
    if (requirement === 'NONE_NO_ROPC' && via === 'grant') throw errors.passwordGrantRefused(accountId);
    const needed = requirement !== 'NONE' && requirement !== 'NONE_NO_ROPC';
    if (requirement === 'LEVEL3') throw errors.mfaNotEnrolled(requirement);
    if (passcode === undefined) {
      if (!needed) return undefined;
      throw (await mfa.enrolled(iamId)) ? errors.passcodeRequired(requirement) : errors.mfaNotEnrolled(requirement);
    }
    const factor = await mfa.spend(iamId, passcode, requestId);
    if (!factor) throw errors.passcodeIncorrect(requirement);
    return factor;
  }

  return {
    passwords,
    mfa,

    /**
     * The password grant's check (token/service.ts): the user, the account and how they signed in.
     * Throws the token API's errors; the password is checked first, so a wrong one never tells
     * anything of the user's MFA.
     */
    passwordSignIn: (attempt: PasswordAttempt, requestId: string) => signIn(attempt, requestId, 'grant'),
    sessions,
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
