import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf, rawCall } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * An empty cursor parameter is no cursor: the SDK's pagers ask for the first page with
 * `?start=`, `?_start=`, `?next_docid=` or `?pagetoken=`, and every API answers with its first
 * page, exactly as without the parameter. A cursor we did not issue is still a 400 in the API's
 * own error shape.
 */
let server: TestServer;
let bearer: string;
let account: string;

beforeAll(async () => {
  server = await startTestServer();
  bearer = await bearerOf(server.url, server.owner.apikey);
  account = server.owner.accountId;
  // Something to list in every API.
  for (const name of ['first', 'second']) {
    const key = await rawCall(server.url, bearer, 'POST', '/v1/apikeys', JSON.stringify({ name, iam_id: server.owner.iamId, account_id: account }));
    expect(key.status).toBe(201);
  }
});
afterAll(() => server?.close());

const get = (path: string) => rawCall(server.url, bearer, 'GET', path);

/** The body without what differs between two calls of one listing (trace and transaction ids). */
const stable = (body: Record<string, unknown>) => JSON.parse(JSON.stringify(body, (key, value) => (key === 'trace' ? undefined : value)));

describe('an empty cursor parameter means the first page', () => {
  const listings: Array<[api: string, path: string, cursor: string]> = [
    ['iam-identity API keys', '/v1/apikeys?account_id={account}&pagesize=1', 'pagetoken'],
    ['iam-identity service IDs', '/v1/serviceids?account_id={account}', 'pagetoken'],
    ['iam-policy-management v2', '/v2/policies?account_id={account}', 'start'],
    ['iam-policy-management v1', '/v1/policies?account_id={account}', 'start'],
    ['resource-controller instances', '/v2/resource_instances?limit=5', 'start'],
    ['user-management', '/v2/accounts/{account}/users?limit=1', '_start'],
    ['enterprise-management', '/v1/enterprises?account_id={account}', 'next_docid'],
    ['enterprise-management accounts', '/v1/accounts?account_id={account}', 'next_docid'],
  ];

  for (const [api, template, cursor] of listings) {
    it(`${api}: ?${cursor}= answers as without it`, async () => {
      const path = template.replace('{account}', account);
      const plain = await get(path);
      const empty = await get(`${path}&${cursor}=`);
      expect(plain.status).toBe(200);
      expect(empty.status).toBe(200);
      expect(stable(empty.body)).toEqual(stable(plain.body));
    });
  }
});

describe('a cursor that was not issued is refused in the API shape', () => {
  it('iam-identity: 400 ExceptionResponse', async () => {
    const reply = await get(`/v1/apikeys?account_id=${account}&pagetoken=not-a-token`);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ status_code: '400', errors: [{ code: expect.any(String) }] });
  });

  it('iam-policy-management: 400 with the policy error codes', async () => {
    const reply = await get(`/v2/policies?account_id=${account}&start=garbage`);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ status_code: 400, errors: [{ code: 'invalid_body' }] });
  });

  it('resource-controller: 400 in its error shape', async () => {
    const reply = await get('/v2/resource_instances?start=garbage');
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ status_code: 400, error_code: expect.any(String) });
  });

  it('user-management: 400', async () => {
    const reply = await get(`/v2/accounts/${account}/users?_start=%3D`);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ status_code: 400 });
  });
});
