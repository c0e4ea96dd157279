import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { identityClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { GOOD_PASSWORD, memberWithPassword, postJson, type Reply } from './helpers.js';

describe('browser sessions: cookie, CSRF, expiry and inactivity from the account settings, sign-out, own sessions', () => {
  let server: TestServer;
  const clock = manualClock(new Date('2026-03-01T10:00:00Z'));

  const signIn = (login: string) => postJson(server.url, '/signin/password', { username: login, password: GOOD_PASSWORD });
  const cookieOf = (reply: Reply) => reply.headers.get('set-cookie')!.split(';')[0]!;
  const withSession = (cookie: string, csrf?: string) => ({ cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) });
  const listWith = async (cookie: string): Promise<Reply> => {
    const response = await fetch(`${server.url}/signin/sessions`, { headers: { cookie } });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };

  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(async () => server?.close());

  it('signs in into an HttpOnly, SameSite cookie, lists and ends sessions with the CSRF token, and refuses after sign-out', async () => {
    await memberWithPassword(server, 'browser@example.com');
    expect((await postJson(server.url, '/signin/password', { username: 'browser@example.com', password: 'wrong password here' })).status).toBe(400);
    const first = await signIn('browser@example.com');
    expect(first.status).toBe(201);
    const setCookie = first.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^portcullis_session=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=86400$/);
    expect(first.body).toMatchObject({ acr: 1, amr: ['pwd'], account_id: server.owner.accountId });
    const second = await signIn('browser@example.com');

    const listed = await listWith(cookieOf(first));
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((s: any) => [s.id, s.current])).toEqual(
      expect.arrayContaining([[first.body.id, true], [second.body.id, false]]),
    );
    // The cookie alone does not end a session: the CSRF token must come with it.
    expect((await postJson(server.url, '/signin/logout', {}, withSession(cookieOf(first)))).status).toBe(403);
    expect((await postJson(server.url, '/signin/logout', {}, withSession(cookieOf(first), second.body.csrf_token))).status).toBe(403);
    // Revoke the second from the first; then sign out of the first.
    const revoke = await fetch(`${server.url}/signin/sessions/${second.body.id}`, { method: 'DELETE', headers: withSession(cookieOf(first), first.body.csrf_token) });
    expect(revoke.status).toBe(204);
    expect((await listWith(cookieOf(second))).status).toBe(401);
    const out = await postJson(server.url, '/signin/logout', {}, withSession(cookieOf(first), first.body.csrf_token));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await listWith(cookieOf(first))).status).toBe(401);
  });

  it("lets nobody end another user's session", async () => {
    await memberWithPassword(server, 'mine@example.com');
    await memberWithPassword(server, 'theirs@example.com');
    const mine = await signIn('mine@example.com');
    const theirs = await signIn('theirs@example.com');
    const attempt = await fetch(`${server.url}/signin/sessions/${theirs.body.id}`, { method: 'DELETE', headers: withSession(cookieOf(mine), mine.body.csrf_token) });
    expect(attempt.status).toBe(404);
    expect((await listWith(cookieOf(theirs))).status).toBe(200);
  });

  it("ends sessions after the account's inactivity limit and at its absolute expiry", async () => {
    await memberWithPassword(server, 'idle@example.com');
    await identityClient(server.url, server.owner.apikey).updateAccountSettings({
      accountId: server.owner.accountId,
      ifMatch: '*',
      sessionExpirationInSeconds: '3600',
      sessionInvalidationInSeconds: '900',
    });
    try {
      const idle = await signIn('idle@example.com');
      expect(idle.headers.get('set-cookie')).toContain('Max-Age=3600');
      const busy = await signIn('idle@example.com');
      // Activity every 10 minutes keeps `busy` alive; `idle` is left alone for more than 15.
      for (let i = 0; i < 3; i++) {
        clock.advance(600_000);
        expect((await listWith(cookieOf(busy))).status).toBe(200);
      }
      expect((await listWith(cookieOf(idle))).status).toBe(401);
      // At the absolute expiry (an hour after sign-in), activity does not help.
      for (let i = 0; i < 2; i++) {
        clock.advance(600_000);
        expect((await listWith(cookieOf(busy))).status).toBe(200);
      }
      clock.advance(600_000);
      expect((await listWith(cookieOf(busy))).status).toBe(401);
    } finally {
      await identityClient(server.url, server.owner.apikey).updateAccountSettings({
        accountId: server.owner.accountId,
        ifMatch: '*',
        sessionExpirationInSeconds: 'NOT_SET',
        sessionInvalidationInSeconds: 'NOT_SET',
      });
    }
  });
});
