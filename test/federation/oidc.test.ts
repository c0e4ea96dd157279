import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../security/escalation-fixture.js';
import { bearerOf, newMember, type Identity } from '../helpers/identities.js';
import { startTestOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { choices, choose, federationConfig, federationEvents, getCallback, loginLocation } from './helpers.js';

/**
 * OIDC sign-in through an account's IdP, end to end against the test provider: discovery, the
 * authorization request with PKCE, state and nonce, the code redeemed at the token endpoint and
 * the ID token checked.
 */

describe('OIDC federated sign-in', () => {
  let server: TestServer;
  let provider: TestOidcProvider;
  let owner: string;
  let accountId: string;
  let idpId: string;
  let member: Identity;
  let memberEmail: string;
  let groupId: string;

  beforeAll(async () => {
    server = await startTestServer({ config: federationConfig() });
    provider = await startTestOidcProvider();
    owner = await bearerOf(server.url, server.owner.apikey);
    accountId = server.owner.accountId;
    member = await newMember(server, accountId);
    memberEmail = `${member.iamId.toLowerCase()}@example.com`;
    provider.person = { sub: 'u-1', claims: { email: memberEmail, name: 'Mem Ber', groups: ['ops'], amr: ['pwd', 'otp'] } };
    const created = await api(server.url, owner, 'POST', '/v1/identity_providers', {
      account_id: accountId,
      name: 'Corporate OIDC',
      protocol: 'oidc',
      issuer: provider.issuer,
      client_id: provider.clientId,
      client_secret: provider.clientSecret,
    });
    expect(created.status).toBe(201);
    idpId = created.body.id;
    const group = await api(server.url, owner, 'POST', `/v2/groups?account_id=${accountId}`, { name: 'operations' });
    groupId = group.body.id;
    await api(server.url, owner, 'POST', `/v2/groups/${groupId}/rules`, {
      expiration: 4,
      realm_name: provider.issuer,
      conditions: [{ claim: 'groups', operator: 'CONTAINS', value: '"ops"' }],
    });
  });
  afterAll(async () => {
    await provider?.close();
    await server?.close();
  });

  it('never shows the client secret, and stores it sealed', async () => {
    const got = await api(server.url, owner, 'GET', `/v1/identity_providers/${idpId}`);
    expect(got.body).toMatchObject({ protocol: 'oidc', client_id: provider.clientId, client_secret_set: true, scopes: ['openid', 'email', 'profile'] });
    expect(JSON.stringify(got.body)).not.toContain(provider.clientSecret);
    const row = await server.server.registry.database.db.selectFrom('federation_idps').select('client_secret').where('id', '=', idpId).executeTakeFirstOrThrow();
    expect(row.client_secret).not.toContain(provider.clientSecret);
  });

  it('sends an authorization request with PKCE (S256), state and nonce', async () => {
    const params = provider.paramsOf(await loginLocation(server, idpId));
    expect(Object.fromEntries(params)).toMatchObject({
      client_id: provider.clientId,
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: `${server.url}/federation/${idpId}/callback`,
      scope: 'openid email profile',
    });
    expect(params.get('state')).toBeTruthy();
    expect(params.get('nonce')).toBeTruthy();
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs a member in, with the IdP\'s second factor recorded and dynamic groups applied', async () => {
    const landed = await getCallback(await provider.authorize(await loginLocation(server, idpId)));
    expect(landed.status).toBe(303);
    const offered = await choices(server, landed.ticket!);
    expect(offered.body).toMatchObject({ member: true, subject: 'u-1', name: 'Mem Ber' });
    const chosen = await choose(server, landed.ticket!);
    expect(chosen.status).toBe(201);
    expect(chosen.body).toMatchObject({ iam_id: member.iamId, acr: 2, amr: ['fed', 'mfa'] });
    const listed = await api(server.url, owner, 'GET', `/v2/groups/${groupId}/members?membership_type=dynamic`);
    expect(listed.body.members.map((m: { iam_id: string }) => m.iam_id)).toEqual([member.iamId]);
    const events = await federationEvents(server, idpId);
    expect(events.at(-1)).toMatchObject({ outcome: 'success', initiator_iam_id: member.iamId });
    expect(JSON.stringify(events)).not.toContain(provider.clientSecret);
  });

  it('refuses a bad state, a reused state, a wrong nonce or audience, an expired or foreign-signed ID token', async () => {
    const refusedWith = async (code: string, callback: string) => {
      const landed = await getCallback(callback);
      expect([landed.status, landed.body?.errors?.[0]?.code], code).toEqual([401, `federation_${code}`]);
      expect(landed.ticket).toBeUndefined();
    };
    // A state we never issued, and one already used.
    const good = await provider.authorize(await loginLocation(server, idpId));
    const forged = new URL(good);
    forged.searchParams.set('state', 'not-ours');
    await refusedWith('bad_state', forged.toString());
    expect((await getCallback(good)).status).toBe(303);
    await refusedWith('bad_state', good);

    const cases: Array<[string, TestOidcProvider['idToken']]> = [
      ['bad_nonce', { nonce: 'someone-elses-nonce' }],
      ['wrong_audience', { aud: 'another-client' }],
      ['expired', { expiresIn: -600 }],
      ['bad_signature', { foreignKey: true }],
      ['wrong_issuer', { iss: 'https://impostor.example.com' }],
    ];
    for (const [code, overrides] of cases) {
      provider.idToken = overrides;
      const callback = await provider.authorize(await loginLocation(server, idpId));
      provider.idToken = {};
      await refusedWith(code, callback);
    }
    const reasons = (await federationEvents(server, idpId)).filter((e) => e.outcome === 'failure').map((e) => JSON.parse(e.detail).reason);
    expect(reasons).toEqual(expect.arrayContaining(['bad_state', 'bad_nonce', 'wrong_audience', 'expired', 'bad_signature', 'wrong_issuer']));
  });

  it('lets one of two racing callbacks with one state through, never both', async () => {
    const callback = await provider.authorize(await loginLocation(server, idpId));
    const landed = await Promise.all([getCallback(callback), getCallback(callback)]);
    expect(landed.filter((l) => l.status === 303)).toHaveLength(1);
  });
});
