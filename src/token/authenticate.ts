import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { AccountsStore } from '../accounts/store.js';
import type { Clock } from '../kernel/clock.js';
import { DomainError } from '../kernel/errors.js';
import { subjectKindOf } from '../kernel/ids.js';
import type { Authenticator, Principal } from '../kernel/principal.js';
import type { Db } from '../store/db.js';
import { unauthenticated } from './errors.js';
import type { SigningKeys } from './signing-keys.js';
import type { IdentityDirectory } from '../identity/directory.js';

export interface AuthenticatorDeps {
  db: Db;
  clock: Clock;
  signingKeys: Pick<SigningKeys, 'resolve'>;
  issuer: () => string;
  accounts: Pick<AccountsStore, 'membershipState'>;
  /** Whether a token's service ID is still one of its account, and unlocked. */
  directory: IdentityDirectory;
  /** Trusted profiles by IAM id, for profile tokens (cr-token and assume grants); without it they are refused. */
  profiles?: { getProfileByIamId(iamId: string): Promise<{ accountId: string } | undefined> };
  /**
   * How long a principal found usable is trusted without asking the database again, in ms
   * (default 1000). This is the staleness bound: a deleted service ID or a user removed from the
   * account is refused at most this long after the change.
   */
  principalCacheMs?: number;
  /**
   * The instant before which a user's tokens for an account no longer count (the sign-in domain's
   * revocation: password reset or change, second factor removed, user removed); undefined when none.
   * Read with the principal's usability, so within the same cache bound.
   */
  revokedBefore?: (iamId: string, accountId: string) => Promise<string | undefined>;
}

/** Clock skew tolerated on `iat` between nodes, in seconds. */
const IAT_SKEW_SECONDS = 60;
const PRINCIPAL_CACHE_LIMIT = 10_000;
/** Verified tokens remembered (each until it expires); the map is dropped whole when full. */
const VERIFIED_CACHE_LIMIT = 50_000;
/**
 * Verified tokens are found by their last characters (part of the signature), so a lookup hashes
 * a few dozen characters rather than a kilobyte-long token; a hit is then compared in full.
 */
const TOKEN_KEY_CHARS = 48;
const tokenKeyOf = (token: string) => token.slice(-TOKEN_KEY_CHARS);

interface VerifiedToken {
  token: string;
  principal: Principal;
  expiresAtMs: number;
  /** The token's `iat`, in seconds. */
  issuedAt: number;
  /** The principal's key in the usability cache. */
  usableKey: string;
}

function refusal(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof joseErrors.JWTExpired) return unauthenticated('The access token is expired.');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return unauthenticated('The access token must be signed with RS256.');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return unauthenticated('The access token signature is invalid.');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return unauthenticated('The access token was not issued by this server.');
    return unauthenticated(`The access token claim "${error.claim}" is invalid: ${error.reason}.`);
  }
  return unauthenticated('The access token is malformed.');
}

