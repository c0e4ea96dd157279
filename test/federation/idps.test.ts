import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../security/escalation-fixture.js';
import { bearerOf, newAccount, newMember } from '../helpers/identities.js';
import { startTestSamlIdp, type TestSamlIdp } from '../helpers/saml-idp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { federationConfig } from './helpers.js';

/** The identity-provider API: shapes, validation, If-Match, uniqueness, PDP decisions, accounts kept apart. */

describe('identity providers API', () => {
  let server: TestServer;
  let samlIdp: TestSamlIdp;
  let owner: string;
  let accountId: string;

  beforeAll(async () => {
    server = await startTestServer({ config: federationConfig() });
    samlIdp = await startTestSamlIdp();
    owner = await bearerOf(server.url, server.owner.apikey);
    accountId = server.owner.accountId;
  });
  afterAll(async () => {
    await samlIdp?.close();
    await server?.close();
  });

  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>, bearer = owner) => api(server.url, bearer, method, path, body, headers);

  it('registers a SAML IdP from fields, reads, lists, replaces with If-Match and deletes it', async () => {
    const pem = `-----BEGIN CERTIFICATE-----\n${samlIdp.certificate}\n-----END CERTIFICATE-----`;
    const created = await call('POST', '/v1/identity_providers', { account_id: accountId, name: 'by fields', protocol: 'saml', issuer: 'https://idp.example.com/saml', sso_url: 'https://idp.example.com/sso', certificates: [pem] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^IdP-/),
      crn: expect.stringContaining(':iam-identity:'),
      certificates: [samlIdp.certificate],
      client_secret_set: false,
      claim_mapping: { email: 'email', name: 'name', mfa: 'amr' },
      service_provider: { acs_url: `${server.url}/federation/${created.body.id}/acs`, entity_id: `${server.url}/federation/${created.body.id}/metadata` },
    });
    const id = created.body.id as string;
    const got = await fetch(`${server.url}/v1/identity_providers/${id}`, { headers: { Authorization: owner } });
    expect(got.headers.get('etag')).toBe(created.body.entity_tag);
    expect((await call('GET', `/v1/identity_providers?account_id=${accountId}`)).body.identity_providers.map((i: { id: string }) => i.id)).toContain(id);

    const replacement = { name: 'renamed', protocol: 'saml', metadata_xml: samlIdp.metadataXml, claim_mapping: { email: 'mail' } };
    expect((await call('PUT', `/v1/identity_providers/${id}`, replacement)).status).toBe(428);
    expect((await call('PUT', `/v1/identity_providers/${id}`, replacement, { 'If-Match': '1-00000000000000000000000000000000' })).status).toBe(412);
    const replaced = await call('PUT', `/v1/identity_providers/${id}`, replacement, { 'If-Match': created.body.entity_tag });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'renamed', issuer: samlIdp.entityId, claim_mapping: { email: 'mail', name: 'name' } });
    expect(replaced.body.entity_tag).not.toBe(created.body.entity_tag);
    expect((await call('DELETE', `/v1/identity_providers/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/identity_providers/${id}`)).status).toBe(404);
  });

  it('keeps an OIDC client secret on replace unless a new one is sent, and never shows it', async () => {
    const created = await call('POST', '/v1/identity_providers', { account_id: accountId, name: 'oidc', protocol: 'oidc', issuer: 'https://login.example.com', client_id: 'c', client_secret: 's3cret-value' });
    expect(created.body).toMatchObject({ client_secret_set: true, scopes: ['openid', 'email', 'profile'] });
    const replaced = await call('PUT', `/v1/identity_providers/${created.body.id}`, { name: 'oidc2', protocol: 'oidc', issuer: 'https://login.example.com', client_id: 'c', scopes: ['email'] }, { 'If-Match': '*' });
    expect(replaced.body).toMatchObject({ client_secret_set: true, scopes: ['openid', 'email'] });
    expect(JSON.stringify([created.body, replaced.body])).not.toContain('s3cret-value');
  });

  it('refuses bad input with a 400 naming the problem, writing nothing', async () => {
    const before = (await call('GET', `/v1/identity_providers?account_id=${accountId}`)).body.identity_providers.length;
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ protocol: 'saml', issuer: 'x', sso_url: 'https://idp.example.com/sso' }, 'certificates'],
      [{ protocol: 'saml', issuer: 'x', sso_url: 'https://idp.example.com/sso', certificates: ['bm90IGEgY2VydA=='] }, 'certificates[0]'],
      [{ protocol: 'saml', metadata_xml: '<oops' }, 'metadata_xml'],
      [{ protocol: 'saml', metadata_xml: '<x:EntityDescriptor xmlns:x="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"/>' }, 'metadata_xml'],
      [{ protocol: 'saml', issuer: 'x', sso_url: 'ftp://idp.example.com', certificates: [samlIdp.certificate] }, 'sso_url'],
      [{ protocol: 'saml', metadata_xml: samlIdp.metadataXml, client_id: 'c' }, 'client_id'],
      [{ protocol: 'oidc', issuer: 'https://login.example.com' }, 'client_id'],
      [{ protocol: 'oidc', issuer: 'not a url', client_id: 'c' }, 'issuer'],
      [{ protocol: 'oidc', issuer: 'https://login.example.com', client_id: 'c', certificates: [] }, 'certificates'],
      [{ protocol: 'ws-fed', issuer: 'https://login.example.com' }, 'protocol'],
    ];
    for (const [body, field] of bad) {
      const reply = await call('POST', '/v1/identity_providers', { account_id: accountId, name: 'bad', ...body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.errors[0].message, JSON.stringify(body)).toContain(field);
    }
    expect((await call('GET', `/v1/identity_providers?account_id=${accountId}`)).body.identity_providers).toHaveLength(before);
  });

  it('refuses a second IdP with the same issuer in an account (409), not in another account', async () => {
    const body = { name: 'dup', protocol: 'oidc', issuer: 'https://dup.example.com', client_id: 'c' };
    expect((await call('POST', '/v1/identity_providers', { account_id: accountId, ...body })).status).toBe(201);
    expect((await call('POST', '/v1/identity_providers', { account_id: accountId, ...body })).status).toBe(409);
    const other = await newAccount(server);
    const theirs = await bearerOf(server.url, other.apikey);
    expect((await call('POST', '/v1/identity_providers', { account_id: other.accountId, ...body }, undefined, theirs)).status).toBe(201);
  });

  it('asks the PDP: a member without a role is refused, an Operator of IAM Identity reads, only an Administrator changes (an IdP can sign in as anyone)', async () => {
    const member = await newMember(server, accountId);
    const bearer = await bearerOf(server.url, member.apikey);
    const body = { account_id: accountId, name: 'by member', protocol: 'oidc', issuer: 'https://member.example.com', client_id: 'c' };
    expect((await call('POST', '/v1/identity_providers', body, undefined, bearer)).status).toBe(403);
    expect((await call('GET', `/v1/identity_providers?account_id=${accountId}`, undefined, undefined, bearer)).status).toBe(403);
    const policy = await call('POST', '/v1/policies', {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Operator' }],
      resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'iam-identity' }] }],
    });
    expect(policy.status).toBe(201);
    const fresh = await bearerOf(server.url, member.apikey);
    expect((await call('GET', `/v1/identity_providers?account_id=${accountId}`, undefined, undefined, fresh)).status).toBe(200);
    expect((await call('POST', '/v1/identity_providers', body, undefined, fresh)).status).toBe(403);
    // One policy per subject and resource (a second is a 409): the Operator one makes way.
    expect((await call('DELETE', `/v1/policies/${policy.body.id}`)).status).toBe(204);
    const admin = await call('POST', '/v1/policies', {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Administrator' }],
      resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'iam-identity' }] }],
    });
    expect(admin.status).toBe(201);
    const promoted = await bearerOf(server.url, member.apikey);
    expect((await call('POST', '/v1/identity_providers', body, undefined, promoted)).status).toBe(201);
  });

  it("answers another account's IdP like a missing one", async () => {
    const created = await call('POST', '/v1/identity_providers', { account_id: accountId, name: 'mine', protocol: 'oidc', issuer: 'https://mine.example.com', client_id: 'c' });
    const other = await newAccount(server);
    const theirs = await bearerOf(server.url, other.apikey);
    for (const [method, body] of [['GET'], ['DELETE'], ['PUT', { name: 'x', protocol: 'oidc', issuer: 'https://x.example.com', client_id: 'c' }]] as const) {
      const reply = await call(method, `/v1/identity_providers/${created.body.id}`, body, { 'If-Match': '*' }, theirs);
      expect(reply.status, method).toBe(404);
    }
    expect((await call('GET', `/v1/identity_providers?account_id=${accountId}`, undefined, undefined, theirs)).status).toBe(403);
    expect((await call('GET', `/v1/identity_providers/${created.body.id}`)).status).toBe(200);
  });

  it("lists an account's providers for its sign-in page without a token: names and login URLs only, nothing for an unknown account", async () => {
    const other = await newAccount(server);
    const theirs = await bearerOf(server.url, other.apikey);
    const created = await call('POST', '/v1/identity_providers', { account_id: other.accountId, name: 'Their SSO', protocol: 'oidc', issuer: 'https://theirs.example.com', client_id: 'c', client_secret: 'their-secret-value' }, undefined, theirs);
    expect(created.status).toBe(201);
    const listed = await api(server.url, '', 'GET', `/federation/providers?account_id=${other.accountId}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ providers: [{ id: created.body.id, name: 'Their SSO', protocol: 'oidc', login_url: `${server.url}/federation/${created.body.id}/login` }] });
    expect(JSON.stringify(listed.body)).not.toMatch(/their-secret-value|theirs\.example\.com|client/);
    // Another account's providers are not among this account's; an unknown account answers like one with none.
    const mine = (await api(server.url, '', 'GET', `/federation/providers?account_id=${accountId}`)).body.providers.map((p: { id: string }) => p.id);
    expect(mine).not.toContain(created.body.id);
    expect(await api(server.url, '', 'GET', '/federation/providers?account_id=no-such-account')).toMatchObject({ status: 200, body: { providers: [] } });
    expect((await api(server.url, '', 'GET', '/federation/providers')).status).toBe(400);
  });

  it('serves no sign-in for an unknown IdP, nor SAML metadata for an OIDC one', async () => {
    expect((await fetch(`${server.url}/federation/IdP-unknown/login`, { redirect: 'manual' })).status).toBe(404);
    const oidc = await call('POST', '/v1/identity_providers', { account_id: accountId, name: 'meta', protocol: 'oidc', issuer: 'https://meta.example.com', client_id: 'c' });
    expect((await fetch(`${server.url}/federation/${oidc.body.id}/metadata`)).status).toBe(404);
  });
});
