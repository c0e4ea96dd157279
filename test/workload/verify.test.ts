import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenRefusal } from '../../src/workload/errors.js';
import type { TrustedIssuer } from '../../src/workload/types.js';
import { verifyWorkloadToken } from '../../src/workload/verify.js';

/** Verification of workload tokens, without a server: each refusal has its own reason. */

const NOW = new Date('2026-01-01T00:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const ISS = 'https://cluster.example.com';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let rsa: Keys;
let other: Keys;
let ec: Keys;
let rs384: Keys;
let issuer: TrustedIssuer;

beforeAll(async () => {
  rsa = await generateKeyPair('RS256');
  other = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
  rs384 = await generateKeyPair('RS384');
  issuer = {
    id: 'TrustedIssuer-1',
    accountId: 'a'.repeat(32),
    name: 'cluster',
    description: null,
    type: 'kubernetes',
    issuer: ISS,
    audiences: ['portcullis'],
    jwksUrl: null,
    jwks: { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'r1' }, { ...(await exportJWK(ec.publicKey)), kid: 'e1' }] },
    algorithms: ['RS256', 'ES256'],
    maxClockSkewSeconds: 30,
    resourceCrn: 'crn:v1:bluemix:public:containers-kubernetes:us-south:a/x::cluster:c1',
    createdBy: 'IBMid-1',
    createdAt: NOW.toISOString(),
    modifiedAt: NOW.toISOString(),
    entityTag: '1-a',
  };
});

const claims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: ISS,
  aud: 'portcullis',
  sub: 'system:serviceaccount:prod:api',
  iat: nowSeconds,
  nbf: nowSeconds,
  exp: nowSeconds + 600,
  'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'api' } },
  ...overrides,
});

async function sign(payload: JWTPayload, options: { key?: Keys; alg?: string; kid?: string } = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'r1' }).sign((options.key ?? rsa).privateKey);
}

const verify = (token: string, candidates: TrustedIssuer[] = [issuer]) =>
  verifyWorkloadToken({ token, candidates: async (iss) => candidates.filter((c) => c.issuer === iss), keysOf: (i) => createLocalJWKSet(i.jwks!), now: NOW });

async function reasonOf(token: Promise<string> | string, candidates?: TrustedIssuer[]): Promise<string> {
  const error = await verify(await token, candidates).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof TokenRefusal)) throw new Error(`expected a refusal, got ${String(error)}`);
  expect(error.details.messageCode).toMatch(/^BXNIM0\d{3}E$/);
  return error.reason;
}

describe('workload token verification', () => {
  it('accepts a good RS256 or ES256 token and reads the service account from it', async () => {
    const identity = await verify(await sign(claims()));
    expect(identity).toMatchObject({ namespace: 'prod', name: 'api', crn: issuer.resourceCrn });
    const byEc = await verify(await sign(claims(), { key: ec, alg: 'ES256', kid: 'e1' }));
    expect(byEc.name).toBe('api');
  });

  it('accepts clocks that differ by less than the issuer\'s skew', async () => {
    await expect(verify(await sign(claims({ exp: nowSeconds - 20, nbf: nowSeconds + 20, iat: nowSeconds + 20 })))).resolves.toBeDefined();
  });

  it.each([
    ['garbage', async () => 'not-a-jwt', 'malformed'],
    ['alg none', async () => new UnsecuredJWT(claims()).encode(), 'algorithm_not_allowed'],
    ['HS256', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('s'.repeat(32))), 'algorithm_not_allowed'],
    ['an algorithm the issuer does not allow', async () => sign(claims(), { key: rs384, alg: 'RS384' }), 'algorithm_not_allowed'],
    ['an unregistered issuer', async () => sign(claims({ iss: 'https://elsewhere.example.com' })), 'unknown_issuer'],
    ['no iss', async () => sign(claims({ iss: undefined })), 'missing_claim'],
    ['the wrong audience', async () => sign(claims({ aud: 'someone-else' })), 'audience_mismatch'],
    ['an expired token', async () => sign(claims({ exp: nowSeconds - 31 })), 'expired'],
    ['no exp (a legacy secret token)', async () => sign(claims({ exp: undefined })), 'missing_claim'],
    ['a token not valid yet', async () => sign(claims({ nbf: nowSeconds + 31 })), 'not_yet_valid'],
    ['a token issued in the future', async () => sign(claims({ iat: nowSeconds + 31 })), 'issued_in_future'],
    ['a token re-signed with another key', async () => sign(claims(), { key: other }), 'bad_signature'],
    ['an unknown kid', async () => sign(claims(), { key: other, kid: 'r9' }), 'unknown_key'],
  ])('refuses %s', async (_what, token, reason) => {
    expect(await reasonOf(token())).toBe(reason);
  });

  it('refuses an issuer URL that several accounts trust unless the grant narrows it to one', async () => {
    const token = await sign(claims());
    expect(await reasonOf(token, [issuer, { ...issuer, id: 'TrustedIssuer-2', accountId: 'b'.repeat(32) }])).toBe('ambiguous_issuer');
  });
});
