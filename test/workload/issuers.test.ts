import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../security/escalation-fixture.js';
import { bearerOf, newAccount, newMember } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startTestIssuer, workloadConfig, type TestIssuer } from './test-issuer.js';

/** The trusted-issuer API: shapes, validation, If-Match, uniqueness, PDP decisions, accounts kept apart. */

describe('trusted issuers API', () => {
  let server: TestServer;
  let issuer: TestIssuer;
  let owner: string;
  let accountId: string;

  beforeAll(async () => {
    server = await startTestServer({ config: { workload: workloadConfig() } });
    issuer = await startTestIssuer();
    owner = await bearerOf(server.url, server.owner.apikey);
    accountId = server.owner.accountId;
  });
  afterAll(async () => {
    await issuer?.close();
    await server?.close();
  });

  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>, bearer = owner) => api(server.url, bearer, method, path, body, headers);
  const body = (overrides: Record<string, unknown> = {}) => ({
    account_id: accountId,
    name: 'cluster-a',
    type: 'kubernetes',
    issuer: issuer.url,
    audiences: ['portcullis'],
    jwks_url: issuer.jwksUrl,
    ...overrides,
  });

  it('creates, reads, lists, replaces with If-Match and deletes an issuer', async () => {
    const created = await call('POST', '/v1/trusted_issuers', body({ issuer: 'https://k8s.example.com/a', resource_crn: 'crn:v1:bluemix:public:containers-kubernetes:us-south:a/x::cluster:c1' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^TrustedIssuer-/),
      account_id: accountId,
      type: 'kubernetes',
      audiences: ['portcullis'],
      algorithms: ['RS256', 'ES256'],
      max_clock_skew_seconds: 60,
      crn: expect.stringContaining(':iam-identity:'),
      resource_crn: 'crn:v1:bluemix:public:containers-kubernetes:us-south:a/x::cluster:c1',
    });
    const id = created.body.id as string;
    const got = await fetch(`${server.url}/v1/trusted_issuers/${id}`, { headers: { Authorization: owner } });
    expect(got.headers.get('etag')).toBe(created.body.entity_tag);
    const listed = await call('GET', `/v1/trusted_issuers?account_id=${accountId}`);
    expect(listed.body.trusted_issuers.map((i: { id: string }) => i.id)).toContain(id);

    const replacement = { name: 'cluster-a2', type: 'kubernetes', issuer: 'https://k8s.example.com/a', audiences: ['x', 'y'], jwks: issuer.jwks(), algorithms: ['RS256'] };
    expect((await call('PUT', `/v1/trusted_issuers/${id}`, replacement)).status).toBe(428);
    expect((await call('PUT', `/v1/trusted_issuers/${id}`, replacement, { 'If-Match': '1-00000000000000000000000000000000' })).status).toBe(412);
    const replaced = await call('PUT', `/v1/trusted_issuers/${id}`, replacement, { 'If-Match': created.body.entity_tag });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'cluster-a2', audiences: ['x', 'y'], algorithms: ['RS256'], jwks: { keys: [expect.objectContaining({ kid: 'k1' })] } });
    expect(replaced.body.jwks_url).toBeUndefined();
    expect(replaced.body.entity_tag).toMatch(/^2-/);

    expect((await call('DELETE', `/v1/trusted_issuers/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/trusted_issuers/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/v1/trusted_issuers/${id}`)).status).toBe(404);
  });

  it('refuses a second issuer with the same URL in one account (409), but not in another account', async () => {
    const first = await call('POST', '/v1/trusted_issuers', body({ issuer: 'https://dup.example.com' }));
    expect(first.status).toBe(201);
    const again = await call('POST', '/v1/trusted_issuers', body({ issuer: 'https://dup.example.com', name: 'other' }));
    expect(again.status).toBe(409);
    expect(again.body.errors[0].message).toContain('https://dup.example.com');
    const other = await newAccount(server);
    const otherBearer = await bearerOf(server.url, other.apikey);
    const elsewhere = await call('POST', '/v1/trusted_issuers', body({ issuer: 'https://dup.example.com', account_id: other.accountId }), undefined, otherBearer);
    expect(elsewhere.status).toBe(201);
  });

  it.each([
    ['alg none', { algorithms: ['none'] }, /never accepted/],
    ['HS256', { algorithms: ['RS256', 'HS256'] }, /not allowed: HS256/],
    ['both key sources', { jwks: { keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] } }, /exactly one of jwks_url/],
    ['no key source', { jwks_url: undefined }, /exactly one of jwks_url/],
    ['a plain http JWKS URL on a server that does not allow it', null, /https/],
    ['a symmetric key', { jwks_url: undefined, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, /public keys only/],
    ['a private key', { jwks_url: undefined, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }] } }, /private key material/],
    ['a broken public key', { jwks_url: undefined, jwks: { keys: [{ kty: 'RSA', n: '!!', e: 'AQAB' }] } }, /not a usable public key/],
    ['an issuer that is no URL', { issuer: 'cluster-a' }, /not an absolute URL/],
    ['no audience', { audiences: [] }, /audiences|must NOT have fewer/],
    ['a skew beyond 300 s', { max_clock_skew_seconds: 301 }, /max_clock_skew_seconds|must be <= 300/],
    ['an unknown type', { type: 'vsi' }, /type/],
    ['a resource_crn that is no CRN', { resource_crn: 'cluster' }, /not a CRN/],
  ])('refuses %s with a clear 400 and writes nothing', async (_what, overrides, message) => {
    const before = await call('GET', `/v1/trusted_issuers?account_id=${accountId}`);
    let reply;
    if (overrides === null) {
      const strict = await startTestServer();
      try {
        const bearer = await bearerOf(strict.url, strict.owner.apikey);
        reply = await api(strict.url, bearer, 'POST', '/v1/trusted_issuers', body({ account_id: strict.owner.accountId, issuer: 'https://strict.example.com' }));
      } finally {
        await strict.close();
      }
    } else {
      reply = await call('POST', '/v1/trusted_issuers', body({ issuer: `https://bad-${Math.random()}.example.com`, ...overrides }));
    }
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].message).toMatch(message);
    expect((await call('GET', `/v1/trusted_issuers?account_id=${accountId}`)).body).toEqual(before.body);
  });

  it('lets Editors manage and Viewers only read issuers, and members without access nothing', async () => {
    const member = async (role?: string) => {
      const m = await newMember(server, accountId);
      if (role) {
        const policy = await call('POST', '/v2/policies', {
          type: 'access',
          subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: m.iamId }] },
          resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: accountId }, { key: 'serviceName', operator: 'stringEquals', value: 'iam-identity' }] },
          control: { grant: { roles: [{ role_id: `crn:v1:bluemix:public:iam::::role:${role}` }] } },
        });
        expect(policy.status).toBe(201);
      }
      return bearerOf(server.url, m.apikey);
    };
    const [editor, viewer, nobody] = [await member('Editor'), await member('Viewer'), await member()];
    const made = await call('POST', '/v1/trusted_issuers', body({ issuer: 'https://editor.example.com' }), undefined, editor);
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    expect((await call('GET', `/v1/trusted_issuers/${id}`, undefined, undefined, viewer)).status).toBe(200);
    expect((await call('GET', `/v1/trusted_issuers?account_id=${accountId}`, undefined, undefined, viewer)).status).toBe(200);
    expect((await call('POST', '/v1/trusted_issuers', body({ issuer: 'https://viewer.example.com' }), undefined, viewer)).status).toBe(403);
    expect((await call('DELETE', `/v1/trusted_issuers/${id}`, undefined, undefined, viewer)).status).toBe(403);
    expect((await call('GET', `/v1/trusted_issuers/${id}`, undefined, undefined, nobody)).status).toBe(403);
    expect((await call('GET', `/v1/trusted_issuers?account_id=${accountId}`, undefined, undefined, nobody)).status).toBe(403);
    expect((await call('DELETE', `/v1/trusted_issuers/${id}`, undefined, undefined, editor)).status).toBe(204);
  });

  it('answers an issuer of another account like a missing one, and lists nothing of it', async () => {
    const mine = await call('POST', '/v1/trusted_issuers', body({ issuer: 'https://mine.example.com' }));
    const other = await newAccount(server);
    const stranger = await bearerOf(server.url, other.apikey);
    const theirs = await call('GET', `/v1/trusted_issuers/${mine.body.id}`, undefined, undefined, stranger);
    const nobodys = await call('GET', '/v1/trusted_issuers/TrustedIssuer-00000000-0000-4000-8000-000000000000', undefined, undefined, stranger);
    expect(theirs.status).toBe(404);
    expect(nobodys.status).toBe(404);
    expect((await call('PUT', `/v1/trusted_issuers/${mine.body.id}`, { name: 'x', type: 'oidc', issuer: 'https://x.example.com', audiences: ['a'], jwks_url: 'https://x.example.com/jwks' }, { 'If-Match': '*' }, stranger)).status).toBe(404);
    expect((await call('DELETE', `/v1/trusted_issuers/${mine.body.id}`, undefined, undefined, stranger)).status).toBe(404);
    expect((await call('GET', `/v1/trusted_issuers?account_id=${accountId}`, undefined, undefined, stranger)).status).toBe(403);
    expect((await call('GET', `/v1/trusted_issuers/${mine.body.id}`)).body.name).toBe('cluster-a');
  });
});
