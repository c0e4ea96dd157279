import { importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { parseCrn } from '../kernel/crn.js';
import { invalid } from '../kernel/errors.js';
import { limits } from '../kernel/limits.js';
import {
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_SKEW_SECONDS,
  ISSUER_TYPES,
  ISSUER_LIMITS,
  type IssuerInput,
  type IssuerSettings,
  type IssuerType,
} from './types.js';

const { name: NAME_MAX, audiences: MAX_AUDIENCES, keys: MAX_KEYS, maxClockSkewSeconds: MAX_CLOCK_SKEW_SECONDS } = ISSUER_LIMITS;
const MIN_RSA_BYTES = 256;
/** Members of a JWK that only a private or symmetric key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function urlOf(field: string, text: string, schemes: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`${field} "${text}" is not an absolute URL.`);
  }
  if (!schemes.includes(url.protocol)) throw invalid(`${field} must be an ${schemes.map((s) => s.replace(':', '')).join(' or ')} URL.`);
  if (url.hash || url.username || url.password) throw invalid(`${field} must not carry a fragment or credentials.`);
  return text;
}

/** The uploaded JWKS: 1–20 public asymmetric keys jose can import, each with a `kid` when there are several. */
async function publicJwksOf(value: unknown): Promise<JSONWebKeySet> {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== 'object' || value === null || !Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) {
    throw invalid(`jwks must be a JSON Web Key Set: {"keys": [...]} with 1 to ${MAX_KEYS} public keys.`);
  }
  const out: JWK[] = [];
  for (const [i, key] of keys.entries()) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid(`jwks.keys[${i}] is not a JSON Web Key.`);
    const jwk = key as JWK;
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') throw invalid(`jwks.keys[${i}]: kty must be RSA, EC or OKP (public keys only).`);
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw invalid(`jwks.keys[${i}] holds private key material; upload public keys only.`);
    if (jwk.kty === 'RSA' && Buffer.from(typeof jwk.n === 'string' ? jwk.n : '', 'base64url').length < MIN_RSA_BYTES) {
      throw invalid(`jwks.keys[${i}] is not a usable public key: RSA keys must have a modulus of at least 2048 bits.`);
    }
    if (keys.length > 1 && typeof jwk.kid !== 'string') throw invalid(`jwks.keys[${i}] needs a kid: a set of several keys is searched by kid.`);
    try {
      await importJWK({ ...jwk, ext: true }, jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'OKP' ? 'EdDSA' : jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : 'ES256'));
    } catch (error) {
      throw invalid(`jwks.keys[${i}] is not a usable public key: ${(error as Error).message}`);
    }
    out.push(jwk);
  }
  return { keys: out };
}

/**
 * Checks an issuer as a client sent it (create, or the whole of an update): a name, a type, the
 * issuer URL (http or https: the `iss` is compared as text), 1–20 audiences, exactly one of
 * `jwks_url` (https, or http when `httpJwksAllowed`) and `jwks` (public keys), algorithms among the
 * asymmetric ones (default RS256 and ES256; `none` and HS* are refused), and a clock skew of
 * 0–300 s (default 60).
 */
export async function checkIssuerInput(input: IssuerInput, httpJwksAllowed: boolean): Promise<IssuerSettings> {
  const name = input.name.trim();
  if (name === '' || name.length > NAME_MAX) throw invalid(`name must be 1 to ${NAME_MAX} characters.`);
  if (!(ISSUER_TYPES as readonly string[]).includes(input.type)) throw invalid(`type must be one of ${ISSUER_TYPES.join(', ')}.`);
  const issuer = urlOf('issuer', input.issuer, ['https:', 'http:']);
  const audiences = [...new Set(input.audiences)];
  if (audiences.length === 0 || audiences.length > MAX_AUDIENCES || audiences.some((a) => a.trim() === '')) {
    throw invalid(`audiences must list 1 to ${MAX_AUDIENCES} non-empty audiences a token must carry one of.`);
  }
  if ((input.jwksUrl === undefined) === (input.jwks === undefined)) {
    throw invalid('Give exactly one of jwks_url (keys fetched from the issuer) and jwks (keys uploaded).');
  }
  const jwksUrl = input.jwksUrl === undefined ? null : urlOf('jwks_url', input.jwksUrl, httpJwksAllowed ? ['https:', 'http:'] : ['https:']);
  const jwks = input.jwks === undefined ? null : await publicJwksOf(input.jwks);
  if (jwks && JSON.stringify(jwks).length > limits.opaque * 8) throw invalid('jwks is too large.');
  const algorithms = [...new Set(input.algorithms ?? DEFAULT_ALGORITHMS)];
  const refused = algorithms.filter((a) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a));
  if (algorithms.length === 0 || refused.length > 0) {
    throw invalid(`algorithms must list one or more of ${ASYMMETRIC_ALGORITHMS.join(', ')}${refused.length ? `; not allowed: ${refused.join(', ')}` : ''}. "none" and HMAC algorithms are never accepted.`);
  }
  const skew = input.maxClockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (!Number.isInteger(skew) || skew < 0 || skew > MAX_CLOCK_SKEW_SECONDS) throw invalid(`max_clock_skew_seconds must be an integer from 0 to ${MAX_CLOCK_SKEW_SECONDS}.`);
  if (input.resourceCrn !== undefined && !parseCrn(input.resourceCrn)) throw invalid(`resource_crn "${input.resourceCrn}" is not a CRN.`);
  return {
    name,
    description: input.description ?? null,
    type: input.type as IssuerType,
    issuer,
    audiences,
    jwksUrl,
    jwks,
    algorithms,
    maxClockSkewSeconds: skew,
    resourceCrn: input.resourceCrn ?? null,
  };
}
