import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, ownerOf } from '../helpers/callers.js';
import { bearerOf, rawCall } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
let bearer: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  bearer = await bearerOf(server.url, owner.apikey);
});
afterAll(() => server?.close());

const keyCount = async () => (await owner.identity.listApiKeys({ scope: 'account', pagesize: 100 })).result.apikeys.length;
const serviceIdCount = async () => (await owner.identity.listServiceIds({ accountId: owner.accountId, pagesize: 100 })).result.serviceids.length;

/** Every refusal is IBM's identity ExceptionResponse. */
function expectIdentityError(response: { status: number; body: any }, status: number, mentions?: string) {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({ status_code: String(status), errors: [{ code: expect.any(String), message_code: expect.any(String) }] });
  expect(typeof response.body.trace).toBe('string');
  if (mentions) expect(response.body.errors[0].message).toContain(mentions);
}

describe('malformed input', () => {
  it('rejects bad bodies with 400 (413 when oversized) and writes nothing', async () => {
    const keys = await keyCount();
    const serviceIds = await serviceIdCount();
    const bodies: [string, string, number, string?][] = [
      ['/v1/apikeys', '{"name": "x", "iam_id": ', 400],
      ['/v1/apikeys', JSON.stringify({ name: 'x', iam_id: owner.iamId, colour: 'red' }), 400, 'colour'],
      ['/v1/apikeys', JSON.stringify({ name: 42, iam_id: owner.iamId }), 400, 'name'],
      ['/v1/apikeys', JSON.stringify({ name: 'x', iam_id: owner.iamId, store_value: 'yes' }), 400, 'store_value'],
      ['/v1/apikeys', JSON.stringify({ name: 'x' }), 400, 'iam_id'],
      ['/v1/apikeys', JSON.stringify({ name: 'x', iam_id: owner.iamId, action_when_leaked: 'explode' }), 400, 'action_when_leaked'],
      ['/v1/apikeys', '[]', 400],
      ['/v1/apikeys', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), iam_id: owner.iamId }), 413],
      ['/v1/serviceids', JSON.stringify({ account_id: owner.accountId, name: 'x', apikey: { name: 'k', extra: 1 } }), 400, 'extra'],
      ['/v1/serviceids', JSON.stringify({ account_id: owner.accountId, name: 'x', unique_instance_crns: 'crn' }), 400, 'unique_instance_crns'],
      ['/v1/serviceids', '{not json}', 400],
    ];
    for (const [path, body, status, mentions] of bodies) {
      const response = await rawCall(server.url, bearer, 'POST', path, body);
      expectIdentityError(response, status, mentions);
    }
    expect(await keyCount()).toBe(keys);
    expect(await serviceIdCount()).toBe(serviceIds);
  });

  it('requires If-Match on updates (428) and a bearer token (401)', async () => {
    const key = (await owner.identity.createApiKey({ name: 'm', iamId: owner.iamId })).result;
    expectIdentityError(await rawCall(server.url, bearer, 'PUT', `/v1/apikeys/${key.id}`, JSON.stringify({ name: 'n' })), 428, 'If-Match');
    expectIdentityError(await rawCall(server.url, 'Bearer not-a-token', 'GET', `/v1/apikeys/${key.id}`), 401);
    expect((await owner.identity.getApiKey({ id: key.id })).result.name).toBe('m');
  });

  it('accepts a quoted If-Match and answers unknown routes with 404 in the identity shape', async () => {
    const key = (await owner.identity.createApiKey({ name: 'q', iamId: owner.iamId })).result;
    const quoted = await rawCall(server.url, bearer, 'PUT', `/v1/apikeys/${key.id}`, JSON.stringify({ name: 'quoted' }), { 'If-Match': `"${key.entity_tag}"` });
    expect(quoted.status).toBe(200);
    expect(quoted.headers.get('etag')).toBe(quoted.body.entity_tag);
    expectIdentityError(await rawCall(server.url, bearer, 'GET', `/v1/apikeys/${key.id}/nothing`), 404);
  });

  it('rejects bad query parameters and header flags', async () => {
    expectIdentityError(await rawCall(server.url, bearer, 'GET', '/v1/apikeys?pagesize=0'), 400, 'pagesize');
    expectIdentityError(await rawCall(server.url, bearer, 'GET', '/v1/apikeys?scope=galaxy'), 400, 'scope');
    expectIdentityError(
      await rawCall(server.url, bearer, 'POST', '/v1/apikeys', JSON.stringify({ name: 'x', iam_id: owner.iamId }), { 'Entity-Lock': 'maybe' }),
      400,
      'entity-lock',
    );
    expectIdentityError(await rawCall(server.url, bearer, 'GET', '/v1/apikeys/details'), 400, 'iam-apikey');
  });
});
