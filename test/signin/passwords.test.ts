import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { newAccount } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  accept,
  claimsOf,
  eventually,
  GOOD_PASSWORD,
  invite,
  memberWithPassword,
  passwordForm,
  postJson,
  resetSecretsFor,
  tokenCall,
} from './helpers.js';

describe('passwords: set at invitation, password grant, reset by e-mail', () => {
  let server: TestServer;
  const clock = manualClock(new Date());

  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(async () => server?.close());

  it('a new user chooses a password when redeeming the invitation and signs in with it through the password grant', async () => {
    const iamId = await memberWithPassword(server, 'pia@example.com');
    const granted = await tokenCall(server.url, passwordForm('pia@example.com', GOOD_PASSWORD));
    expect(granted.status).toBe(200);
    const claims = claimsOf(granted.body.access_token);
    expect(claims).toMatchObject({ iam_id: iamId, grant_type: 'password', client_id: 'bx', acr: 1, amr: ['pwd'], account: { bss: server.owner.accountId } });

    // The refresh token keeps how the user signed in.
    const refreshed = await tokenCall(server.url, { grant_type: 'refresh_token', refresh_token: granted.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({ iam_id: iamId, grant_type: 'password', acr: 1 });

    // The token works on the management APIs as the user.
    const me = await fetch(`${server.url}/v2/accounts/${server.owner.accountId}/users/${iamId}`, { headers: { authorization: `Bearer ${granted.body.access_token}` } });
    expect(me.status).toBe(200);
  });

  it('stores only an argon2id hash of the password', async () => {
    const iamId = await memberWithPassword(server, 'hash@example.com');
    const row = await server.server.registry.database.db.selectFrom('user_passwords').selectAll().where('iam_id', '=', iamId).executeTakeFirstOrThrow();
    expect(row.hash.startsWith('$argon2id$')).toBe(true);
    expect(row.hash).not.toContain(GOOD_PASSWORD);
  });

  it('refuses a weak password at acceptance without spending the invitation', async () => {
    const secret = await invite(server, 'weak@example.com');
    for (const [password, code] of [
      ['short1!', 'password_too_short'],
      ['password123', 'password_too_common'],
      ['Qwertyuiop', 'password_too_common'],
      ['weak@example.com', 'password_is_login'],
    ] as const) {
      const refused = await accept(server, secret, password);
      expect(refused.status, password).toBe(400);
      expect(refused.body.errors[0].code, password).toBe(code);
    }
    // Still good: nothing was written by the refusals.
    expect((await accept(server, secret, GOOD_PASSWORD)).status).toBe(202);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    await memberWithPassword(server, 'alike@example.com');
    const wrong = await tokenCall(server.url, passwordForm('alike@example.com', 'not the password at all'));
    const unknown = await tokenCall(server.url, passwordForm('nobody@example.com', 'not the password at all'));
    // A user who has only an API key (no password) is refused the same way.
    const keyOnly = await tokenCall(server.url, passwordForm('owner@example.com', 'not the password at all'));
    for (const reply of [wrong, unknown, keyOnly]) {
      expect(reply.status).toBe(400);
      expect(reply.body.errorCode).toBe('BXNIM0602E');
      expect(reply.body.errorMessage).toBe(wrong.body.errorMessage);
    }
  });

  it('needs client credentials, a username and a password', async () => {
    const noClient = await tokenCall(server.url, passwordForm('pia@example.com', GOOD_PASSWORD), null);
    expect(noClient.status).toBe(400);
    expect(noClient.body.errorCode).toBe('BXNIM0308E');
    const noUser = await tokenCall(server.url, { grant_type: 'password', password: GOOD_PASSWORD });
    expect(noUser.body.errorCode).toBe('BXNIM0109E');
    const noPassword = await tokenCall(server.url, { grant_type: 'password', username: 'pia@example.com' });
    expect(noPassword.body.errorCode).toBe('BXNIM0109E');
  });

  it('signs in to a named account only where the user is an active member', async () => {
    await memberWithPassword(server, 'named@example.com');
    const here = await tokenCall(server.url, passwordForm('named@example.com', GOOD_PASSWORD, { account: server.owner.accountId }));
    expect(claimsOf(here.body.access_token).account.bss).toBe(server.owner.accountId);
    const other = await newAccount(server);
    const elsewhere = await tokenCall(server.url, passwordForm('named@example.com', GOOD_PASSWORD, { account: other.accountId }));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errorCode).toBe('BXNIM0141E');
  });

  it('resets a forgotten password through a single-use e-mailed link', async () => {
    const dataDir = server.database.dataDir;
    await memberWithPassword(server, 'forgot@example.com');
    // Known and unknown logins get the same answer; only the known one gets mail.
    expect((await postJson(server.url, '/signin/password/reset', { username: 'forgot@example.com' })).status).toBe(202);
    expect((await postJson(server.url, '/signin/password/reset', { username: 'ghost@example.com' })).status).toBe(202);
    await eventually(() => resetSecretsFor(dataDir, 'forgot@example.com').length === 1);
    expect(resetSecretsFor(dataDir, 'ghost@example.com')).toEqual([]);
    const secret = resetSecretsFor(dataDir, 'forgot@example.com')[0]!;

    // A weak new password is refused and leaves the link usable.
    const weak = await postJson(server.url, '/signin/password/reset/confirm', { token: secret, password: 'letmein123' });
    expect(weak.status).toBe(400);
    const newPassword = 'a brand new passphrase';
    expect((await postJson(server.url, '/signin/password/reset/confirm', { token: secret, password: newPassword })).status).toBe(204);
    expect((await postJson(server.url, '/signin/password/reset/confirm', { token: secret, password: 'yet another passphrase' })).status).toBe(400);

    expect((await tokenCall(server.url, passwordForm('forgot@example.com', GOOD_PASSWORD))).status).toBe(400);
    expect((await tokenCall(server.url, passwordForm('forgot@example.com', newPassword))).status).toBe(200);
  });

  it('lets only the newest link work, and none after it expires', async () => {
    const dataDir = server.database.dataDir;
    await memberWithPassword(server, 'expiry@example.com');
    await postJson(server.url, '/signin/password/reset', { username: 'expiry@example.com' });
    await eventually(() => resetSecretsFor(dataDir, 'expiry@example.com').length === 1);
    // Outbox files are named by the (manual) clock: a second later sorts after.
    clock.advance(1000);
    await postJson(server.url, '/signin/password/reset', { username: 'expiry@example.com' });
    await eventually(() => resetSecretsFor(dataDir, 'expiry@example.com').length === 2);
    const [older, newer] = resetSecretsFor(dataDir, 'expiry@example.com');
    expect((await postJson(server.url, '/signin/password/reset/confirm', { token: older, password: 'passphrase number one' })).status).toBe(400);
    clock.advance(3601 * 1000);
    const expired = await postJson(server.url, '/signin/password/reset/confirm', { token: newer, password: 'passphrase number one' });
    expect(expired.status).toBe(400);
    expect(expired.body.errors[0].code).toBe('reset_link_invalid');
  });

  it('spends a reset link once when it is redeemed concurrently', async () => {
    const dataDir = server.database.dataDir;
    await memberWithPassword(server, 'race@example.com');
    await postJson(server.url, '/signin/password/reset', { username: 'race@example.com' });
    await eventually(() => resetSecretsFor(dataDir, 'race@example.com').length === 1);
    const token = resetSecretsFor(dataDir, 'race@example.com')[0]!;
    const replies = await Promise.all(
      ['first racing passphrase', 'second racing passphrase', 'third racing passphrase'].map((password) =>
        postJson(server.url, '/signin/password/reset/confirm', { token, password }),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([204, 400, 400]);
  });
});

describe('passwords: repeated failures lock the login', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimit: { windowSeconds: 60, failuresPerAddress: 1000, failuresPerKey: 3, checksPerAddress: 1000 } } });
  });
  afterAll(async () => server?.close());

  it('locks a login after repeated failures, alike whether the user exists, and leaves other logins alone', async () => {
    await memberWithPassword(server, 'locked@example.com');
    await memberWithPassword(server, 'fine@example.com');
    for (const login of ['locked@example.com', 'ghost@example.com']) {
      for (let i = 0; i < 3; i++) expect((await tokenCall(server.url, passwordForm(login, `wrong password ${i}`))).status).toBe(400);
    }
    const real = await tokenCall(server.url, passwordForm('locked@example.com', GOOD_PASSWORD));
    const ghost = await tokenCall(server.url, passwordForm('GHOST@example.com', GOOD_PASSWORD));
    expect(real.status).toBe(429);
    expect(ghost.status).toBe(429);
    // The same answer but for the seconds left, which depend on when each login's window began.
    const shape = (body: any) => ({ ...body, errorMessage: String(body.errorMessage).replace(/\d+/g, 'N'), context: undefined });
    expect(shape(real.body)).toEqual(shape(ghost.body));
    expect((await tokenCall(server.url, passwordForm('fine@example.com', GOOD_PASSWORD))).status).toBe(200);
  });
});
