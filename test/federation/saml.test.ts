import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { api } from '../security/escalation-fixture.js';
import { bearerOf, newAccount, newMember, type Identity } from '../helpers/identities.js';
import { startTestSamlIdp, strangerKey, type TestSamlIdp } from '../helpers/saml-idp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { choices, choose, federationConfig, federationEvents, loginLocation, postAcs, sessionsOf } from './helpers.js';

/**
 * SAML 2.0 sign-in through an account's IdP, driven end to end: our login redirect carries an
 * AuthnRequest, the test IdP answers at the ACS, and the browser chooses how to sign in with the
 * ticket. Every check a real attacker would probe is tried, each on its own.
 */

describe('SAML federated sign-in', () => {
  const clock = manualClock(new Date());
  let server: TestServer;
  let idp: TestSamlIdp;
  let owner: string;
  let accountId: string;
  let idpId: string;
  let sp: { entity_id: string; acs_url: string };
  let member: Identity;
  let memberEmail: string;
  let groupId: string;

  beforeAll(async () => {
    server = await startTestServer({ clock, config: federationConfig() });
    idp = await startTestSamlIdp();
    owner = await bearerOf(server.url, server.owner.apikey);
    accountId = server.owner.accountId;
    const created = await api(server.url, owner, 'POST', '/v1/identity_providers', { account_id: accountId, name: 'Corporate SAML', protocol: 'saml', metadata_xml: idp.metadataXml });
    expect(created.status).toBe(201);
    idpId = created.body.id;
    sp = created.body.service_provider;
    member = await newMember(server, accountId);
    memberEmail = `${member.iamId.toLowerCase()}@example.com`;
    const group = await api(server.url, owner, 'POST', `/v2/groups?account_id=${accountId}`, { name: 'engineers' });
    groupId = group.body.id;
    const rule = await api(server.url, owner, 'POST', `/v2/groups/${groupId}/rules`, {
      name: 'engineering department',
      expiration: 2,
      realm_name: idp.entityId,
      conditions: [{ claim: 'department', operator: 'EQUALS', value: '"engineering"' }],
    });
    expect(rule.status).toBe(201);
  });
  afterAll(async () => {
    await idp?.close();
    await server?.close();
  });

  /** The group's dynamic members, as the owner lists them. */
  const dynamic = async () => {
    const bearer = await bearerOf(server.url, server.owner.apikey);
    const listed = await api(server.url, bearer, 'GET', `/v2/groups/${groupId}/members?membership_type=dynamic`);
    return (listed.body.members as Array<{ iam_id: string }>).map((m) => m.iam_id);
  };

  /** A fresh sign-in request, and a response to it with `overrides`. */
  async function answer(person = { nameId: memberEmail, attributes: { email: memberEmail, department: 'engineering' } as Record<string, string | string[]> }, overrides: Partial<Parameters<TestSamlIdp['response']>[0]> = {}) {
    const request = idp.requestOf(await loginLocation(server, idpId));
    return { request, saml: idp.response({ inResponseTo: request.id, acs: sp.acs_url, audience: sp.entity_id, person, ...overrides }) };
  }

  it('imports the IdP from its metadata and publishes our SP metadata', async () => {
    const got = await api(server.url, owner, 'GET', `/v1/identity_providers/${idpId}`);
    expect(got.body).toMatchObject({ protocol: 'saml', issuer: idp.entityId, sso_url: idp.ssoUrl, certificates: [idp.certificate], realm_name: idp.entityId });
    const metadata = await fetch(`${server.url}/federation/${idpId}/metadata`);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('content-type')).toContain('application/samlmetadata+xml');
    const xml = await metadata.text();
    expect(xml).toContain(`entityID="${sp.entity_id}"`);
    expect(xml).toContain(`Location="${sp.acs_url}"`);
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toContain('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
  });

  it('sends an AuthnRequest to the IdP naming our entity id and ACS', async () => {
    const location = await loginLocation(server, idpId);
    expect(location.startsWith(idp.ssoUrl)).toBe(true);
    expect(idp.requestOf(location)).toMatchObject({ acs: sp.acs_url, issuer: sp.entity_id, id: expect.stringMatching(/^_/) });
  });

  it('signs a member in as that user, into the groups of the matching dynamic rules, which end after the rule\'s hours', async () => {
    const { saml } = await answer();
    const landed = await postAcs(server, idpId, saml);
    expect(landed.status).toBe(303);
    expect(landed.ticket).toBeTruthy();
    const offered = await choices(server, landed.ticket!);
    expect(offered.status).toBe(200);
    expect(offered.body).toMatchObject({ account_id: accountId, idp_id: idpId, subject: memberEmail, member: true, profiles: [] });

    const chosen = await choose(server, landed.ticket!);
    expect(chosen.status).toBe(201);
    expect(chosen.body).toMatchObject({ iam_id: member.iamId, account_id: accountId, acr: 1, amr: ['fed'], csrf_token: expect.any(String) });
    expect(chosen.cookie).toBeTruthy();
    const sessions = await sessionsOf(server, chosen.cookie!);
    expect(sessions.body.sessions).toMatchObject([{ iam_id: member.iamId, current: true }]);

    expect(await dynamic()).toEqual([member.iamId]);
    // The ticket is spent.
    expect((await choose(server, landed.ticket!)).status).toBe(400);
    expect((await choices(server, landed.ticket!)).status).toBe(400);

    const events = await federationEvents(server, idpId);
    const success = events.find((e) => e.outcome === 'success');
    expect(success).toMatchObject({ initiator_iam_id: member.iamId, account_id: accountId });
    expect(JSON.parse(success!.detail)).toMatchObject({ as: 'user', session_id: chosen.body.id });
    expect(JSON.stringify(events)).not.toContain('engineering');
  });

  it('records a second factor the IdP reports as the session\'s level', async () => {
    const { saml } = await answer(undefined, { authnContext: 'http://schemas.microsoft.com/claims/multipleauthn MultiFactor' });
    const landed = await postAcs(server, idpId, saml);
    const chosen = await choose(server, landed.ticket!);
    expect(chosen.body).toMatchObject({ acr: 2, amr: ['fed', 'mfa'] });
  });

  it('refuses every answer that fails a check, audits why, and leaves the request usable by none', async () => {
    const stranger = { nameId: memberEmail, attributes: { email: memberEmail } };
    const cases: Array<[string, (r: { id: string }) => Parameters<TestSamlIdp['response']>[0] | string]> = [
      ['bad_signature', (r) => ({ inResponseTo: r.id, acs: sp.acs_url, audience: sp.entity_id, person: stranger, signingKey: strangerKey() })],
      ['unsigned', (r) => ({ inResponseTo: r.id, acs: sp.acs_url, audience: sp.entity_id, person: stranger, sign: false })],
      ['wrong_audience', (r) => ({ inResponseTo: r.id, acs: sp.acs_url, audience: 'https://someone-else.example.com', person: stranger })],
      ['wrong_recipient', (r) => ({ inResponseTo: r.id, acs: sp.acs_url, recipient: 'https://someone-else.example.com/acs', audience: sp.entity_id, person: stranger })],
      ['wrong_recipient', (r) => ({ inResponseTo: r.id, acs: sp.acs_url, destination: 'https://someone-else.example.com/acs', audience: sp.entity_id, person: stranger })],
      ['expired', (r) => ({ inResponseTo: r.id, acs: sp.acs_url, audience: sp.entity_id, person: stranger, notBefore: new Date(Date.now() - 3_600_000), notOnOrAfter: new Date(Date.now() - 600_000) })],
      ['unknown_request', () => ({ inResponseTo: '_never-sent', acs: sp.acs_url, audience: sp.entity_id, person: stranger })],
      ['unknown_request', () => ({ acs: sp.acs_url, audience: sp.entity_id, person: stranger })],
      ['wrong_issuer', (r) => ({ inResponseTo: r.id, acs: sp.acs_url, audience: sp.entity_id, person: stranger, issuer: 'https://other-idp.example.com' })],
      ['malformed', () => Buffer.from('<not-saml/>').toString('base64')],
    ];
    for (const [reason, build] of cases) {
      const request = idp.requestOf(await loginLocation(server, idpId));
      const built = build(request);
      const landed = await postAcs(server, idpId, typeof built === 'string' ? built : idp.response(built));
      expect([landed.status, landed.body?.errors?.[0]?.code], reason).toEqual([401, `federation_${reason}`]);
      expect(landed.ticket).toBeUndefined();
    }
    const failures = (await federationEvents(server, idpId)).filter((e) => e.outcome === 'failure').map((e) => JSON.parse(e.detail).reason);
    expect(failures).toEqual(expect.arrayContaining(['bad_signature', 'unsigned', 'wrong_audience', 'wrong_recipient', 'expired', 'unknown_request', 'wrong_issuer', 'malformed']));
  });

  it('refuses a replayed assertion and a second answer to one request', async () => {
    const { request, saml } = await answer();
    expect((await postAcs(server, idpId, saml)).status).toBe(303);
    const replay = await postAcs(server, idpId, saml);
    expect([replay.status, replay.body.errors[0].code]).toEqual([401, 'federation_replayed']);
    const again = idp.response({ inResponseTo: request.id, acs: sp.acs_url, audience: sp.entity_id, person: { nameId: memberEmail, attributes: { email: memberEmail } } });
    const second = await postAcs(server, idpId, again);
    expect([second.status, second.body.errors[0].code]).toEqual([401, 'federation_unknown_request']);
  });

  it('lets one of two racing answers to a request through, never both', async () => {
    const request = idp.requestOf(await loginLocation(server, idpId));
    const person = { nameId: memberEmail, attributes: { email: memberEmail } };
    const answers = [0, 1, 2].map(() => idp.response({ inResponseTo: request.id, acs: sp.acs_url, audience: sp.entity_id, person }));
    const landed = await Promise.all(answers.map((a) => postAcs(server, idpId, a)));
    expect(landed.filter((l) => l.status === 303)).toHaveLength(1);
  });

  it("refuses an assertion of another account's IdP at this IdP's ACS, even for the same person", async () => {
    const other = await newAccount(server);
    const otherBearer = await bearerOf(server.url, other.apikey);
    const otherIdp = await startTestSamlIdp();
    try {
      const created = await api(server.url, otherBearer, 'POST', '/v1/identity_providers', { account_id: other.accountId, name: 'theirs', protocol: 'saml', metadata_xml: otherIdp.metadataXml });
      expect(created.status).toBe(201);
      // Their IdP signs an answer to OUR request, with our audience and ACS: its key is not ours to trust.
      const request = idp.requestOf(await loginLocation(server, idpId));
      const forged = otherIdp.response({ inResponseTo: request.id, acs: sp.acs_url, audience: sp.entity_id, issuer: idp.entityId, person: { nameId: memberEmail, attributes: { email: memberEmail } } });
      expect((await postAcs(server, idpId, forged)).body.errors[0].code).toBe('federation_bad_signature');
      // Our request, answered at their ACS: their IdP never had it.
      const theirSp = created.body.service_provider;
      const ours = idp.requestOf(await loginLocation(server, idpId));
      const crossed = otherIdp.response({ inResponseTo: ours.id, acs: theirSp.acs_url, audience: theirSp.entity_id, person: { nameId: memberEmail, attributes: { email: memberEmail } } });
      expect((await postAcs(server, created.body.id, crossed)).body.errors[0].code).toBe('federation_unknown_request');
    } finally {
      await otherIdp.close();
    }
  });

  it('lets a non-member sign in only as a trusted profile whose Profile-SAML rule matches', async () => {
    const developer = await api(server.url, owner, 'POST', '/v1/profiles', { account_id: accountId, name: 'Developer' });
    const admin = await api(server.url, owner, 'POST', '/v1/profiles', { account_id: accountId, name: 'Admin' });
    const ruleOf = (profileId: string, group: string) =>
      api(server.url, owner, 'POST', `/v1/profiles/${profileId}/rules`, {
        type: 'Profile-SAML',
        realm_name: idp.entityId,
        expiration: 3600,
        conditions: [{ claim: 'groups', operator: 'CONTAINS', value: `"${group}"` }],
      });
    expect((await ruleOf(developer.body.id, 'developers')).status).toBe(201);
    expect((await ruleOf(admin.body.id, 'admins')).status).toBe(201);

    const outsider = { nameId: 'contractor@partner.example.com', attributes: { email: 'contractor@partner.example.com', groups: ['developers', 'staff'] } };
    const { saml } = await answer(outsider);
    const landed = await postAcs(server, idpId, saml);
    expect(landed.status).toBe(303);
    const offered = await choices(server, landed.ticket!);
    expect(offered.body).toMatchObject({ member: false, profiles: [{ id: developer.body.id, name: 'Developer', session_expiration_in_seconds: 3600 }] });
    expect(offered.body.profiles).toHaveLength(1);

    expect((await choose(server, landed.ticket!, admin.body.id)).status).toBe(403);
    expect((await choose(server, landed.ticket!)).status).toBe(403);
    const chosen = await choose(server, landed.ticket!, developer.body.id);
    expect(chosen.status).toBe(201);
    expect(chosen.body.iam_id).toBe(developer.body.iam_id);
    expect(Date.parse(chosen.body.expires_at) - Date.parse(chosen.body.created_at)).toBe(3600 * 1000);
    expect((await sessionsOf(server, chosen.cookie!)).body.sessions[0]).toMatchObject({ iam_id: developer.body.iam_id });
    // The session's console tokens are the profile's: its subject, the sign-in's level, not past the session's end.
    const issued = await api(server.url, '', 'POST', '/signin/session/token', undefined, { cookie: `portcullis_session=${chosen.cookie}`, 'x-csrf-token': chosen.body.csrf_token });
    expect(issued.status).toBe(201);
    expect(decodeJwt(issued.body.access_token)).toMatchObject({ iam_id: developer.body.iam_id, sub_type: 'Profile', account: { bss: accountId }, grant_type: 'federation:saml', acr: 1, amr: ['fed'] });
    expect(issued.body.expiration).toBeLessThanOrEqual(Date.parse(chosen.body.expires_at) / 1000);
    const profileReads = await api(server.url, `Bearer ${issued.body.access_token}`, 'GET', `/v1/profiles/${developer.body.id}`);
    expect(profileReads.status, 'the APIs accept the token (the profile has no role: 403, not 401)').not.toBe(401);

    // Someone no rule matches and who is no member gets no ticket at all.
    const nobody = await answer({ nameId: 'visitor@example.org', attributes: { email: 'visitor@example.org', groups: ['visitors'] } });
    const refused = await postAcs(server, idpId, nobody.saml);
    expect(refused.status).toBe(401);
    expect(refused.ticket).toBeUndefined();
  });

  it('offers a member their matching profiles too, or to continue as themselves', async () => {
    const { saml } = await answer({ nameId: memberEmail, attributes: { email: memberEmail, groups: 'admins' } });
    const landed = await postAcs(server, idpId, saml);
    const offered = await choices(server, landed.ticket!);
    expect(offered.body.member).toBe(true);
    expect(offered.body.profiles.map((p: { name: string }) => p.name)).toEqual(['Admin']);
    const chosen = await choose(server, landed.ticket!);
    expect(chosen.body.iam_id).toBe(member.iamId);
  });

  // The clock moves forward from here on.

  it("ends the dynamic memberships after the rule's hours (a sign-in without the claim ended them already)", async () => {
    expect(await dynamic()).toEqual([]);
    const landed = await postAcs(server, idpId, (await answer()).saml);
    expect((await choose(server, landed.ticket!)).status).toBe(201);
    expect(await dynamic()).toEqual([member.iamId]);
    clock.advance(2 * 3_600_000 + 60_000);
    expect(await dynamic()).toEqual([]);
  });

  it('refuses unknown, malformed and expired tickets alike', async () => {
    expect((await choices(server, 'not-a-ticket')).status).toBe(400);
    const { saml } = await answer();
    const landed = await postAcs(server, idpId, saml);
    clock.advance(301_000);
    expect((await choices(server, landed.ticket!)).status).toBe(400);
    expect((await choose(server, landed.ticket!)).status).toBe(400);
  });
});
