import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { identityClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, GOOD_PASSWORD, memberWithPassword, postJson, type Reply } from './helpers.js';

describe("the console's session tokens: a short-lived access token of a live session, for cookie and CSRF token only", () => {
  let server: TestServer;
  const clock = manualClock(new Date('2026-03-01T10:00:00Z'));

  const signIn = (login: string) => postJson(server.url, '/signin/password', { username: login, password: GOOD_PASSWORD });
  const cookieOf = (reply: Reply) => reply.headers.get('set-cookie')!.split(';')[0]!;
  const tokenFor = async (headers: Record<string, string>): Promise<Reply> => {
    const response = await fetch(`${server.url}/signin/session/token`, { method: 'POST', headers });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };

  /** Signs `login` in (a new member) while the account has `settings`, and runs `use` with the session's token call; the settings are reset after. */
  const withSettings = async (
    login: string,
    settings: { sessionExpirationInSeconds?: string; sessionInvalidationInSeconds?: string },
    use: (session: Reply, token: () => Promise<Reply>) => Promise<void>,
  ) => {
    await memberWithPassword(server, login);
    const owner = identityClient(server.url, server.owner.apikey);
    await owner.updateAccountSettings({ accountId: server.owner.accountId, ifMatch: '*', ...settings });
    try {
      const session = await signIn(login);
      await use(session, () => tokenFor({ cookie: cookieOf(session), 'x-csrf-token': session.body.csrf_token }));
    } finally {
      const reset = Object.fromEntries(Object.keys(settings).map((name) => [name, 'NOT_SET']));
      await owner.updateAccountSettings({ accountId: server.owner.accountId, ifMatch: '*', ...reset });
    }
  };

  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(async () => server?.close());

  it("issues a bearer token of the session's user that the APIs accept, never stored by caches, without a refresh token", async () => {
    const iamId = await memberWithPassword(server, 'console@example.com');
    const session = await signIn('console@example.com');
    const issued = await tokenFor({ cookie: cookieOf(session), 'x-csrf-token': session.body.csrf_token });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(issued.body).toMatchObject({ token_type: 'Bearer', session: { id: session.body.id, iam_id: iamId, account_id: server.owner.accountId } });
    expect(issued.body.refresh_token).toBeUndefined();
    const claims = claimsOf(issued.body.access_token);
    expect(claims).toMatchObject({ iam_id: iamId, account: { bss: server.owner.accountId }, acr: 1, amr: ['pwd'] });
    expect(claims.exp - claims.iat).toBe(issued.body.expires_in);
    const me = await fetch(`${server.url}/v1/apikeys?account_id=${server.owner.accountId}&iam_id=${iamId}`, {
      headers: { authorization: `Bearer ${issued.body.access_token}` },
    });
    expect(me.status).toBe(200);
  });

  it('refuses without the CSRF token (403), without a live session (401), and after sign-out', async () => {
    await memberWithPassword(server, 'csrf@example.com');
    const session = await signIn('csrf@example.com');
    const other = await signIn('csrf@example.com');
    expect((await tokenFor({ cookie: cookieOf(session) })).status).toBe(403);
    expect((await tokenFor({ cookie: cookieOf(session), 'x-csrf-token': other.body.csrf_token })).status).toBe(403);
    expect((await tokenFor({ 'x-csrf-token': session.body.csrf_token })).status).toBe(401);
    const out = await postJson(server.url, '/signin/logout', {}, { cookie: cookieOf(session), 'x-csrf-token': session.body.csrf_token });
    expect(out.status).toBe(204);
    expect((await tokenFor({ cookie: cookieOf(session), 'x-csrf-token': session.body.csrf_token })).status).toBe(401);
  });

  it('never issues a token that outlives its session', async () => {
    await withSettings('short@example.com', { sessionExpirationInSeconds: '1800' }, async (session, token) => {
      clock.advance(20 * 60_000);
      const issued = await token();
      expect(issued.status).toBe(201);
      expect(claimsOf(issued.body.access_token).exp).toBe(Date.parse(session.body.expires_at) / 1000);
      expect(issued.body.expires_in).toBe(10 * 60);
    });
  });

  it("never issues a token that outlives the session's inactivity limit, and says when that is", async () => {
    await withSettings('idle@example.com', { sessionInvalidationInSeconds: '900' }, async (_session, token) => {
      clock.advance(10 * 60_000);
      const issued = await token();
      expect(issued.status).toBe(201);
      const idleEnd = clock.now().getTime() + 900_000;
      expect(Date.parse(issued.body.session.idle_expires_at)).toBe(idleEnd);
      expect(claimsOf(issued.body.access_token).exp).toBe(idleEnd / 1000);
      expect(issued.body.expires_in).toBe(900);
      // Used again within the limit, the session lives on; idle past it, it has ended.
      clock.advance(14 * 60_000);
      expect(Date.parse((await token()).body.session.idle_expires_at)).toBe(clock.now().getTime() + 900_000);
      clock.advance(15 * 60_000 + 1000);
      expect((await token()).status).toBe(401);
    });
  });
});
