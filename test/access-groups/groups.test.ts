import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, ownerOf } from '../helpers/callers.js';
import { errorOf, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
});
afterAll(() => server?.close());

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('access group lifecycle', () => {
  it('creates, reads, updates with If-Match and deletes a group', async () => {
    const g = owner.groups;
    const created = await g.createAccessGroup({ accountId: owner.accountId, name: 'Managers', description: 'Group for managers' });
    expect(created.status).toBe(201);
    const group = created.result;
    expect(group.id).toMatch(/^AccessGroupId-[0-9a-f-]{36}$/);
    expect(group).toMatchObject({
      name: 'Managers',
      description: 'Group for managers',
      account_id: owner.accountId,
      created_by_id: owner.iamId,
      last_modified_by_id: owner.iamId,
      href: `${server.url}/v2/groups/${group.id}`,
    });
    expect(group.created_at).toMatch(TIMESTAMP);
    expect(created.headers['transaction-id']).toBeTruthy();

    const read = await g.getAccessGroup({ accessGroupId: group.id!, showFederated: true, showCrn: true });
    const etag = read.headers.etag as string;
    expect(etag).toMatch(/^1-[0-9a-f]{32}$/);
    expect(read.result).toMatchObject({
      id: group.id,
      is_federated: false,
      crn: `crn:v1:bluemix:public:iam-groups::a/${owner.accountId}::group:${group.id}`,
    });

    const updated = await g.updateAccessGroup({ accessGroupId: group.id!, ifMatch: etag, name: 'Awesome Managers', description: 'Awesome' });
    expect(updated.status).toBe(200);
    expect(updated.result).toMatchObject({ name: 'Awesome Managers', description: 'Awesome' });
    expect(updated.headers.etag).toMatch(/^2-[0-9a-f]{32}$/);

    // The old tag is stale now.
    const stale = await errorOf(g.updateAccessGroup({ accessGroupId: group.id!, ifMatch: etag, name: 'Again' }));
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ status_code: 412, errors: [{ code: 'precondition_failed' }] });

    expect((await g.deleteAccessGroup({ accessGroupId: group.id! })).status).toBe(204);
    const gone = await errorOf(g.getAccessGroup({ accessGroupId: group.id! }));
    expect(gone.status).toBe(404);
    expect(gone.message).toContain(group.id);
    expect(gone.body).toMatchObject({ status_code: 404, errors: [{ code: 'not_found' }] });
    expect(typeof gone.body.trace).toBe('string');
  });

  it('refuses a duplicate name case-insensitively (409) and bad input (400)', async () => {
    const g = owner.groups;
    await g.createAccessGroup({ accountId: owner.accountId, name: 'Auditors' });
    expect(await statusOf(g.createAccessGroup({ accountId: owner.accountId, name: 'AUDITORS' }))).toBe(409);
    expect(await statusOf(g.createAccessGroup({ accountId: owner.accountId, name: 'Public Access' }))).toBe(409);
    expect(await statusOf(g.createAccessGroup({ accountId: owner.accountId, name: '   ' }))).toBe(400);
    expect(await statusOf(g.createAccessGroup({ accountId: owner.accountId, name: 'x'.repeat(101) }))).toBe(400);
    expect(await statusOf(g.createAccessGroup({ accountId: owner.accountId, name: 'Long', description: 'd'.repeat(251) }))).toBe(400);

    const other = (await g.createAccessGroup({ accountId: owner.accountId, name: 'Reviewers' })).result;
    const etag = (await g.getAccessGroup({ accessGroupId: other.id! })).headers.etag as string;
    expect(await statusOf(g.updateAccessGroup({ accessGroupId: other.id!, ifMatch: etag, name: 'auditors' }))).toBe(409);
    // Changing only the letter case of its own name is fine.
    const renamed = await g.updateAccessGroup({ accessGroupId: other.id!, ifMatch: etag, name: 'REVIEWERS' });
    expect(renamed.result.name).toBe('REVIEWERS');
  });

  it('deletes a group with members or rules only with force=true', async () => {
    const g = owner.groups;
    const group = (await g.createAccessGroup({ accountId: owner.accountId, name: 'Sticky' })).result;
    await g.addMembersToAccessGroup({ accessGroupId: group.id!, members: [{ iam_id: owner.iamId, type: 'user' }] });
    const refused = await errorOf(g.deleteAccessGroup({ accessGroupId: group.id! }));
    expect(refused.status).toBe(409);
    expect(refused.message).toContain('force=true');
    expect((await g.getAccessGroup({ accessGroupId: group.id! })).status).toBe(200);
    expect((await g.deleteAccessGroup({ accessGroupId: group.id!, force: true })).status).toBe(204);
    expect(await statusOf(g.getAccessGroup({ accessGroupId: group.id! }))).toBe(404);
    expect(await statusOf(g.deleteAccessGroup({ accessGroupId: group.id! }))).toBe(404);
  });
});
