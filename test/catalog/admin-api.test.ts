import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { bearerOf } from '../helpers/identities.js';

/** Registering services at run time: they take part in decisions at once, and only the operator may. */

const books = {
  name: 'books',
  displayName: 'Books',
  roles: ['Administrator', 'Viewer', 'Reader', 'Writer'],
  actions: [
    { id: 'books.book.read', displayName: 'Read books', roles: ['Reader', 'Writer'] },
    { id: 'books.book.write', displayName: 'Write books', roles: ['Writer'] },
  ],
};

let server: TestServer;
let owner: Caller;
let ownerBearer: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  ownerBearer = await bearerOf(server.url, owner.apikey);
});
afterAll(() => server.close());

async function call(method: string, path: string, bearer: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: bearer, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const readBook = (subject: string) => [
  {
    subject: { attributes: { id: subject } },
    action: 'books.book.read',
    resource: { attributes: { accountId: owner.accountId, serviceName: 'books' } },
  },
];

describe('the catalog API', () => {
  it('registers a service that takes part in decisions as soon as the call returns', async () => {
    const member = await addMember(server, owner.accountId);
    const before = await call('POST', '/v2/authz', ownerBearer, readBook(member.iamId));
    expect(before.body.responses[0].authorizationDecision.reason).toMatch(/not in the catalog/);

    const put = await call('PUT', '/v1/catalog/services/books', ownerBearer, books);
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toMatch(/^1-[0-9a-f]{32}$/);
    expect(put.body).toMatchObject({ name: 'books', built_in: false });

    await owner.policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }],
      resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: 'books' }] }],
    });
    const after = await call('POST', '/v2/authz', ownerBearer, readBook(member.iamId));
    expect(after.body.responses[0].authorizationDecision.permitted).toBe(true);

    const listed = await call('GET', '/v1/catalog/services', ownerBearer);
    expect(listed.body.services.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['books', 'iam-identity', 'cloud-object-storage']));
  });

  it('replaces with If-Match (412 when stale) and removes; a removed service\'s actions are denied as unknown', async () => {
    const current = await call('GET', '/v1/catalog/services/books', ownerBearer);
    const tag = current.headers.get('etag')!;
    const changed = { ...books, displayName: 'Library' };
    expect((await call('PUT', '/v1/catalog/services/books', ownerBearer, changed)).status).toBe(200);
    const stale = await fetch(`${server.url}/v1/catalog/services/books`, {
      method: 'PUT',
      headers: { authorization: ownerBearer, 'content-type': 'application/json', 'if-match': tag },
      body: JSON.stringify(changed),
    });
    expect(stale.status).toBe(412);

    expect((await call('DELETE', '/v1/catalog/services/books', ownerBearer)).status).toBe(204);
    expect((await call('GET', '/v1/catalog/services/books', ownerBearer)).status).toBe(404);
    const denied = await call('POST', '/v2/authz', ownerBearer, readBook(owner.iamId));
    expect(denied.body.responses[0].authorizationDecision.reason).toMatch(/not in the catalog/);
  });

  it('refuses invalid definitions and built-in services, storing nothing', async () => {
    const outside = { ...books, name: 'shelves', actions: [{ id: 'books.book.read', roles: ['Reader'] }] };
    expect((await call('PUT', '/v1/catalog/services/shelves', ownerBearer, outside)).status).toBe(400);
    expect((await call('PUT', '/v1/catalog/services/shelves', ownerBearer, { ...books, name: 'other' })).status).toBe(400);
    expect((await call('GET', '/v1/catalog/services/shelves', ownerBearer)).status).toBe(404);
    const builtIn = await call('PUT', '/v1/catalog/services/iam-identity', ownerBearer, { ...books, name: 'iam-identity', actions: [] });
    expect(builtIn.status).toBe(409);
    expect((await call('DELETE', '/v1/catalog/services/iam-identity', ownerBearer)).status).toBe(409);
  });

  it('is reserved to the operator account: members and other accounts\' owners get 403', async () => {
    const member = await addMember(server, owner.accountId);
    const other = await createOtherAccount(server);
    for (const caller of [member, other]) {
      const bearer = await bearerOf(server.url, caller.apikey);
      expect((await call('PUT', '/v1/catalog/services/sneaky', bearer, { ...books, name: 'sneaky', actions: [] })).status).toBe(403);
      expect((await call('GET', '/v1/catalog/services', bearer)).status).toBe(200);
    }
    expect((await call('GET', '/v1/catalog/services/sneaky', ownerBearer)).status).toBe(404);
  });

  it('audits registrations and removals, refused ones as failures', async () => {
    const member = await addMember(server, owner.accountId);
    const memberBearer = await bearerOf(server.url, member.apikey);
    const audited = { ...books, name: 'audited-books', actions: [] };
    expect((await call('PUT', '/v1/catalog/services/audited-books', memberBearer, audited)).status).toBe(403);
    expect((await call('PUT', '/v1/catalog/services/audited-books', ownerBearer, audited)).status).toBe(200);
    expect((await call('PUT', '/v1/catalog/services/audited-books', ownerBearer, audited)).status).toBe(200);
    expect((await call('DELETE', '/v1/catalog/services/audited-books', ownerBearer)).status).toBe(204);
    const events = await server.server.registry.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'initiator_iam_id'])
      .where('target_id', '=', 'audited-books')
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { action: 'globalcatalog.service.create', outcome: 'failure', initiator_iam_id: member.iamId },
      { action: 'globalcatalog.service.create', outcome: 'success', initiator_iam_id: owner.iamId },
      { action: 'globalcatalog.service.update', outcome: 'success', initiator_iam_id: owner.iamId },
      { action: 'globalcatalog.service.delete', outcome: 'success', initiator_iam_id: owner.iamId },
    ]);
  });
});
