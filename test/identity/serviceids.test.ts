import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { identityClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { pagetokenOf } from './helpers.js';
import { type Caller, ownerOf } from '../helpers/callers.js';
import { errorOf, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
});
afterAll(() => server?.close());

describe('service IDs', () => {
  it('creates one with an embedded API key, returned only on create', async () => {
    const created = await owner.identity.createServiceId({
      accountId: owner.accountId,
      name: 'builder',
      description: 'CI builder',
      uniqueInstanceCrns: ['crn:v1:bluemix:public:cloud-object-storage:global:a/x:1a0ec336-f391-4091-a6fb-5e084a4c56f4::'],
      apikey: { name: 'builder key', description: 'its key' },
    });
    expect(created.status).toBe(201);
    const sid = created.result;
    expect(sid.id).toMatch(/^ServiceId-[0-9a-f-]{36}$/);
    expect(sid.iam_id).toBe(`iam-${sid.id}`);
    expect(sid.crn).toBe(`crn:v1:bluemix:public:iam-identity::a/${owner.accountId}::serviceid:${sid.id}`);
    expect(created.headers.etag).toBe(sid.entity_tag);
    expect(sid.apikey?.apikey.length).toBeGreaterThanOrEqual(32);
    expect(sid.apikey?.iam_id).toBe(sid.iam_id);

    const read = await owner.identity.getServiceId({ id: sid.id, includeActivity: true });
    expect(read.result.apikey).toBeUndefined();
    expect(read.result.unique_instance_crns).toEqual(sid.unique_instance_crns);
    expect(read.headers.etag).toBe(sid.entity_tag);

    // The service ID's key authenticates as the service ID.
    const asService = identityClient(server.url, sid.apikey!.apikey);
    const own = await asService.getApiKeysDetails({ iamApiKey: sid.apikey!.apikey });
    expect(own.result.iam_id).toBe(sid.iam_id);
    await vi.waitFor(
      async () => {
        const activity = (await owner.identity.getServiceId({ id: sid.id, includeActivity: true })).result.activity;
        expect(activity?.authn_count).toBeGreaterThanOrEqual(1);
      },
      { timeout: 5000, interval: 200 },
    );

    const keys = (await owner.identity.listApiKeys({ iamId: sid.iam_id })).result.apikeys;
    expect(keys.map((k) => k.id)).toEqual([sid.apikey!.id]);
  });

  it('Entity-Lock creates it locked; a locked service ID refuses update and delete', async () => {
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'locked', entityLock: 'true' })).result;
    expect(sid.locked).toBe(true);
    expect(await statusOf(owner.identity.updateServiceId({ id: sid.id, ifMatch: '*', name: 'x' }))).toBe(409);
    const refused = await errorOf(owner.identity.deleteServiceId({ id: sid.id }));
    expect(refused.status).toBe(409);
    expect(refused.message).toContain(sid.id);
    expect((await owner.identity.unlockServiceId({ id: sid.id })).status).toBe(204);
    expect((await owner.identity.lockServiceId({ id: sid.id })).status).toBe(204);
    expect((await owner.identity.unlockServiceId({ id: sid.id })).status).toBe(204);
    const history = (await owner.identity.getServiceId({ id: sid.id, includeHistory: true })).result.history!;
    expect(history.map((h) => h.action)).toEqual(['create', 'unlock', 'lock', 'unlock']);
    expect((await owner.identity.deleteServiceId({ id: sid.id })).status).toBe(204);
  });

  it('updates with If-Match', async () => {
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'upd' })).result;
    const updated = await owner.identity.updateServiceId({
      id: sid.id,
      ifMatch: sid.entity_tag,
      name: 'upd2',
      description: 'described',
      uniqueInstanceCrns: [],
    });
    expect(updated.result).toMatchObject({ name: 'upd2', description: 'described', unique_instance_crns: [] });
    expect(updated.headers.etag).toBe(updated.result.entity_tag);
    expect(await statusOf(owner.identity.updateServiceId({ id: sid.id, ifMatch: sid.entity_tag, name: 'stale' }))).toBe(412);
    expect(await statusOf(owner.identity.updateServiceId({ id: sid.id, ifMatch: '*', uniqueInstanceCrns: ['not a crn'] }))).toBe(400);
    const history = (await owner.identity.getServiceId({ id: sid.id, includeHistory: true })).result.history!;
    expect(history[1]).toMatchObject({ action: 'update', params: ['name', 'description', 'unique_instance_crns'] });
  });

  it('delete removes its API keys, which stop working', async () => {
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'doomed', apikey: { name: 'k1' } })).result;
    const second = (await owner.identity.createApiKey({ name: 'k2', iamId: sid.iam_id })).result;
    expect(second.apikey.length).toBeGreaterThan(0);
    expect((await owner.identity.deleteServiceId({ id: sid.id })).status).toBe(204);
    expect(await statusOf(owner.identity.getServiceId({ id: sid.id }))).toBe(404);
    expect(await statusOf(owner.identity.getApiKey({ id: sid.apikey!.id }))).toBe(404);
    expect(await statusOf(owner.identity.getApiKey({ id: second.id }))).toBe(404);
    expect(await statusOf(identityClient(server.url, second.apikey).getServiceId({ id: sid.id }))).toBe(400);
  });

  it('a service ID with a locked key cannot be deleted', async () => {
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'guarded', apikey: { name: 'k' } })).result;
    await owner.identity.lockApiKey({ id: sid.apikey!.id });
    const refused = await errorOf(owner.identity.deleteServiceId({ id: sid.id }));
    expect(refused.status).toBe(409);
    expect(refused.message).toContain(sid.apikey!.id);
    expect((await owner.identity.getServiceId({ id: sid.id })).status).toBe(200);
  });

  it('lists by account with name filter and pagination; account_id is required without a pagetoken', async () => {
    for (let i = 0; i < 5; i++) await owner.identity.createServiceId({ accountId: owner.accountId, name: `pager` });
    const seen: string[] = [];
    let page = (await owner.identity.listServiceIds({ accountId: owner.accountId, name: 'pager', pagesize: 2, sort: 'name' })).result;
    for (;;) {
      seen.push(...page.serviceids.map((s) => s.id));
      expect(page.serviceids.every((s) => s.name === 'pager')).toBe(true);
      if (!page.next) break;
      page = (await owner.identity.listServiceIds({ pagetoken: pagetokenOf(page.next) })).result;
    }
    expect(seen.length).toBe(5);
    expect(new Set(seen).size).toBe(5);
    expect(await statusOf(owner.identity.listServiceIds({}))).toBe(400);
    const withHistory = (await owner.identity.listServiceIds({ accountId: owner.accountId, name: 'pager', includeHistory: true })).result;
    expect(withHistory.serviceids[0]?.history?.[0]?.action).toBe('create');
  });
});

