import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkloadConfig } from '../../src/config.js';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

/**
 * A stand-in workload-token issuer for tests: its own RS256 key pair, its JWKS served over
 * node:http on 127.0.0.1 and an ephemeral port (counting fetches), and Kubernetes-shaped
 * service-account tokens signed with it. `rotate()` replaces the key (new kid) as a cluster does.
 */
export interface TestIssuer {
  /** The `iss` of its tokens (its base URL). */
  url: string;
  jwksUrl: string;
  /** The JWKS it serves now (public keys). */
  jwks(): { keys: JWK[] };
  /** How many times the JWKS was fetched. */
  fetches(): number;
  /** A service-account token (claims override the defaults). */
  serviceAccountToken(options?: ServiceAccountTokenOptions): Promise<string>;
  rotate(): Promise<void>;
  close(): Promise<void>;
}

export interface ServiceAccountTokenOptions {
  namespace?: string;
  serviceAccount?: string;
  audience?: string | string[];
  /** Lifetime in seconds from now (negative: already expired). */
  expiresIn?: number;
  claims?: JWTPayload;
  /** Sign as another issuer URL (the `iss` claim). */
  iss?: string;
}

interface Key {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** The workload section of a test server's config: plain-http JWKS URLs allowed (the test issuer's). */
export const workloadConfig = (overrides: Partial<WorkloadConfig> = {}): WorkloadConfig => ({
  jwksHttpAllowed: true,
  jwksTimeoutMs: 5000,
  jwksCooldownMs: 30_000,
  jwksMaxAgeMs: 600_000,
  ...overrides,
});

export async function startTestIssuer(): Promise<TestIssuer> {
  let key = await newKey('k1');
  let generation = 1;
  let fetched = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/openid/v1/jwks') {
      fetched++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    jwksUrl: `${url}/openid/v1/jwks`,
    jwks: () => ({ keys: [key.publicJwk] }),
    fetches: () => fetched,
    async serviceAccountToken(options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const namespace = options.namespace ?? 'default';
      const name = options.serviceAccount ?? 'app';
      return new SignJWT({
        'kubernetes.io': { namespace, serviceaccount: { name, uid: '7b0d0c4e-0000-4000-8000-000000000001' }, pod: { name: `${name}-pod`, uid: 'pod-uid' } },
        ...options.claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(options.iss ?? url)
        .setSubject(`system:serviceaccount:${namespace}:${name}`)
        .setAudience(options.audience ?? 'portcullis')
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + (options.expiresIn ?? 600))
        .sign(key.privateKey);
    },
    async rotate() {
      generation++;
      key = await newKey(`k${generation}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
