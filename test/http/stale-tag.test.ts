import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf, rawCall } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * A stale If-Match is a 412 in every API, in each API's own error shape and code: the policy API
 * has no `precondition_failed` in its codes and answers `request_not_processed`.
 */
let server: TestServer;
let bearer: string;
let account: string;
const STALE = '1-00000000000000000000000000000000';

beforeAll(async () => {
  server = await startTestServer();
  bearer = await bearerOf(server.url, server.owner.apikey);
  account = server.owner.accountId;
});
afterAll(() => server?.close());

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  rawCall(server.url, bearer, method, path, body === undefined ? undefined : JSON.stringify(body), headers);

describe('a stale If-Match', () => {
  it('iam-identity: 412 precondition_failed, nothing changed', async () => {
    const key = await call('POST', '/v1/apikeys', { name: 'k', iam_id: server.owner.iamId, account_id: account });
    const reply = await call('PUT', `/v1/apikeys/${key.body.id}`, { name: 'renamed' }, { 'If-Match': STALE });
    expect(reply.status).toBe(412);
    expect(reply.body).toMatchObject({ status_code: '412', errors: [{ code: 'precondition_failed' }] });
    expect((await call('GET', `/v1/apikeys/${key.body.id}`)).body.name).toBe('k');
  });

  it('iam-access-groups: 412 precondition_failed', async () => {
    const group = await call('POST', `/v2/groups?account_id=${account}`, { name: 'stale-tag' });
    const reply = await call('PATCH', `/v2/groups/${group.body.id}`, { name: 'renamed' }, { 'If-Match': STALE });
    expect(reply.status).toBe(412);
    expect(reply.body).toMatchObject({ status_code: 412, errors: [{ code: 'precondition_failed' }] });
  });

  it('iam-policy-management: 412 request_not_processed, nothing changed', async () => {
    const policy = await call('POST', '/v1/policies', {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: server.owner.iamId }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Viewer' }],
      resources: [{ attributes: [{ name: 'accountId', value: account }, { name: 'serviceName', value: 'iam-identity' }] }],
    });
    expect(policy.status).toBe(201);
    const reply = await call('PATCH', `/v1/policies/${policy.body.id}`, { state: 'deleted' }, { 'If-Match': STALE });
    expect(reply.status).toBe(412);
    expect(reply.body).toMatchObject({ status_code: 412, errors: [{ code: 'request_not_processed' }] });
    expect((await call('GET', `/v1/policies/${policy.body.id}`)).body.state).toBe('active');
  });
});
