import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityClient } from '../helpers/sdk.js';
import { newAccount, type Identity } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addMembership, claimsOf, GOOD_PASSWORD, memberWithPassword, postJson, type Reply } from './helpers.js';

/**
 * The console's account switcher (raw HTTP: no SDK operation): `GET /signin/accounts` lists the
 * accounts the session's user is an ACTIVE member of; `POST /signin/session/switch` moves the
 * session to one of them under that account's rules, as a sign-in there would be.
 */
describe('account switching: the accounts of the signed-in user, and a session moved under the target account’s rules', () => {
  let server: TestServer;
  let second: Identity;

  const cookieOf = (reply: Reply) => reply.headers.get('set-cookie')!.split(';')[0]!;
  const signIn = (login: string, more: Record<string, string> = {}) => postJson(server.url, '/signin/password', { username: login, password: GOOD_PASSWORD, ...more });
  const session = (reply: Reply) => ({ cookie: cookieOf(reply), 'x-csrf-token': reply.body.csrf_token as string });
  const accounts = async (headers: Record<string, string>): Promise<Reply> => {
    const response = await fetch(`${server.url}/signin/accounts`, { headers });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };
  const switchTo = (headers: Record<string, string>, account: string) => postJson(server.url, '/signin/session/switch', { account }, headers);
  const tokenOf = (headers: Record<string, string>) => postJson(server.url, '/signin/session/token', undefined, headers);

  beforeAll(async () => {
    server = await startTestServer();
    second = await newAccount(server);
  });
  afterAll(async () => server?.close());

  it('lists only the accounts where the user is an active member, with names and the current one', async () => {
    const iamId = await memberWithPassword(server, 'two@example.com');
    await addMembership(server, second.accountId, iamId);
    const disabledIn = await newAccount(server);
    await addMembership(server, disabledIn.accountId, iamId, 'DISABLED_CLASSIC_INFRASTRUCTURE');
    const signedIn = await signIn('two@example.com', { account: server.owner.accountId });
    const listed = await accounts({ cookie: cookieOf(signedIn) });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    expect(listed.body.accounts.map((a: any) => [a.id, a.current]).sort()).toEqual(
      [
        [server.owner.accountId, true],
        [second.accountId, false],
      ].sort(),
    );
    expect(listed.body.accounts.every((a: any) => typeof a.name === 'string' && a.name.length > 0)).toBe(true);
    expect(JSON.stringify(listed.body)).not.toContain(disabledIn.accountId);
    expect((await accounts({})).status).toBe(401);
  });

  it('moves the session: a new one in the target account for the same person, the old one ended, never outliving it, audited', async () => {
    const iamId = await memberWithPassword(server, 'mover@example.com');
    await addMembership(server, second.accountId, iamId);
    const before = await signIn('mover@example.com', { account: server.owner.accountId });
    const moved = await switchTo(session(before), second.accountId);
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    expect(moved.headers.get('cache-control')).toBe('no-store');
    expect(moved.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
    expect(moved.body).toMatchObject({ iam_id: iamId, account_id: second.accountId, acr: 1, amr: ['pwd'], csrf_token: expect.any(String) });
    expect(moved.body.id).not.toBe(before.body.id);
    expect(Date.parse(moved.body.expires_at)).toBeLessThanOrEqual(Date.parse(before.body.expires_at));
    const token = await tokenOf(session(moved));
    expect(token.status).toBe(201);
    expect(claimsOf(token.body.access_token)).toMatchObject({ iam_id: iamId, account: { bss: second.accountId } });
    // The old session ended: its cookie no longer works, and it cannot switch again.
    expect((await tokenOf(session(before))).status).toBe(401);
    expect((await switchTo(session(before), second.accountId)).status).toBe(401);
    // And back: the same person, in the first account again.
    const back = await switchTo(session(moved), server.owner.accountId);
    expect(back.status).toBe(201);
    expect(back.body.account_id).toBe(server.owner.accountId);
    const events = await server.server.registry.database.db
      .selectFrom('audit_events')
      .select(['action', 'account_id', 'target_id'])
      .where('target_id', 'in', [before.body.id, moved.body.id])
      .where('action', 'in', ['iam-identity.session.switch', 'iam-identity.session.create'])
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { action: 'iam-identity.session.create', account_id: server.owner.accountId, target_id: before.body.id },
      { action: 'iam-identity.session.switch', account_id: server.owner.accountId, target_id: before.body.id },
      { action: 'iam-identity.session.create', account_id: second.accountId, target_id: moved.body.id },
      { action: 'iam-identity.session.switch', account_id: second.accountId, target_id: moved.body.id },
    ]);
  });

  it('moves a session once when it is switched many times at once: one new session, the others 401', async () => {
    const iamId = await memberWithPassword(server, 'racer@example.com');
    await addMembership(server, second.accountId, iamId);
    const signedIn = await signIn('racer@example.com', { account: server.owner.accountId });
    const answers = await Promise.all(Array.from({ length: 6 }, () => switchTo(session(signedIn), second.accountId)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 401, 401, 401, 401, 401]);
    const live = await fetch(`${server.url}/signin/sessions`, { headers: { cookie: cookieOf(answers.find((a) => a.status === 201)!) } });
    expect(((await live.json()) as { sessions: unknown[] }).sessions).toHaveLength(1);
  });

  it('refuses an account where the person is no member, or a disabled one, the same way; the session lives on', async () => {
    const iamId = await memberWithPassword(server, 'stranger@example.com');
    const disabledIn = await newAccount(server);
    await addMembership(server, disabledIn.accountId, iamId, 'DISABLED_CLASSIC_INFRASTRUCTURE');
    const signedIn = await signIn('stranger@example.com');
    for (const account of [second.accountId, disabledIn.accountId, 'a'.repeat(32)]) {
      const refused = await switchTo(session(signedIn), account);
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].code).toBe('not_account_member');
    }
    expect((await tokenOf(session(signedIn))).status).toBe(201);
  });

  it("refuses without the session's CSRF token, with another person's, and without a session", async () => {
    const alice = await memberWithPassword(server, 'alice-sw@example.com');
    await addMembership(server, second.accountId, alice);
    await memberWithPassword(server, 'bob-sw@example.com');
    const a = await signIn('alice-sw@example.com', { account: server.owner.accountId });
    const b = await signIn('bob-sw@example.com');
    expect((await switchTo({ cookie: cookieOf(a) }, second.accountId)).status).toBe(403);
    // Bob's cookie with Alice's CSRF token, and the reverse: neither moves anyone.
    expect((await switchTo({ cookie: cookieOf(b), 'x-csrf-token': a.body.csrf_token }, second.accountId)).status).toBe(403);
    expect((await switchTo({ cookie: cookieOf(a), 'x-csrf-token': b.body.csrf_token }, second.accountId)).status).toBe(403);
    expect((await switchTo({ 'x-csrf-token': a.body.csrf_token }, second.accountId)).status).toBe(401);
    // Bob holds no membership of the second account: his own session cannot go there either.
    expect((await switchTo(session(b), second.accountId)).status).toBe(400);
    expect((await tokenOf(session(a))).body.session.account_id).toBe(server.owner.accountId);
  });

  it("asks for a sign-in with the second factor when the target account's MFA requirement is above the session's", async () => {
    const iamId = await memberWithPassword(server, 'stepup@example.com');
    const strict = await newAccount(server);
    await addMembership(server, strict.accountId, iamId);
    await identityClient(server.url, strict.apikey).updateAccountSettings({ accountId: strict.accountId, ifMatch: '*', mfa: 'TOTP' });
    const signedIn = await signIn('stepup@example.com', { account: server.owner.accountId });
    const refused = await switchTo(session(signedIn), strict.accountId);
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0]).toMatchObject({ code: 'step_up_required', details: { account_id: strict.accountId, requirements: { mfa: 'TOTP', acr: 2 } } });
    expect((await tokenOf(session(signedIn))).status).toBe(201);

    // Signed in with a one-time code (acr 2), the same person may move there.
    const bearer = { authorization: `Bearer ${(await tokenOf(session(signedIn))).body.access_token}` };
    const enrolled = await postJson(server.url, '/signin/mfa/totp', {}, bearer);
    const totp = new TOTP({ secret: Secret.fromBase32(enrolled.body.secret) });
    expect((await postJson(server.url, '/signin/mfa/totp/confirm', { passcode: totp.generate() }, bearer)).status).toBe(200);
    const strong = await signIn('stepup@example.com', { account: server.owner.accountId, passcode: totp.generate({ timestamp: Date.now() + 30_000 }) });
    expect(strong.status, JSON.stringify(strong.body)).toBe(201);
    const moved = await switchTo(session(strong), strict.accountId);
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    expect(moved.body).toMatchObject({ account_id: strict.accountId, acr: 2 });
  });

  it("refuses when the target account's allowed IP addresses exclude the client", async () => {
    const iamId = await memberWithPassword(server, 'fenced@example.com');
    const fenced = await newAccount(server);
    await addMembership(server, fenced.accountId, iamId);
    await identityClient(server.url, fenced.apikey).updateAccountSettings({ accountId: fenced.accountId, ifMatch: '*', allowedIpAddresses: '203.0.113.7' });
    // Every node reads an account's list again at most a second after it changed (http/allowed-ips.ts).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const signedIn = await signIn('fenced@example.com', { account: server.owner.accountId });
    const refused = await switchTo(session(signedIn), fenced.accountId);
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].code).toBe('ip_address_not_allowed');
    expect((await tokenOf(session(signedIn))).status).toBe(201);
  });
});

