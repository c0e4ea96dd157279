import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { bearerOf } from '../helpers/identities.js';
import { authenticatorFor } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { apikeyForm, decodeJwt, foreignToken, postToken, reencode, seedApiKey, seedServiceId, seedUser } from './fixtures.js';

describe('token API', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the SDK IamAuthenticator gets a token for the owner API key', async () => {
    const header = await bearerOf(t.url, t.owner.apikey);
    expect(header).toMatch(/^Bearer ey/);
    const { header: jose, payload } = decodeJwt(header.slice('Bearer '.length));
    expect(jose).toEqual({ kid: expect.any(String), alg: 'RS256' });
    expect(payload).toMatchObject({ iam_id: t.owner.iamId, account: { valid: true, bss: t.owner.accountId }, iss: `${t.url}/identity` });
  });

  it('answers a grant with exactly IBM fields, no-store and ibm-cloud-service-name', async () => {
    const { status, headers, body } = await postToken(t.url, apikeyForm(t.owner.apikey));
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expiration', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'ibm openid' });
    expect(headers.get('ibm-cloud-service-name')).toBe('iam-identity');
    expect(headers.get('cache-control')).toBe('no-store');
  });

  it('accepts the account in the query and the client in Basic auth', async () => {
    const { body } = await postToken(`${t.url}`, apikeyForm(t.owner.apikey), {
      authorization: `Basic ${Buffer.from('my-client:secret').toString('base64')}`,
    });
    expect(decodeJwt(body.access_token as string).payload.client_id).toBe('my-client');
    const other = await fetch(`${t.url}/identity/token?account=0123456789abcdef0123456789abcdef`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(apikeyForm(t.owner.apikey)).toString(),
    });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ errorCode: 'BXNIM0141E' });
  });

  it('reports errors in the token shape with BXNIM codes', async () => {
    const missing = await postToken(t.url, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      errorCode: 'BXNIM0109E',
      errorMessage: 'Property missing or empty: grant_type.',
      errorDetails: expect.stringContaining('grant_type'),
      context: expect.objectContaining({ requestId: expect.any(String) }),
    });
    expect(missing.headers.get('ibm-cloud-service-name')).toBe('iam-identity');

    const unknown = await postToken(t.url, apikeyForm('not-a-key'));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ errorCode: 'BXNIM0415E', errorMessage: 'Provided API key could not be found.' });

    expect((await postToken(t.url, { grant_type: 'authorization_code', code: 'c' })).body).toMatchObject({ errorCode: 'BXNIM0106E' });
    // The password grant needs the client's Basic credentials, as at IBM.
    expect((await postToken(t.url, { grant_type: 'password', username: 'u', password: 'p' })).body).toMatchObject({ errorCode: 'BXNIM0308E' });
    expect((await postToken(t.url, apikeyForm(t.owner.apikey, { response_type: 'uaa' }))).body).toMatchObject({ errorCode: 'BXNIM0106E' });
    expect((await postToken(t.url, { grant_type: 'refresh_token', refresh_token: 'nope' })).body).toMatchObject({ errorCode: 'BXNIM0407E' });

    for (const [type, body] of [
      ['application/json', JSON.stringify(apikeyForm(t.owner.apikey))],
      ['text/plain', 'grant_type=x'],
    ] as const) {
      const response = await fetch(`${t.url}/identity/token`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ errorCode: 'BXNIM0109E', errorMessage: expect.stringContaining('x-www-form-urlencoded') });
    }

    const get = await fetch(`${t.url}/identity/token`);
    expect(get.status).toBe(405);
    expect(await get.json()).toMatchObject({ errorCode: 'BXNIM0060E', errorDetails: 'HTTP 405 Method Not Allowed' });
  });

  it('the SDK reports a bad API key with the status and the message', async () => {
    const error = await bearerOf(t.url, 'no-such-api-key-value').catch((e: { status?: number; message: string }) => e);
    expect(error).toMatchObject({ status: 400, message: 'Provided API key could not be found.' });
  });

  it('refresh_token grant over HTTP; a consumed refresh token is refused', async () => {
    const first = await postToken(t.url, apikeyForm(t.owner.apikey));
    const second = await postToken(t.url, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(second.status).toBe(200);
    expect(decodeJwt(second.body.access_token as string).payload.iam_id).toBe(t.owner.iamId);
    const again = await postToken(t.url, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ errorCode: 'BXNIM0407E' });
  });

  it('publishes the JWKS without "use" and an OIDC discovery document', async () => {
    const jwks = (await (await fetch(`${t.url}/identity/keys`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n']);
    const discovery = (await (await fetch(`${t.url}/identity/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: `${t.url}/identity`,
      token_endpoint: `${t.url}/identity/token`,
      jwks_uri: `${t.url}/identity/keys`,
      grant_types_supported: [
        'urn:ibm:params:oauth:grant-type:apikey',
        'refresh_token',
        'urn:ibm:params:oauth:grant-type:cr-token',
        'urn:ibm:params:oauth:grant-type:assume',
        'password',
      ],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const openapi = (await (await fetch(`${t.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/identity/token', '/identity/keys', '/identity/.well-known/openid-configuration']));
  });

  it('rotation: new tokens carry the new kid, old ones still work on a management route', async () => {
    const before = await bearerOf(t.url, t.owner.apikey);
    await t.server.registry.signingKeys.rotate();
    const { body } = await postToken(t.url, apikeyForm(t.owner.apikey));
    const newKid = decodeJwt(body.access_token as string).header.kid;
    expect(newKid).not.toBe(decodeJwt(before.slice(7)).header.kid);
    const jwks = (await (await fetch(`${t.url}/identity/keys`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([newKid, decodeJwt(before.slice(7)).header.kid]));
    const list = (authorization: string) => fetch(`${t.url}/v1/serviceids?account_id=${t.owner.accountId}`, { headers: { authorization } });
    expect((await list(before)).status).toBe(200);
    expect((await list(`Bearer ${body.access_token as string}`)).status).toBe(200);
  });
});

describe('the SDK renews an expiring token', () => {
  it('fetches a new token once the current one is within its expiry window', async () => {
    // The server's clock runs 3595 s behind: every token it issues has 5 s left by the SDK's clock,
    // which the SDK treats as expired (it renews 10 s before exp).
    const clock = manualClock(new Date(Date.now() - 3595_000));
    const t = await startTestServer({ clock });
    try {
      const authenticator = authenticatorFor(t.url, t.owner.apikey);
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) {
        const options: { headers: Record<string, string> } = { headers: {} };
        await authenticator.authenticate(options);
        tokens.push(options.headers.Authorization!.slice('Bearer '.length));
      }
      expect(new Set(tokens).size).toBe(2);
      expect(decodeJwt(tokens[1]!).payload.jti).not.toBe(decodeJwt(tokens[0]!).payload.jti);
      for (const token of tokens) await expect(t.server.registry.authenticator.authenticate(token)).resolves.toMatchObject({ iamId: t.owner.iamId });
    } finally {
      await t.close();
    }
  });
});

describe('bearer tokens on a management route', () => {
  let t: TestServer;
  let owner: string;
  beforeAll(async () => {
    t = await startTestServer();
    owner = await bearerOf(t.url, t.owner.apikey);
  });
  afterAll(async () => {
    await t?.close();
  });

  const serviceIdCount = async () => Number((await t.server.registry.database.db.selectFrom('service_ids').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const createServiceId = (authorization: string) =>
    fetch(`${t.url}/v1/serviceids`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ account_id: t.owner.accountId, name: 'should-not-exist' }),
    });

  /** Every forged or unusable token is a 401 and creates nothing. */
  async function expectRefused(jwt: string) {
    const before = await serviceIdCount();
    const response = await createServiceId(`Bearer ${jwt}`);
    expect(response.status).toBe(401);
    expect(await serviceIdCount()).toBe(before);
  }

  it('accepts the real token (control)', async () => {
    const before = await serviceIdCount();
    expect((await createServiceId(owner)).status).toBe(201);
    expect(await serviceIdCount()).toBe(before + 1);
  });

  it('refuses tampered, alg none, HS256-with-public-key, foreign-key, expired and wrong-issuer tokens', async () => {
    const jwt = owner.slice('Bearer '.length);
    const { header, payload } = decodeJwt(jwt);
    const { kid, key } = t.server.registry.signingKeys.current();
    const now = Math.floor(Date.now() / 1000);

    await expectRefused(reencode(jwt, { payload: { ...payload, account: { valid: true, bss: 'ffffffffffffffffffffffffffffffff' } } }));
    await expectRefused(reencode(jwt, { header: { ...header, alg: 'none' }, signature: '' }));
    const jwk = (await (await fetch(`${t.url}/identity/keys`)).json()) as { keys: { kid: string }[] };
    await expectRefused(
      await new SignJWT(payload).setProtectedHeader({ kid, alg: 'HS256' }).sign(new TextEncoder().encode(JSON.stringify(jwk.keys[0]))),
    );
    await expectRefused((await foreignToken('209901010000-00000000', payload)).jwt);
    await expectRefused((await foreignToken(kid, payload)).jwt);
    await expectRefused(await new SignJWT({ ...payload, iat: now - 7200, exp: now - 3600 }).setProtectedHeader({ kid, alg: 'RS256' }).sign(key));
    await expectRefused(await new SignJWT({ ...payload, iss: 'https://iam.cloud.ibm.com/identity' }).setProtectedHeader({ kid, alg: 'RS256' }).sign(key));
  });

  it('refuses the token of a deleted service ID and of a user removed from the account', async () => {
    const { db } = t.server.registry.database;
    const sid = await seedServiceId(db, t.owner.accountId, 'short-lived');
    const sidKey = await seedApiKey(db, { iamId: sid.iamId, accountId: t.owner.accountId, ownerType: 'serviceid' });
    const member = await seedUser(db, t.owner.accountId);
    const memberKey = await seedApiKey(db, { iamId: member.iamId, accountId: t.owner.accountId, ownerType: 'user' });
    const sidToken = (await postToken(t.url, apikeyForm(sidKey.value))).body.access_token as string;
    const memberToken = (await postToken(t.url, apikeyForm(memberKey.value))).body.access_token as string;

    await db.deleteFrom('api_keys').where('iam_id', '=', sid.iamId).execute();
    await db.deleteFrom('service_ids').where('id', '=', sid.id).execute();
    await db.deleteFrom('account_users').where('iam_id', '=', member.iamId).execute();
    await new Promise((r) => setTimeout(r, 1100)); // the authenticator's principal cache bound
    await expectRefused(sidToken);
    await expectRefused(memberToken);
  });
});
