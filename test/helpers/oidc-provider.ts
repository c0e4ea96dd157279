import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * A test OpenID Connect provider on 127.0.0.1 (an ephemeral port), with its own RS256 key:
 * discovery, JWKS, an authorization endpoint that signs `person` in at once and redirects back with
 * a code, and a token endpoint that redeems the code (PKCE S256, the client's secret when it has
 * one) for an ID token. `idToken` overrides let tests build refused answers (wrong audience or
 * nonce, expired, signed with another key).
 */

export interface OidcPerson {
  sub: string;
  claims: Record<string, unknown>;
}

export interface IdTokenOverrides {
  aud?: string;
  nonce?: string;
  iss?: string;
  /** Seconds from now (negative: expired). */
  expiresIn?: number;
  /** Sign with a key the provider does not publish. */
  foreignKey?: boolean;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  person: OidcPerson;
  idToken: IdTokenOverrides;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the authorization endpoint signs in. */
  person: OidcPerson;
  /** Overrides for the next ID tokens issued (reset with `{}`). */
  idToken: IdTokenOverrides;
  /** The parameters of an authorization request URL (our login redirect's Location). */
  paramsOf(location: string): URLSearchParams;
  /** Follows an authorization request as the browser would: the callback URL the provider redirects to. */
  authorize(location: string): Promise<string>;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startTestOidcProvider(options: { clientId?: string; clientSecret?: string; person?: OidcPerson } = {}): Promise<TestOidcProvider> {
  const keys = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await exportJWK(keys.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, Grant>();
  let issuer = '';

  const provider: TestOidcProvider = {
    issuer: '',
    clientId: options.clientId ?? 'portcullis-test',
    clientSecret: options.clientSecret ?? randomBytes(16).toString('hex'),
    person: options.person ?? { sub: 'someone', claims: { email: 'someone@example.com' } },
    idToken: {},
    paramsOf: (location) => new URL(location).searchParams,
    async authorize(location) {
      const reply = await fetch(location, { redirect: 'manual' });
      const next = reply.headers.get('location');
      if (reply.status !== 302 || !next) throw new Error(`authorization request answered ${reply.status}`);
      return next;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function idTokenOf(grant: Grant): Promise<string> {
    const o = grant.idToken;
    const now = Math.floor(Date.now() / 1000);
    const key = o.foreignKey ? foreign.privateKey : keys.privateKey;
    return new SignJWT({ ...grant.person.claims, nonce: o.nonce ?? grant.nonce })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(o.iss ?? issuer)
      .setSubject(grant.person.sub)
      .setAudience(o.aud ?? grant.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + (o.expiresIn ?? 300))
      .sign(key);
  }

  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
        scopes_supported: ['openid', 'email', 'profile'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const p = url.searchParams;
      const redirectUri = p.get('redirect_uri') ?? '';
      if (p.get('client_id') !== provider.clientId || p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256' || !redirectUri) {
        return json(res, 400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, { clientId: provider.clientId, redirectUri, challenge: p.get('code_challenge') ?? '', nonce: p.get('nonce') ?? '', person: provider.person, idToken: { ...provider.idToken } });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      if (p.get('state')) back.searchParams.set('state', p.get('state')!);
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = await bodyOf(req);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const basic = req.headers.authorization?.startsWith('Basic ')
        ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8').split(':').map(decodeURIComponent)
        : undefined;
      const clientId = form.get('client_id') ?? basic?.[0];
      const secret = form.get('client_secret') ?? basic?.[1];
      if (!grant || form.get('grant_type') !== 'authorization_code' || form.get('redirect_uri') !== grant.redirectUri || challenge !== grant.challenge) {
        return json(res, 400, { error: 'invalid_grant' });
      }
      if (clientId !== grant.clientId || secret !== provider.clientSecret) return json(res, 401, { error: 'invalid_client' });
      return json(res, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: await idTokenOf(grant) });
    }
    return json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.issuer = issuer;
  return provider;
}
