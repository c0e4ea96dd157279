import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { issuerCrn } from './context.js';
import { refuse, TokenRefusal } from './errors.js';
import type { TrustedIssuer, WorkloadIdentity } from './types.js';

/**
 * Verification of compute-resource (workload) tokens. Given the issuers registered for the
 * token's `iss` and a key source per issuer, a token is accepted only when:
 * - it is a compact JWS whose header `alg` is an asymmetric algorithm the issuer allows (`none`
 *   and HS* are refused before anything else: they would let a verifier mint tokens);
 * - its `iss` names exactly one trusted issuer among `candidates` (the accounts the grant may act
 *   in; several accounts trusting one URL must be told apart by the grant's account or profile);
 * - the signature verifies with a key of that issuer (an unknown `kid` re-reads a remote JWKS,
 *   rate limited by the cache);
 * - `aud` holds one of the issuer's audiences; `exp` is present and not past, `nbf` and `iat` not
 *   in the future, each with the issuer's clock skew.
 * Every refusal is a TokenRefusal naming its reason. No I/O of its own; the clock is passed in.
 */

export interface VerifyInput {
  token: string;
  /** The issuers trusted for this token's `iss`, in the accounts the grant may act in. */
  candidates: (iss: string) => Promise<TrustedIssuer[]>;
  keysOf: (issuer: TrustedIssuer) => JWTVerifyGetKey;
  now: Date;
}

const SYMMETRIC_OR_NONE = /^(none|HS\d+)$/i;

/** The `iss` and `alg` of a token, read without verification, to find its issuer. */
export function unverifiedIssuer(token: string): { iss: string; alg: string } {
  let alg: unknown;
  let iss: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
    iss = decodeJwt(token).iss;
  } catch {
    throw refuse('malformed', 'The compute resource token is malformed.', 'cr_token must be a signed JWT in compact form.');
  }
  if (typeof alg !== 'string') throw refuse('malformed', 'The compute resource token is malformed.', 'Its header has no alg.');
  if (SYMMETRIC_OR_NONE.test(alg)) {
    throw refuse('algorithm_not_allowed', `The compute resource token is signed with ${alg}, which is never accepted.`, 'Tokens must be signed with an asymmetric algorithm the trusted issuer allows.');
  }
  if (typeof iss !== 'string' || iss === '') throw refuse('missing_claim', 'The compute resource token has no iss claim.');
  return { iss, alg };
}

function refusalOf(error: unknown, issuer: TrustedIssuer): TokenRefusal {
  if (error instanceof TokenRefusal) return error;
  if (error instanceof joseErrors.JWTExpired) return refuse('expired', 'The compute resource token is expired.');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return refuse('algorithm_not_allowed', `The compute resource token's algorithm is not allowed for issuer ${issuer.issuer}.`, `Allowed: ${issuer.algorithms.join(', ')}.`);
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return refuse('bad_signature', 'The compute resource token signature is invalid.');
  if (error instanceof joseErrors.JWKSNoMatchingKey) return refuse('unknown_key', `No key of issuer ${issuer.issuer} matches the compute resource token.`);
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return refuse('jwks_unavailable', `The keys of issuer ${issuer.issuer} could not be read.`, 'Try again later, or upload the JWKS to the trusted issuer.');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return refuse('audience_mismatch', 'The compute resource token is not meant for this server.', `Its aud must include one of: ${issuer.audiences.join(', ')}.`);
    if (error.claim === 'nbf') return refuse('not_yet_valid', 'The compute resource token is not valid yet (nbf).');
    if (error.claim === 'exp') return refuse('missing_claim', 'The compute resource token has no exp claim.', 'Tokens without an expiry (legacy service-account secrets) are not accepted.');
    return refuse('malformed', `The compute resource token claim "${error.claim}" is invalid: ${error.reason}.`);
  }
  if (error instanceof joseErrors.JOSEError) return refuse('malformed', 'The compute resource token is malformed.');
  // A failed fetch of a remote JWKS (connection refused, DNS) surfaces as a plain error.
  return refuse('jwks_unavailable', `The keys of issuer ${issuer.issuer} could not be read.`, 'Try again later, or upload the JWKS to the trusted issuer.');
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The facts links and rules match on, read from a verified token by the kind of its issuer. */
export function identityOf(issuer: TrustedIssuer, claims: JWTPayload): WorkloadIdentity {
  const base = { issuer, crn: issuer.resourceCrn ?? issuerCrn(issuer.accountId, issuer.id), claims };
  if (issuer.type === 'kubernetes') {
    // Projected service-account tokens: {"kubernetes.io": {namespace, serviceaccount: {name}}};
    // legacy ones: flat "kubernetes.io/serviceaccount/..." claims.
    const k8s = (claims['kubernetes.io'] ?? {}) as { namespace?: unknown; serviceaccount?: { name?: unknown } };
    const namespace = text(k8s.namespace) ?? text(claims['kubernetes.io/serviceaccount/namespace']);
    const name = text(k8s.serviceaccount?.name) ?? text(claims['kubernetes.io/serviceaccount/service-account.name']);
    return { ...base, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
  }
  if (issuer.type === 'code_engine') {
    const componentType = text(claims.component_type);
    const componentName = text(claims.component_name);
    const namespace = text(claims.project_id);
    return { ...base, ...(componentType ? { componentType } : {}), ...(componentName ? { componentName } : {}), ...(namespace ? { namespace } : {}) };
  }
  const sub = text(claims.sub);
  return { ...base, ...(sub ? { name: sub } : {}) };
}

/** Verifies a workload token (see above) and returns the compute resource it describes. */
export async function verifyWorkloadToken(input: VerifyInput): Promise<WorkloadIdentity> {
  const { iss, alg } = unverifiedIssuer(input.token);
  const found = await input.candidates(iss);
  if (found.length === 0) throw refuse('unknown_issuer', `The issuer ${iss} of the compute resource token is not trusted.`, 'Register it as a trusted issuer of the account.');
  if (found.length > 1) {
    throw refuse('ambiguous_issuer', `Several accounts trust the issuer ${iss}.`, 'Name the profile by profile_id or profile_crn, or give the account.');
  }
  const issuer = found[0]!;
  if (!issuer.algorithms.includes(alg)) {
    throw refuse('algorithm_not_allowed', `The compute resource token is signed with ${alg}, which issuer ${iss} does not allow.`, `Allowed: ${issuer.algorithms.join(', ')}.`);
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(input.token, input.keysOf(issuer), {
      algorithms: issuer.algorithms,
      issuer: issuer.issuer,
      audience: issuer.audiences,
      clockTolerance: issuer.maxClockSkewSeconds,
      currentDate: input.now,
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    throw refusalOf(error, issuer);
  }
  if (typeof payload.iat === 'number' && payload.iat > input.now.getTime() / 1000 + issuer.maxClockSkewSeconds) {
    throw refuse('issued_in_future', 'The compute resource token is issued in the future (iat).');
  }
  return identityOf(issuer, payload);
}
