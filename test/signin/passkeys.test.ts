import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { identityClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { SoftAuthenticator } from '../helpers/webauthn.js';
import { claimsOf, GOOD_PASSWORD, memberWithPassword, passwordForm, postJson, tokenCall, type Reply } from './helpers.js';

/** A member signed in through the password grant, with a software authenticator of their own. */
interface Person {
  login: string;
  iamId: string;
  bearer: Record<string, string>;
  authenticator: SoftAuthenticator;
}

describe('passkeys: registration bound to the signed-in user, and the second factor at sign-in', () => {
  let server: TestServer;
  const clock = manualClock(new Date('2026-03-01T10:00:05Z'));

  const setMfa = (mfa: string) =>
    identityClient(server.url, server.owner.apikey).updateAccountSettings({ accountId: server.owner.accountId, ifMatch: '*', mfa });

  const call = async (person: Person, method: string, path: string, body?: unknown): Promise<Reply> => {
    if (method === 'POST') return postJson(server.url, path, body ?? {}, person.bearer);
    const response = await fetch(`${server.url}${path}`, { method, headers: person.bearer });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };

  async function signedIn(login: string): Promise<Person> {
    const iamId = await memberWithPassword(server, login);
    const granted = await tokenCall(server.url, passwordForm(login, GOOD_PASSWORD));
    expect(granted.status).toBe(200);
    return { login, iamId, bearer: { authorization: `Bearer ${granted.body.access_token}` }, authenticator: new SoftAuthenticator(server.url) };
  }

  /** Registers a passkey named `name` with the person's authenticator; returns the server's record. */
  async function register(person: Person, name: string, counter = 0): Promise<any> {
    const options = await call(person, 'POST', '/signin/mfa/passkeys/options');
    expect(options.status).toBe(200);
    const { response } = person.authenticator.register(options.body, {}, counter);
    const registered = await call(person, 'POST', '/signin/mfa/passkeys', { name, response });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    return registered.body;
  }

  /** Asks for a sign-in challenge with the password. */
  const signInOptions = (login: string, password = GOOD_PASSWORD) => postJson(server.url, '/signin/passkey/options', { username: login, password });

  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(async () => server?.close());

  it('registers several named passkeys for the caller, lists and removes them; names are unique per user', async () => {
    const pia = await signedIn('pk-pia@example.com');
    const options = await call(pia, 'POST', '/signin/mfa/passkeys/options');
    expect(options.body).toMatchObject({ rp: { id: '127.0.0.1', name: 'Portcullis' }, attestation: 'none', user: { name: 'pk-pia@example.com' } });
    expect(options.body.challenge).toMatch(/^[\w-]{40,}$/);

    const laptop = await register(pia, 'laptop');
    expect(laptop).toMatchObject({ name: 'laptop', id: expect.any(String), created_at: expect.any(String) });
    clock.advance(1000);
    await register(pia, 'phone');
    const listed = await call(pia, 'GET', '/signin/mfa/passkeys');
    expect(listed.body.passkeys.map((p: any) => p.name)).toEqual(['laptop', 'phone']);
    expect(JSON.stringify(listed.body)).not.toMatch(/public_key|credential/);
    expect((await call(pia, 'GET', '/signin/mfa')).body).toMatchObject({ totp: 'none', passkeys: 2 });
    // The next options exclude the passkeys already registered.
    const again = await call(pia, 'POST', '/signin/mfa/passkeys/options');
    expect(again.body.excludeCredentials).toHaveLength(2);

    // A second passkey named like the first: 409.
    const dup = await call(pia, 'POST', '/signin/mfa/passkeys', { name: 'laptop', response: pia.authenticator.register(again.body).response });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].code).toBe('passkey_exists');

    expect((await call(pia, 'DELETE', `/signin/mfa/passkeys/${laptop.id}`)).status).toBe(204);
    // Removing a second factor revoked the caller's tokens (within the authenticator's 1 s cache bound): sign in again.
    clock.advance(1100);
    expect((await call(pia, 'GET', '/signin/mfa/passkeys')).status).toBe(401);
    const fresh = await tokenCall(server.url, passwordForm(pia.login, GOOD_PASSWORD));
    pia.bearer = { authorization: `Bearer ${fresh.body.access_token}` };
    expect((await call(pia, 'GET', '/signin/mfa/passkeys')).body.passkeys.map((p: any) => p.name)).toEqual(['phone']);
  });

  it("refuses a registration answering a used, expired or another user's challenge, or from another origin or relying party", async () => {
    const ana = await signedIn('pk-ana@example.com');
    const bob = await signedIn('pk-bob@example.com');
    const attempt = (person: Person, response: unknown, name = 'key') => call(person, 'POST', '/signin/mfa/passkeys', { name, response });

    const options = (await call(ana, 'POST', '/signin/mfa/passkeys/options')).body;
    // Bob cannot answer Ana's challenge; it stays Ana's.
    expect((await attempt(bob, bob.authenticator.register(options).response)).status).toBe(400);
    const once = ana.authenticator.register(options).response;
    expect((await attempt(ana, once, 'first')).status).toBe(201);
    const replay = await attempt(ana, once, 'second');
    expect(replay.status).toBe(400);
    expect(replay.body.errors[0].code).toBe('passkey_challenge_invalid');

    for (const ceremony of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }]) {
      const fresh = (await call(ana, 'POST', '/signin/mfa/passkeys/options')).body;
      const refused = await attempt(ana, ana.authenticator.register(fresh, ceremony).response);
      expect(refused.status, JSON.stringify(ceremony)).toBe(400);
      expect(refused.body.errors[0].code).toBe('passkey_response_invalid');
      // The refused answer spent the challenge too.
      expect((await attempt(ana, ana.authenticator.register(fresh).response)).status).toBe(400);
    }

    const late = (await call(ana, 'POST', '/signin/mfa/passkeys/options')).body;
    clock.advance(301_000);
    expect((await attempt(ana, ana.authenticator.register(late).response)).status).toBe(400);
    // Nobody removes another user's passkey: 404, as for one that does not exist.
    const anas = (await call(ana, 'GET', '/signin/mfa/passkeys')).body.passkeys;
    expect((await call(bob, 'DELETE', `/signin/mfa/passkeys/${anas[0].id}`)).status).toBe(404);
    expect((await call(ana, 'GET', '/signin/mfa/passkeys')).body.passkeys).toHaveLength(1);
    // Service IDs and profiles have no passkeys.
    const sidKey = (await identityClient(server.url, server.owner.apikey).createServiceId({ accountId: server.owner.accountId, name: 'pk-sid', apikey: { name: 'k' } })).result.apikey!.apikey!;
    const sidToken = await tokenCall(server.url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: sidKey }, null);
    const sid = { ...ana, bearer: { authorization: `Bearer ${sidToken.body.access_token}` } };
    expect((await call(sid, 'POST', '/signin/mfa/passkeys/options')).status).toBe(403);
  });

  it('signs in with a passkey after the password: level 3 (amr hwk), which LEVEL3 requires and a TOTP code does not meet', async () => {
    const kim = await signedIn('pk-kim@example.com');
    await register(kim, 'key');
    // TOTP enrolled too, to show it is not enough for LEVEL3.
    const started = await call(kim, 'POST', '/signin/mfa/totp');
    const code = () => TOTP.generate({ secret: Secret.fromBase32(started.body.secret), timestamp: clock.now().getTime() });
    expect((await call(kim, 'POST', '/signin/mfa/totp/confirm', { passcode: code() })).status).toBe(200);
    clock.advance(30_000);

    await setMfa('LEVEL3');
    try {
      const bare = await tokenCall(server.url, passwordForm(kim.login, GOOD_PASSWORD));
      expect(bare.status).toBe(400);
      expect(bare.body).toMatchObject({ errorCode: 'BXNIM0109E', requirements: { mfa: 'LEVEL3', webauthn: 'required' } });
      const totpOnly = await tokenCall(server.url, passwordForm(kim.login, GOOD_PASSWORD, { passcode: code() }));
      expect(totpOnly.status).toBe(400);
      expect(totpOnly.body.requirements).toMatchObject({ webauthn: 'required' });

      // The challenge needs the password: a wrong one gets nothing.
      expect((await signInOptions(kim.login, 'not the password at all')).status).toBe(400);
      const options = await signInOptions(kim.login);
      expect(options.status).toBe(200);
      expect(options.body.allowCredentials).toHaveLength(1);
      const assertion = kim.authenticator.assert(options.body);
      const session = await postJson(server.url, '/signin/password', { username: kim.login, password: GOOD_PASSWORD, webauthn: assertion });
      expect(session.status, JSON.stringify(session.body)).toBe(201);
      expect(session.body).toMatchObject({ acr: 3, amr: ['pwd', 'hwk'] });
      // The same answer again: its challenge is spent.
      const replay = await postJson(server.url, '/signin/password', { username: kim.login, password: GOOD_PASSWORD, webauthn: assertion });
      expect(replay.status).toBe(400);
      expect(replay.body.errors[0].code).toBe('mfa_failed');

      // The password grant takes the answer as a JSON form field; the token carries level 3.
      const grantOptions = await signInOptions(kim.login);
      const granted = await tokenCall(server.url, passwordForm(kim.login, GOOD_PASSWORD, { webauthn: JSON.stringify(kim.authenticator.assert(grantOptions.body)) }));
      expect(granted.status, JSON.stringify(granted.body)).toBe(200);
      expect(claimsOf(granted.body.access_token)).toMatchObject({ acr: 3, amr: ['pwd', 'hwk'] });
      expect((await tokenCall(server.url, passwordForm(kim.login, GOOD_PASSWORD, { webauthn: '{not json' }))).body.errorCode).toBe('BXNIM0106E');
      // IAM Identity's MFA status: the passkey meets LEVEL3; a TOTP authenticator alone does not.
      const admin = identityClient(server.url, server.owner.apikey);
      const status = (await admin.getMfaStatus({ accountId: server.owner.accountId, iamId: kim.iamId })).result;
      expect(status.id_based_mfa).toMatchObject({ trait_effective: 'LEVEL3', complies: true });
    } finally {
      await setMfa('NONE');
    }
  });

  it("refuses an assertion from another origin, with another user's passkey, or from a cloned authenticator (counter)", async () => {
    const lea = await signedIn('pk-lea@example.com');
    const max = await signedIn('pk-max@example.com');
    await register(lea, 'counting', 10);
    await register(max, 'max-key');
    const refusedWith = async (webauthn: unknown) => {
      const reply = await postJson(server.url, '/signin/password', { username: lea.login, password: GOOD_PASSWORD, webauthn });
      expect(reply.status).toBe(400);
      expect(reply.body.errors[0].code).toBe('mfa_failed');
    };
    await refusedWith(lea.authenticator.assert((await signInOptions(lea.login)).body, { origin: 'https://evil.example' }));
    await refusedWith(max.authenticator.assert((await signInOptions(lea.login)).body, {}, max.authenticator.credentials[0]));

    const counted = lea.authenticator.credentials[0]!;
    const good = await postJson(server.url, '/signin/password', { username: lea.login, password: GOOD_PASSWORD, webauthn: lea.authenticator.assert((await signInOptions(lea.login)).body) });
    expect(good.status).toBe(201);
    // A clone of the authenticator still at the old counter value.
    counted.counter -= 2;
    await refusedWith(lea.authenticator.assert((await signInOptions(lea.login)).body));
    // A malformed answer is a 400 in the handbook shape, nothing spent.
    const malformed = await postJson(server.url, '/signin/password', { username: lea.login, password: GOOD_PASSWORD, webauthn: { id: 'x' } });
    expect(malformed.status).toBe(400);
  });
});
