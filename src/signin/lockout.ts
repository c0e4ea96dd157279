import { DomainError } from '../kernel/errors.js';
import { hashSecret } from '../kernel/secrets.js';
import type { SignInContext } from './context.js';

/** When repeated failed sign-ins lock a login or a client address (config `signin.lockout`). */
export interface LockoutSettings {
  /** Length of the counting window, in seconds. */
  windowSeconds: number;
  /** How long a lock lasts, in seconds. */
  lockSeconds: number;
  /** Failures of one login (from any address) in a window that lock it; 0 disables. */
  failuresPerLogin: number;
  /** Failures from one client address (any login) in a window that lock it; 0 disables. */
  failuresPerAddress: number;
}

export const DEFAULT_LOCKOUT: LockoutSettings = { windowSeconds: 900, lockSeconds: 900, failuresPerLogin: 10, failuresPerAddress: 100 };

/**
 * The same answer for a locked login whether or not a user has it, and for a locked address: only
 * the seconds differ. 429, in the token API's shape on the grant (BXNIM0602E: the credentials
 * cannot be used now).
 */
export const lockedOut = (retryAfterSeconds: number) =>
  new DomainError('rate_limited', 'signin_locked', `Too many failed sign-ins; try again in ${retryAfterSeconds} seconds.`, {
    messageCode: 'BXNIM0602E',
    more: 'Repeated failed sign-ins locked this login or this client address for a while. Wait, or reset the password.',
  });

/** What a failure was, for counting and the audit trail. */
export interface Failure {
  login: string;
  clientAddress: string;
  /** Why it failed (the error's code): never the secret presented. */
  reason: string;
  /** Whether it was a guess (a wrong password or second factor): only these count towards a lock. */
  guess: boolean;
  via: string;
  requestId: string;
}

/**
 * Lockout across nodes: failed guesses are counted in the database per login (a digest of the
 * lower-cased login, whether or not a user has it, so the lock tells nothing) and per client
 * address, each in a fixed window, by one conditional upsert per key. A key that reaches its limit
 * is locked for `lockSeconds`: every sign-in naming it answers `lockedOut` before any password is
 * checked (so as fast for unknown users as for real ones). A success clears the login's count,
 * never the address's (a guesser with one good account of their own cannot reset it).
 */
export function createLockout(ctx: SignInContext) {
  const { store, writer, clock, metrics } = ctx;
  const settings = ctx.lockout;
  const loginKey = (login: string) => `login:${hashSecret(login.trim().toLowerCase())}`;
  const addressKey = (address: string) => `address:${hashSecret(address)}`;
  const limited = (address: string, login: string) =>
    [
      { key: loginKey(login), max: settings.failuresPerLogin, scope: 'login' as const },
      { key: addressKey(address), max: settings.failuresPerAddress, scope: 'address' as const },
    ].filter((k) => k.max > 0);

  return {
    /** Throws `lockedOut` when the login or the address is locked now. */
    async guard(login: string, clientAddress: string): Promise<void> {
      const keys = limited(clientAddress, login).map((k) => k.key);
      if (keys.length === 0) return;
      const now = clock.now();
      const until = await store.lockedUntil(keys, now.toISOString());
      if (until !== undefined) throw lockedOut(Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000)));
    },

    /**
     * Records a failed sign-in: an audit event (outcome failure, the reason), and for a guess one
     * more failure on each key, with an audit event and a metric for each key it locks.
     */
    async failed(failure: Failure, iamId: string | undefined): Promise<void> {
      const now = clock.now();
      const at = now.toISOString();
      const target = { initiatorIamId: iamId ?? '', initiatorAccountId: null, accountId: null, targetType: iamId ? 'user' : 'login', targetId: iamId ?? failure.login.toLowerCase() };
      if (failure.guess) {
        const windowEndsAt = new Date(now.getTime() + settings.windowSeconds * 1000).toISOString();
        const lockUntil = new Date(now.getTime() + settings.lockSeconds * 1000).toISOString();
        const locks = await writer.write(async (w) => {
          const locked: string[] = [];
          for (const { key, max, scope } of limited(failure.clientAddress, failure.login)) {
            const counted = await store.countFailure(w.trx, key, at, windowEndsAt, max, lockUntil);
            if (!counted.locked || counted.failures !== max) continue;
            locked.push(scope);
            w.audit({
              requestId: failure.requestId,
              ...target,
              action: 'iam-identity.signin.lockout',
              detail: { scope, failures: counted.failures, locked_until: lockUntil, client_address: failure.clientAddress },
            });
          }
          return locked;
        });
        for (const scope of locks.value) metrics.lockouts.inc({ scope });
      }
      await writer.auditFailure(
        { requestId: failure.requestId, ...target, action: 'iam-identity.signin', detail: { via: failure.via, login: failure.login, client_address: failure.clientAddress } },
        failure.reason,
      );
    },

    /** Clears the login's failures after a successful sign-in, inside the caller's write. */
    async succeededIn(trx: Parameters<typeof store.clearFailures>[0], login: string): Promise<void> {
      if (settings.failuresPerLogin > 0) await store.clearFailures(trx, loginKey(login));
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;
