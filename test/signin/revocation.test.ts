import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { identityClient, usersClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventually, GOOD_PASSWORD, memberWithPassword, passwordForm, postJson, resetSecretsFor, tokenCall, type Reply } from './helpers.js';

/**
 * Revocation: what a user holds from before a credential changes (a browser session, a refresh
 * token, an access token) stops working at once and on every node, because the instant is stored
 * in the database in the same write as the change. Access tokens are refused within the
 * authenticator's cache bound (1 s of the server's clock), which the tests step over.
 */
describe('revocation of sessions and tokens', () => {
  let server: TestServer;
  const clock = manualClock(new Date('2026-03-01T10:00:05Z'));

  /** Everything a user signed in with: a session (cookie, CSRF), and a password-grant token pair. */
  interface Held {
    cookie: string;
    csrf: string;
    access: string;
    refresh: string;
  }

  /** Signs in twice (a session, then the password grant); `more` gives each sign-in's extra fields (a fresh one-time code). */
  async function hold(login: string, password = GOOD_PASSWORD, more: () => Record<string, string> = () => ({})): Promise<Held> {
    const session = await postJson(server.url, '/signin/password', { username: login, password, ...more() });
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    const granted = await tokenCall(server.url, passwordForm(login, password, more()));
    expect(granted.status, JSON.stringify(granted.body)).toBe(200);
    return {
      cookie: session.headers.get('set-cookie')!.split(';')[0]!,
      csrf: session.body.csrf_token,
      access: granted.body.access_token,
      refresh: granted.body.refresh_token,
    };
  }
  const sessionStatus = async (held: Held) => (await fetch(`${server.url}/signin/sessions`, { headers: { cookie: held.cookie } })).status;
  const bearerStatus = async (held: Held) => (await fetch(`${server.url}/signin/mfa`, { headers: { authorization: `Bearer ${held.access}` } })).status;
  const refreshOf = (held: Held) => tokenCall(server.url, { grant_type: 'refresh_token', refresh_token: held.refresh });
  /** Steps over the authenticator's 1 s cache bound, and past the second of the revocation. */
  const later = () => clock.advance(1100);

  async function expectRevoked(held: Held): Promise<void> {
    later();
    expect(await sessionStatus(held)).toBe(401);
    expect(await bearerStatus(held)).toBe(401);
    const refreshed = await refreshOf(held);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.errorCode).toBe('BXNIM0407E');
  }
  async function expectLive(held: Held): Promise<void> {
    expect(await sessionStatus(held)).toBe(200);
    expect(await bearerStatus(held)).toBe(200);
  }

  const auditActions = async (targetId: string) =>
    (await server.server.registry.database.db.selectFrom('audit_events').select(['action', 'detail']).where('target_id', '=', targetId).execute()).map((e) => e.action);

  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(async () => server?.close());

  it('a password reset ends every session and refuses the refresh and access tokens issued before it', async () => {
    const iamId = await memberWithPassword(server, 'rv-reset@example.com');
    const before = await hold('rv-reset@example.com');
    later();
    await postJson(server.url, '/signin/password/reset', { username: 'rv-reset@example.com' });
    await eventually(() => resetSecretsFor(server.database.dataDir, 'rv-reset@example.com').length === 1);
    const secret = resetSecretsFor(server.database.dataDir, 'rv-reset@example.com')[0]!;
    expect((await postJson(server.url, '/signin/password/reset/confirm', { token: secret, password: 'a fresh reset passphrase' })).status).toBe(204);
    await expectRevoked(before);
    // Signing in anew works, and its tokens are not affected.
    const after = await hold('rv-reset@example.com', 'a fresh reset passphrase');
    await expectLive(after);
    expect((await refreshOf(after)).status).toBe(200);
    expect(await auditActions(iamId)).toEqual(expect.arrayContaining(['iam-identity.password.reset', 'iam-identity.signin.revoke']));
  });

  it('a password change needs the current password, and revokes what was signed in before, the caller included', async () => {
    await memberWithPassword(server, 'rv-change@example.com');
    const before = await hold('rv-change@example.com');
    later();
    const change = (body: unknown) => postJson(server.url, '/signin/password/change', body, { authorization: `Bearer ${before.access}` });
    const wrong = await change({ current_password: 'not my password at all', new_password: 'a changed passphrase' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].code).toBe('current_password_incorrect');
    expect((await change({ current_password: GOOD_PASSWORD, new_password: 'password123' })).status).toBe(400);
    await expectLive(before);
    expect((await change({ current_password: GOOD_PASSWORD, new_password: 'a changed passphrase' })).status).toBe(204);
    await expectRevoked(before);
    expect((await tokenCall(server.url, passwordForm('rv-change@example.com', GOOD_PASSWORD))).status).toBe(400);
    await expectLive(await hold('rv-change@example.com', 'a changed passphrase'));
  });

  it('removing the TOTP authenticator revokes what was signed in before', async () => {
    await memberWithPassword(server, 'rv-mfa@example.com');
    const first = await hold('rv-mfa@example.com');
    const bearer = { authorization: `Bearer ${first.access}` };
    const started = await postJson(server.url, '/signin/mfa/totp', {}, bearer);
    const code = () => TOTP.generate({ secret: Secret.fromBase32(started.body.secret), timestamp: clock.now().getTime() });
    expect((await postJson(server.url, '/signin/mfa/totp/confirm', { passcode: code() }, bearer)).status).toBe(200);
    clock.advance(30_000);
    const withCode = await hold('rv-mfa@example.com', GOOD_PASSWORD, () => {
      clock.advance(30_000);
      return { passcode: code() };
    });
    clock.advance(30_000);
    later();
    expect((await postJson(server.url, '/signin/mfa/totp/remove', { passcode: code() }, { authorization: `Bearer ${withCode.access}` })).status).toBe(204);
    await expectRevoked(first);
    await expectRevoked(withCode);
  });

  it("an administrator's removal of a user ends their sessions and tokens in that account", async () => {
    const iamId = await memberWithPassword(server, 'rv-removed@example.com');
    const before = await hold('rv-removed@example.com');
    later();
    await usersClient(server.url, server.owner.apikey).removeUser({ accountId: server.owner.accountId, iamId });
    await expectRevoked(before);
    const events = await server.server.registry.database.db
      .selectFrom('audit_events')
      .select(['action', 'initiator_iam_id'])
      .where('target_id', '=', iamId)
      .where('action', '=', 'iam-identity.signin.revoke')
      .execute();
    expect(events).toEqual([{ action: 'iam-identity.signin.revoke', initiator_iam_id: server.owner.iamId }]);
  });

  it("refuses to refresh a password sign-in below the MFA level the account now asks of the user; an API key's refresh is exempt", async () => {
    await memberWithPassword(server, 'rv-level@example.com');
    const signedIn = await hold('rv-level@example.com');
    const keyToken = await tokenCall(server.url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: server.owner.apikey }, null);
    const owner = identityClient(server.url, server.owner.apikey);
    await owner.updateAccountSettings({ accountId: server.owner.accountId, ifMatch: '*', mfa: 'TOTP' });
    try {
      const refused = await refreshOf(signedIn);
      expect(refused.status).toBe(400);
      expect(refused.body.errorDetails).toMatch(/higher multifactor authentication level/);
      expect((await tokenCall(server.url, { grant_type: 'refresh_token', refresh_token: keyToken.body.refresh_token }, null)).status).toBe(200);
    } finally {
      await owner.updateAccountSettings({ accountId: server.owner.accountId, ifMatch: '*', mfa: 'NONE' });
    }
  });

  it("rotates a password sign-in's refresh token, and a reused one revokes the whole chain", async () => {
    await memberWithPassword(server, 'rv-reuse@example.com');
    const first = await hold('rv-reuse@example.com');
    const second = await refreshOf(first);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh);
    const stolen: Reply = await refreshOf(first);
    expect(stolen.status).toBe(400);
    const descendant = await tokenCall(server.url, { grant_type: 'refresh_token', refresh_token: second.body.refresh_token });
    expect(descendant.status).toBe(400);
    expect(descendant.body.errorDetails).toMatch(/reused/);
  });
});