describe('API-key sign-in into a browser session: no key in the browser, the key’s identity, ending with the key', () => {
  let server: TestServer;
  const cookieOf = (reply: Reply) => reply.headers.get('set-cookie')!.split(';')[0]!;
  const tokenOf = (reply: Reply) => postJson(server.url, '/signin/session/token', undefined, { cookie: cookieOf(reply), 'x-csrf-token': reply.body.csrf_token });

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it("opens a session as the key's identity whose tokens stop once the key is deleted", async () => {
    const ids = identityClient(server.url, server.owner.apikey);
    const sid = (await ids.createServiceId({ accountId: server.owner.accountId, name: 'console-sid' })).result;
    const key = (await ids.createApiKey({ name: 'console', iamId: sid.iam_id!, accountId: server.owner.accountId, storeValue: false })).result;
    const started = await postJson(server.url, '/signin/apikey', { apikey: key.apikey });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.headers.get('set-cookie')).toMatch(/^portcullis_session=.*HttpOnly; SameSite=Lax/);
    expect(started.body).toMatchObject({ iam_id: sid.iam_id, account_id: server.owner.accountId, csrf_token: expect.any(String) });
    const token = await tokenOf(started);
    expect(token.status).toBe(201);
    expect(claimsOf(token.body.access_token)).toMatchObject({ iam_id: sid.iam_id, grant_type: 'urn:ibm:params:oauth:grant-type:apikey' });
    // A reload asks again with the cookie and CSRF token: still signed in, the key not needed.
    expect((await tokenOf(started)).status).toBe(201);
    // The session cannot move to another account: an API key belongs to one.
    const moved = await postJson(server.url, '/signin/session/switch', { account: server.owner.accountId }, { cookie: cookieOf(started), 'x-csrf-token': started.body.csrf_token });
    expect(moved.status).toBe(403);
    expect(moved.body.errors[0].code).toBe('reauthentication_required');
    await ids.deleteApiKey({ id: key.id! });
    const after = await tokenOf(started);
    expect(after.status).toBe(400);
    expect(after.body.access_token).toBeUndefined();
  });

  it("ends by the key's expiry, and refuses unknown keys", async () => {
    const ids = identityClient(server.url, server.owner.apikey);
    const expiresAt = new Date(Date.now() + 600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const key = (await ids.createApiKey({ name: 'short', iamId: server.owner.iamId, accountId: server.owner.accountId, expiresAt } as any)).result;
    const started = await postJson(server.url, '/signin/apikey', { apikey: key.apikey });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(Date.parse(started.body.expires_at)).toBeLessThanOrEqual(Date.parse(expiresAt));
    const unknown = await postJson(server.url, '/signin/apikey', { apikey: 'not-a-key-anyone-holds' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('set-cookie')).toBeNull();
  });
});

describe('API-key sign-in into a session is rate-limited as every credential check', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimit: { windowSeconds: 60, failuresPerAddress: 3, failuresPerKey: 1000, checksPerAddress: 1000 } } });
  });
  afterAll(async () => server?.close());

  it('refuses an address that guessed too many keys, even with a right one', async () => {
    for (let i = 0; i < 3; i++) expect((await postJson(server.url, '/signin/apikey', { apikey: `guess-${i}` })).status).toBe(400);
    const right = await postJson(server.url, '/signin/apikey', { apikey: server.owner.apikey });
    expect(right.status).toBe(429);
    expect(right.headers.get('set-cookie')).toBeNull();
  });
});
