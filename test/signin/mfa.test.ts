import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { identityClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, GOOD_PASSWORD, memberWithPassword, passwordForm, postJson, tokenCall, type Reply } from './helpers.js';

/** A member who signed in with their password, and what they call /signin/mfa with. */
interface Person {
  login: string;
  iamId: string;
  bearer: Record<string, string>;
}

describe('MFA: TOTP enrolment, recovery codes, and the account requirement at sign-in', () => {
  let server: TestServer;
  // TOTP codes follow the server's clock: the tests move it by whole 30-second steps.
  const clock = manualClock(new Date('2026-03-01T10:00:05Z'));
  const codeAt = (secret: string, offsetMs = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: clock.now().getTime() + offsetMs });

  const setMfa = async (mfa: string, userMfa?: Array<{ iam_id: string; mfa: string }>) => {
    const owner = identityClient(server.url, server.owner.apikey);
    await owner.updateAccountSettings({ accountId: server.owner.accountId, ifMatch: '*', mfa, ...(userMfa ? { userMfa } : {}) });
  };

  async function signedIn(login: string): Promise<Person> {
    const iamId = await memberWithPassword(server, login);
    const granted = await tokenCall(server.url, passwordForm(login, GOOD_PASSWORD));
    expect(granted.status).toBe(200);
    return { login, iamId, bearer: { authorization: `Bearer ${granted.body.access_token}` } };
  }
  const call = async (person: Person, method: string, path: string, body?: unknown): Promise<Reply> => {
    if (method === 'POST') return postJson(server.url, path, body ?? {}, person.bearer);
    const response = await fetch(`${server.url}${path}`, { headers: person.bearer });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };

  /** Enrols and confirms an authenticator; returns its secret and the recovery codes. */
  async function enrol(person: Person): Promise<{ secret: string; recoveryCodes: string[] }> {
    const started = await call(person, 'POST', '/signin/mfa/totp');
    expect(started.status).toBe(201);
    const confirmed = await call(person, 'POST', '/signin/mfa/totp/confirm', { passcode: codeAt(started.body.secret) });
    expect(confirmed.status).toBe(200);
    clock.advance(30_000);
    return { secret: started.body.secret, recoveryCodes: confirmed.body.recovery_codes };
  }

  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(async () => server?.close());

  it('enrols an authenticator with a QR code, confirms it with a first code, and shows the recovery codes once', async () => {
    const pia = await signedIn('totp-pia@example.com');
    expect((await call(pia, 'GET', '/signin/mfa')).body).toEqual({ totp: 'none', recovery_codes_left: 0, passkeys: 0 });
    const started = await call(pia, 'POST', '/signin/mfa/totp');
    expect(started.status).toBe(201);
    expect(started.body.otpauth_url).toMatch(/^otpauth:\/\/totp\/Portcullis:totp-pia%40example\.com\?.*secret=/);
    expect(started.body.qr_code).toMatch(/^data:image\/png;base64,/);
    expect((await call(pia, 'GET', '/signin/mfa')).body.totp).toBe('pending');

    expect((await call(pia, 'POST', '/signin/mfa/totp/confirm', { passcode: '000000' })).status).toBe(400);
    const confirmed = await call(pia, 'POST', '/signin/mfa/totp/confirm', { passcode: codeAt(started.body.secret) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recovery_codes).toHaveLength(10);
    expect(new Set(confirmed.body.recovery_codes).size).toBe(10);
    const status = (await call(pia, 'GET', '/signin/mfa')).body;
    expect(status).toMatchObject({ totp: 'confirmed', recovery_codes_left: 10 });

    // A second enrolment needs the first removed; the secret is sealed at rest, the codes hashed.
    expect((await call(pia, 'POST', '/signin/mfa/totp')).status).toBe(409);
    const db = server.server.registry.database.db;
    const row = await db.selectFrom('mfa_totp').selectAll().where('iam_id', '=', pia.iamId).executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(started.body.secret);
    const codes = await db.selectFrom('mfa_recovery_codes').select('code_hash').where('iam_id', '=', pia.iamId).execute();
    expect(codes.map((c) => c.code_hash)).not.toContain(confirmed.body.recovery_codes[0]);
    clock.advance(30_000);
  });

  it('requires a one-time code at sign-in when the account sets TOTP, accepts each code once, and records the level in the token', async () => {
    const ana = await signedIn('totp-ana@example.com');
    const { secret, recoveryCodes } = await enrol(ana);
    await setMfa('TOTP');
    try {
      const missing = await tokenCall(server.url, passwordForm(ana.login, GOOD_PASSWORD));
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ errorCode: 'BXNIM0109E', requirements: { mfa: 'TOTP', passcode: 'required' } });

      const code = codeAt(secret);
      const granted = await tokenCall(server.url, passwordForm(ana.login, GOOD_PASSWORD, { passcode: code }));
      expect(granted.status).toBe(200);
      expect(claimsOf(granted.body.access_token)).toMatchObject({ acr: 2, amr: ['pwd', 'totp'], grant_type: 'password' });
      // The refresh keeps the level.
      const refreshed = await tokenCall(server.url, { grant_type: 'refresh_token', refresh_token: granted.body.refresh_token });
      expect(claimsOf(refreshed.body.access_token)).toMatchObject({ acr: 2, amr: ['pwd', 'totp'] });

      // The same code again is a replay.
      const replay = await tokenCall(server.url, passwordForm(ana.login, GOOD_PASSWORD, { passcode: code }));
      expect(replay.status).toBe(400);
      expect(replay.body.errorCode).toBe('BXNIM0602E');
      expect((await tokenCall(server.url, passwordForm(ana.login, GOOD_PASSWORD, { passcode: '123456' }))).status).toBe(400);

      // A recovery code works once, typed in any case.
      const recovery = await tokenCall(server.url, passwordForm(ana.login, GOOD_PASSWORD, { passcode: recoveryCodes[0]!.toUpperCase() }));
      expect(recovery.status).toBe(200);
      expect(claimsOf(recovery.body.access_token)).toMatchObject({ acr: 2, amr: ['pwd', 'otp'] });
      expect((await tokenCall(server.url, passwordForm(ana.login, GOOD_PASSWORD, { passcode: recoveryCodes[0]! }))).status).toBe(400);
      const me = { ...ana, bearer: { authorization: `Bearer ${recovery.body.access_token}` } };
      expect((await call(me, 'GET', '/signin/mfa')).body.recovery_codes_left).toBe(9);

      // A wrong password says nothing of the second factor.
      const wrong = await tokenCall(server.url, passwordForm(ana.login, 'a wrong password'));
      expect(wrong.body.requirements).toBeUndefined();
    } finally {
      await setMfa('NONE');
    }
    clock.advance(30_000);
  });

  it('accepts a code once also when it is sent many times at once', async () => {
    const ola = await signedIn('totp-race@example.com');
    const { secret } = await enrol(ola);
    const code = codeAt(secret);
    const replies = await Promise.all(Array.from({ length: 6 }, () => tokenCall(server.url, passwordForm(ola.login, GOOD_PASSWORD, { passcode: code }))));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    clock.advance(30_000);
  });

  it('refuses users without an authenticator when MFA is required, honours user_mfa, and the NONE_NO_ROPC and LEVEL3 settings', async () => {
    const bo = await signedIn('mfa-bo@example.com');
    const eli = await signedIn('mfa-eli@example.com');
    const { secret } = await enrol(eli);
    try {
      await setMfa('TOTP4ALL', [{ iam_id: eli.iamId, mfa: 'NONE' }]);
      const notEnrolled = await tokenCall(server.url, passwordForm(bo.login, GOOD_PASSWORD));
      expect(notEnrolled.status).toBe(400);
      expect(notEnrolled.body.requirements).toMatchObject({ mfa: 'TOTP4ALL', enrolment: 'required' });
      // Eli is exempt: a password suffices, and a code given anyway raises the level.
      expect(claimsOf((await tokenCall(server.url, passwordForm(eli.login, GOOD_PASSWORD))).body.access_token).acr).toBe(1);
      expect(claimsOf((await tokenCall(server.url, passwordForm(eli.login, GOOD_PASSWORD, { passcode: codeAt(secret) }))).body.access_token).acr).toBe(2);

      await setMfa('NONE', [{ iam_id: eli.iamId, mfa: 'LEVEL3' }]);
      expect((await tokenCall(server.url, passwordForm(bo.login, GOOD_PASSWORD))).status).toBe(200);
      expect((await tokenCall(server.url, passwordForm(eli.login, GOOD_PASSWORD, { passcode: codeAt(secret, 30_000) }))).status).toBe(400);

      await setMfa('NONE_NO_ROPC', []);
      const refused = await tokenCall(server.url, passwordForm(bo.login, GOOD_PASSWORD));
      expect(refused.status).toBe(400);
      expect(refused.body.errorMessage).toContain('password grant');
      // API keys still work.
      expect((await identityClient(server.url, server.owner.apikey).getAccountSettings({ accountId: server.owner.accountId })).status).toBe(200);
    } finally {
      await setMfa('NONE', []);
    }
  });

  it('removes an authenticator only with a current code, and lets only users enrol', async () => {
    const kai = await signedIn('mfa-kai@example.com');
    const { secret } = await enrol(kai);
    expect((await call(kai, 'POST', '/signin/mfa/totp/remove', { passcode: '000000' })).status).toBe(400);
    expect((await call(kai, 'POST', '/signin/mfa/totp/remove', { passcode: codeAt(secret) })).status).toBe(204);
    expect((await call(kai, 'GET', '/signin/mfa')).body.totp).toBe('none');

    const ids = identityClient(server.url, server.owner.apikey);
    const sid = (await ids.createServiceId({ accountId: server.owner.accountId, name: 'mfa-bot' })).result;
    const key = (await ids.createApiKey({ name: 'k', iamId: sid.iam_id!, accountId: server.owner.accountId })).result;
    const bot = await tokenCall(server.url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: key.apikey! }, null);
    const asBot = { login: '', iamId: sid.iam_id!, bearer: { authorization: `Bearer ${bot.body.access_token}` } };
    expect((await call(asBot, 'POST', '/signin/mfa/totp')).status).toBe(403);
  });

  it('reports real enrolment: getMfaStatus per user and the MFA report of the account, for administrators only', async () => {
    const enrolledUser = await signedIn('report-yes@example.com');
    await enrol(enrolledUser);
    const plain = await signedIn('report-no@example.com');
    const admin = identityClient(server.url, server.owner.apikey);
    await setMfa('TOTP', [{ iam_id: plain.iamId, mfa: 'LEVEL3' }]);
    try {
      const yes = (await admin.getMfaStatus({ accountId: server.owner.accountId, iamId: enrolledUser.iamId })).result;
      expect(yes).toMatchObject({
        iam_id: enrolledUser.iamId,
        effective_mfa_type: 'TOTP',
        id_based_mfa: { trait_account_default: 'TOTP', trait_effective: 'TOTP', complies: true },
      });
      const no = (await admin.getMfaStatus({ accountId: server.owner.accountId, iamId: plain.iamId })).result;
      expect(no.id_based_mfa).toMatchObject({ trait_user_specific: 'LEVEL3', trait_effective: 'LEVEL3', complies: false });

      const { reference } = (await admin.createMfaReport({ accountId: server.owner.accountId, type: 'mfa_status' })).result;
      const report = (await admin.getMfaReport({ accountId: server.owner.accountId, reference: 'latest' })).result;
      expect(report.reference).toBe(reference);
      const byId = new Map((report.users ?? []).map((u) => [u.iam_id, u]));
      expect(byId.get(enrolledUser.iamId)?.id_based_mfa.complies).toBe(true);
      expect(byId.get(plain.iamId)?.id_based_mfa.complies).toBe(false);
      expect(byId.get(enrolledUser.iamId)?.username).toBe('report-yes@example.com');

      // A member without the permission sees neither; a non-member's status is not found.
      const asMember = await fetch(`${server.url}/v1/mfa/accounts/${server.owner.accountId}/status?iam_id=${plain.iamId}`, { headers: plain.bearer });
      expect(asMember.status).toBe(403);
      const ownerToken = await tokenCall(server.url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: server.owner.apikey }, null);
      const asOwner = { authorization: `Bearer ${ownerToken.body.access_token}` };
      const missing = await fetch(`${server.url}/v1/mfa/accounts/${server.owner.accountId}/status?iam_id=IBMid-0000000000`, { headers: asOwner });
      expect(missing.status).toBe(404);
      // The activity-report API does not answer with an MFA report.
      const asActivity = await fetch(`${server.url}/v1/activity/accounts/${server.owner.accountId}/report/${reference}`, { headers: asOwner });
      expect(asActivity.status).toBe(404);
    } finally {
      await setMfa('NONE', []);
    }
  });
});