describe('service ID groups', () => {
  it('create, get, list, update with If-Match, delete; names unique per account', async () => {
    const created = await owner.identity.createServiceIdGroup({ accountId: owner.accountId, name: 'team', description: 'the team' });
    expect(created.status).toBe(201);
    const group = created.result;
    expect(group).toMatchObject({ account_id: owner.accountId, name: 'team', description: 'the team', created_by: owner.iamId });
    expect(created.headers.etag).toBe(group.entity_tag);
    const duplicate = await errorOf(owner.identity.createServiceIdGroup({ accountId: owner.accountId, name: 'team' }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.message).toContain('team');

    const read = await owner.identity.getServiceIdGroup({ id: group.id });
    expect(read.headers.etag).toBe(group.entity_tag);
    const listed = (await owner.identity.listServiceIdGroup({ accountId: owner.accountId })).result.serviceid_groups;
    expect(listed.map((g) => g.id)).toContain(group.id);

    const other = (await owner.identity.createServiceIdGroup({ accountId: owner.accountId, name: 'other' })).result;
    expect(await statusOf(owner.identity.updateServiceIdGroup({ id: other.id, ifMatch: '*', name: 'team' }))).toBe(409);
    const updated = await owner.identity.updateServiceIdGroup({ id: group.id, ifMatch: group.entity_tag!, name: 'team2' });
    expect(updated.result.name).toBe('team2');
    expect(await statusOf(owner.identity.updateServiceIdGroup({ id: group.id, ifMatch: group.entity_tag!, name: 'team3' }))).toBe(412);

    // A group holding service IDs cannot be deleted.
    const member = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'in group', groupId: group.id, showGroupId: 'true' })).result;
    expect(member.group_id).toBe(group.id);
    expect((await owner.identity.listServiceIds({ accountId: owner.accountId, groupId: group.id })).result.serviceids.map((s) => s.id)).toEqual([member.id]);
    expect(await statusOf(owner.identity.deleteServiceIdGroup({ id: group.id }))).toBe(409);
    await owner.identity.deleteServiceId({ id: member.id });
    expect((await owner.identity.deleteServiceIdGroup({ id: group.id })).status).toBe(204);
    expect(await statusOf(owner.identity.getServiceIdGroup({ id: group.id }))).toBe(404);
    expect(await statusOf(owner.identity.createServiceId({ accountId: owner.accountId, name: 'x', groupId: group.id }))).toBe(400);
  });
});
