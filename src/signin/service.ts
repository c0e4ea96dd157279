import type { SignInContext } from './context.js';
import { createPasswordOperations } from './passwords.js';
import type { PasswordAttempt, SignedIn } from './types.js';

/**
 * Sign-in (issue #14): passwords (set when an invitation is redeemed, reset by e-mail, checked by
 * the password grant). What the registry wires and other domains call.
 */
export function createSignInService(ctx: SignInContext) {
  const passwords = createPasswordOperations(ctx);

  return {
    passwords,

    /**
     * The password grant's check (token/service.ts): the user, the account and how they signed in.
     * Throws the token API's errors; never tells whether the user exists.
     */
    async passwordSignIn(attempt: PasswordAttempt): Promise<SignedIn> {
      const checked = await passwords.check(attempt);
      return { ...checked, authn: { grantType: 'password', acr: 1, amr: ['pwd'] } };
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