/**
 * Bearer-token authentication for the management APIs. A token is accepted when:
 * - it is a compact JWS with `alg` RS256 (never `none`, HS*, or anything else) whose `kid` names a
 *   published signing key (an unknown kid reloads the keys once, rate limited), and the
 *   signature verifies;
 * - `iss` is this server's issuer, `exp` is in the future, `nbf` (if any) has passed and `iat` is
 *   not in the future (60 s skew allowed); `iam_id`, `sub` and `account.bss` are present;
 * - its identity is still usable: a service ID still exists and belongs to `account.bss`; a user
 *   is still an ACTIVE member of `account.bss`; a trusted profile (a profile token) still exists
 *   in `account.bss`. (Locking does not disable an identity on IBM Cloud.) A user's token issued
 *   before a revocation of their sign-ins (`revokedBefore`) is refused.
 *   Positive answers are cached for `principalCacheMs` (1 s by default).
 * Any failure throws DomainError('unauthenticated') with a message saying why.
 */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { clock, signingKeys, issuer, accounts } = deps;
  const cacheMs = deps.principalCacheMs ?? 1000;
  /** Principals found usable: until when, and the second before which their tokens are revoked (0: none). */
  const usableUntil = new Map<string, { until: number; notBefore: number }>();
  const verified = new Map<string, VerifiedToken>();

  const getKey = async (header: { kid?: string }) => {
    if (!header.kid) throw unauthenticated('The access token header has no kid.');
    const key = await signingKeys.resolve(header.kid);
    if (!key) throw unauthenticated('The access token was signed with an unknown key.');
    return key;
  };

  /** Throws unless the principal is usable and a token of it issued at `issuedAt` (seconds) is not revoked. */
  async function ensureUsable(principal: Principal, cacheKey: string, now: number, issuedAt: number): Promise<void> {
    const known = usableUntil.get(cacheKey);
    if (known !== undefined && known.until > now) return notRevoked(known.notBefore, issuedAt);
    let notBefore = 0;
    if (principal.kind === 'serviceid') {
      const serviceId = await deps.directory.identityOf(principal.accountId, principal.iamId);
      if (serviceId?.kind !== 'serviceid') throw unauthenticated('The service ID of the access token no longer exists.');
      if (serviceId.locked) throw unauthenticated('The service ID of the access token is locked.');
    } else if (principal.kind === 'profile') {
      const profile = await deps.profiles?.getProfileByIamId(principal.iamId);
      if (profile?.accountId !== principal.accountId) throw unauthenticated('The trusted profile of the access token no longer exists.');
    } else {
      const [state, revoked] = await Promise.all([
        accounts.membershipState(principal.accountId, principal.iamId),
        deps.revokedBefore?.(principal.iamId, principal.accountId),
      ]);
      if (state !== 'ACTIVE') throw unauthenticated('The user of the access token is no longer a member of its account.');
      // Whole seconds, as `iat`: a token issued in the second of the revocation, before it, still counts.
      if (revoked !== undefined) notBefore = Math.floor(Date.parse(revoked) / 1000);
    }
    if (usableUntil.size >= PRINCIPAL_CACHE_LIMIT) usableUntil.clear();
    usableUntil.set(cacheKey, { until: now + cacheMs, notBefore });
    notRevoked(notBefore, issuedAt);
  }

  function notRevoked(notBefore: number, issuedAt: number): void {
    if (issuedAt < notBefore) throw unauthenticated("The access token was revoked: the user's password or second factor changed, or the user was removed. Sign in again.");
  }

  return {
    async authenticate(bearerToken) {
      const now = clock.now();
      // A token whose signature was verified is not verified again while it is valid (the RS256
      // check dominates a decision call); expiry and the identity's usability are still checked.
      const tokenKey = tokenKeyOf(bearerToken);
      const known = verified.get(tokenKey);
      if (known !== undefined && known.token === bearerToken && known.expiresAtMs > now.getTime()) {
        await ensureUsable(known.principal, known.usableKey, now.getTime(), known.issuedAt);
        return known.principal;
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(bearerToken, getKey, {
          algorithms: ['RS256'],
          issuer: issuer(),
          currentDate: now,
          requiredClaims: ['exp', 'iat', 'sub'],
        }));
      } catch (error) {
        throw refusal(error);
      }
      if ((payload.iat ?? 0) > now.getTime() / 1000 + IAT_SKEW_SECONDS) throw unauthenticated('The access token is issued in the future.');
      const iamId = payload.iam_id;
      const account = payload.account as { bss?: unknown } | undefined;
      if (typeof iamId !== 'string' || typeof account?.bss !== 'string') {
        throw unauthenticated('The access token lacks the iam_id or account claim.');
      }
      const kind = subjectKindOf(iamId);
      if (kind === undefined || (kind === 'profile' && !deps.profiles)) throw unauthenticated('The access token names an identity this server does not issue tokens to.');
      const name = typeof payload.name === 'string' ? payload.name : iamId;
      const principal: Principal = { iamId, kind, accountId: account.bss, name };
      const usableKey = `${iamId} ${account.bss}`;
      const issuedAt = payload.iat ?? 0;
      await ensureUsable(principal, usableKey, now.getTime(), issuedAt);
      if (verified.size >= VERIFIED_CACHE_LIMIT) verified.clear();
      verified.set(tokenKey, { token: bearerToken, principal, expiresAtMs: (payload.exp ?? 0) * 1000, issuedAt, usableKey });
      return principal;
    },
  };
}
