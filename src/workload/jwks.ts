import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { TrustedIssuer } from './types.js';

export interface JwksCacheOptions {
  /** How long one fetch may take, in ms. */
  timeoutMs: number;
  /** The least time between two fetches of one JWKS URL, in ms (an unknown `kid` refetches at most this often). */
  cooldownMs: number;
  /** How long a fetched JWKS is used before it is fetched again, in ms. */
  maxAgeMs: number;
}

/** Key sets remembered; each map is dropped whole when it holds more. */
const CACHE_LIMIT = 1000;

/**
 * The public keys of trusted issuers. A `jwks_url` is read through jose's remote JWKS, one per
 * URL and shared by every issuer (and account) naming it: fetched on first use, reused for
 * `maxAgeMs`, fetched again when a token names a `kid` it does not hold (key rotation) but at most
 * once per `cooldownMs`, each fetch bounded by `timeoutMs`. An uploaded JWKS is imported once per
 * version of its issuer (its entity tag), so an update takes effect at once.
 */
export function createJwksCache(options: JwksCacheOptions) {
  const remote = new Map<string, JWTVerifyGetKey>();
  const local = new Map<string, { tag: string; keys: JWTVerifyGetKey }>();

  return {
    keysOf(issuer: TrustedIssuer): JWTVerifyGetKey {
      if (issuer.jwks) {
        const known = local.get(issuer.id);
        if (known?.tag === issuer.entityTag) return known.keys;
        if (local.size >= CACHE_LIMIT) local.clear();
        const keys = createLocalJWKSet(issuer.jwks);
        local.set(issuer.id, { tag: issuer.entityTag, keys });
        return keys;
      }
      const url = issuer.jwksUrl!;
      let keys = remote.get(url);
      if (!keys) {
        if (remote.size >= CACHE_LIMIT) remote.clear();
        keys = createRemoteJWKSet(new URL(url), {
          timeoutDuration: options.timeoutMs,
          cooldownDuration: options.cooldownMs,
          cacheMaxAge: options.maxAgeMs,
        });
        remote.set(url, keys);
      }
      return keys;
    },
  };
}

export type JwksCache = ReturnType<typeof createJwksCache>;
