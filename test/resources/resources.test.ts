import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COS_PLAN, KMS_PLAN, clientsFor } from '../enterprise/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { callStatus } from '../helpers/identities.js';

describe('resource groups and resource instances', () => {
  let server: TestServer;
  let c: ReturnType<typeof clientsFor>;
  let defaultGroup: string;
  let group: string;

  beforeAll(async () => {
    server = await startTestServer();
    c = clientsFor(server.url, server.owner.apikey);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('has exactly one default group, which cannot be deleted', async () => {
    const list = await c.groups.listResourceGroups({ _default: true });
    expect(list.result.resources).toHaveLength(1);
    const def = list.result.resources![0]!;
    defaultGroup = def.id!;
    expect(def.crn).toBe(`crn:v1:bluemix:public:resource-controller:global:a/${server.owner.accountId}::resource-group:${defaultGroup}`);
    expect(defaultGroup).toMatch(/^[0-9a-f]{32}$/);
    expect(await callStatus(c.groups.deleteResourceGroup({ id: defaultGroup }))).toBe(409);
  });

  it('creates, reads, renames, filters and deletes groups', async () => {
    const created = await c.groups.createResourceGroup({ name: 'team-a', accountId: server.owner.accountId });
    expect(created.status).toBe(201);
    group = created.result.id!;
    expect(created.result.crn).toContain(`::resource-group:${group}`);
    expect(await callStatus(c.groups.createResourceGroup({ name: 'team-a' }))).toBe(409);

    const got = await c.groups.getResourceGroup({ id: group });
    expect(got.result).toMatchObject({ id: group, name: 'team-a', state: 'ACTIVE', default: false, account_id: server.owner.accountId });
    const renamed = await c.groups.updateResourceGroup({ id: group, name: 'team-alpha' });
    expect(renamed.result.name).toBe('team-alpha');
    expect((await c.groups.listResourceGroups({ name: 'team-alpha' })).result.resources!.map((g) => g.id)).toEqual([group]);
    expect((await c.groups.listResourceGroups({ date: '2000-01' })).result.resources).toEqual([]);

    const spare = await c.groups.createResourceGroup({ name: 'spare' });
    expect((await c.groups.deleteResourceGroup({ id: spare.result.id! })).status).toBe(204);
    expect(await callStatus(c.groups.getResourceGroup({ id: 'f'.repeat(32) }))).toBe(404);
    const all = await c.groups.listResourceGroups({ includeDeleted: true });
    expect(all.result.resources!.find((g) => g.id === spare.result.id)?.state).toBe('DELETED');
    expect((await c.groups.listResourceGroups({})).result.resources!.map((g) => g.id)).not.toContain(spare.result.id);
  });

  it('lists and reads quota definitions', async () => {
    const list = await c.groups.listQuotaDefinitions();
    expect(list.result.resources!.length).toBeGreaterThan(1);
    const one = await c.groups.getQuotaDefinition({ id: list.result.resources![0]!.id! });
    expect(one.result.name).toBe(list.result.resources![0]!.name);
    expect(await callStatus(c.groups.getQuotaDefinition({ id: 'nope' }))).toBe(404);
  });

  it('creates, reads, updates and locks an instance', async () => {
    const created = await c.instances.createResourceInstance({
      name: 'my-cos',
      target: 'global',
      resourceGroup: group,
      resourcePlanId: COS_PLAN,
      tags: ['env:test'],
      parameters: { tier: 'smart' },
    });
    expect(created.status).toBe(201);
    const i = created.result;
    expect(i).toMatchObject({ name: 'my-cos', state: 'active', resource_group_id: group, resource_plan_id: COS_PLAN, locked: false });
    expect(i.id).toBe(i.crn);
    expect((await c.instances.getResourceInstance({ id: i.guid! })).result.crn).toBe(i.crn);

    const updated = await c.instances.updateResourceInstance({ id: i.guid!, name: 'my-cos-2', parameters: { size: 'L' }, allowCleanup: true });
    expect(updated.result).toMatchObject({ name: 'my-cos-2', allow_cleanup: true, parameters: { tier: 'smart', size: 'L' } });

    const locked = await c.instances.lockResourceInstance({ id: i.guid! });
    expect(locked.result.locked).toBe(true);
    expect(await callStatus(c.instances.updateResourceInstance({ id: i.guid!, name: 'nope' }))).toBe(422);
    expect(await callStatus(c.instances.deleteResourceInstance({ id: i.guid! }))).toBe(422);
    const unlocked = await c.instances.unlockResourceInstance({ id: i.guid! });
    expect(unlocked.result.locked).toBe(false);

    // Entity-Lock creates an instance already locked.
    const preLocked = await c.instances.createResourceInstance({
      name: 'locked-kms',
      target: 'us-south',
      resourceGroup: group,
      resourcePlanId: KMS_PLAN,
      entityLock: true,
    });
    expect(preLocked.result).toMatchObject({ locked: true, crn: `crn:v1:bluemix:public:kms:us-south:a/${server.owner.accountId}:${preLocked.result.guid}::` });
  });

  // Instance paths accept a URL-encoded CRN; a CRN is longer than Fastify's default route-parameter
  // limit (100 characters, answered 414), so this waits for `routerOptions.maxParamLength` (≥ 300)
  // in src/app.ts.
  it('reads, locks and unlocks an instance by its URL-encoded CRN', async () => {
    const [i] = (await c.instances.listResourceInstances({ name: 'my-cos-2' })).result.resources;
    expect((await c.instances.getResourceInstance({ id: i!.crn! })).result.guid).toBe(i!.guid);
    expect((await c.instances.lockResourceInstance({ id: i!.crn! })).result.locked).toBe(true);
    expect((await c.instances.unlockResourceInstance({ id: i!.crn! })).result.locked).toBe(false);
  });

  it('refuses to delete a group that holds instances', async () => {
    expect(await callStatus(c.groups.deleteResourceGroup({ id: group }))).toBe(409);
  });

  it('deletes an instance into a reclamation, restores it, deletes and reclaims it', async () => {
    const i = (
      await c.instances.createResourceInstance({ name: 'doomed', target: 'global', resourceGroup: group, resourcePlanId: COS_PLAN })
    ).result;
    const groupOf = async (guid: string) =>
      (await server.server.registry.resources.listInstanceGroups()).find((e) => e.instanceId === guid)?.resourceGroupId;
    expect(await groupOf(i.guid!)).toBe(group);

    expect((await c.instances.deleteResourceInstance({ id: i.guid! })).status).toBe(204);
    expect((await c.instances.getResourceInstance({ id: i.guid! })).result.state).toBe('pending_reclamation');
    expect(await groupOf(i.guid!)).toBeUndefined();
    expect(await callStatus(c.instances.deleteResourceInstance({ id: i.guid! }))).toBe(404);

    const reclamations = await c.instances.listReclamations({ accountId: server.owner.accountId, resourceInstanceId: i.guid! });
    expect(reclamations.result.resources).toHaveLength(1);
    const reclamation = reclamations.result.resources![0]!;
    expect(reclamation).toMatchObject({ resource_instance_id: i.guid, entity_crn: i.crn, state: 'SCHEDULED', resource_group_id: group });

    const restored = await c.instances.runReclamationAction({ id: reclamation.id!, actionName: 'restore' });
    expect(restored.result.state).toBe('RESTORED');
    expect((await c.instances.getResourceInstance({ id: i.guid! })).result.state).toBe('active');
    expect(await groupOf(i.guid!)).toBe(group);
    expect(await callStatus(c.instances.runReclamationAction({ id: reclamation.id!, actionName: 'reclaim' }))).toBe(409);

    await c.instances.deleteResourceInstance({ id: i.guid! });
    const again = (await c.instances.listReclamations({ resourceInstanceId: i.guid! })).result.resources![0]!;
    expect((await c.instances.runReclamationAction({ id: again.id!, actionName: 'reclaim', requestBy: 'test' })).result.state).toBe('RECLAIMED');
    expect(await callStatus(c.instances.getResourceInstance({ id: i.guid! }))).toBe(404);
    expect(await callStatus(c.instances.runReclamationAction({ id: again.id!, actionName: 'explode' }))).toBe(400);

    // The feed carried the instance's life for the decision point.
    const changes = await server.server.registry.database.db
      .selectFrom('changes')
      .select(['op'])
      .where('entity', '=', 'resource_instance')
      .where('entity_id', '=', i.guid!)
      .orderBy('id')
      .execute();
    expect(changes.map((c) => c.op)).toEqual(['create', 'delete', 'create', 'delete', 'delete']);
  });

  it('pages through instances with start to the end, and filters them', async () => {
    for (let n = 0; n < 5; n++) {
      await c.instances.createResourceInstance({ name: `paged-${n}`, target: 'eu-de', resourceGroup: defaultGroup, resourcePlanId: KMS_PLAN });
    }
    const seen: string[] = [];
    let start: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await c.instances.listResourceInstances({ resourceGroupId: defaultGroup, limit: 2, ...(start ? { start } : {}) });
      expect(res.result.rows_count).toBe(res.result.resources.length);
      seen.push(...res.result.resources.map((r) => r.name!));
      if (!res.result.next_url) break;
      start = new URL(res.result.next_url, server.url).searchParams.get('start')!;
    }
    expect(seen.sort()).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4']);

    // The SDK's own pager follows next_url too.
    const { ResourceInstancesPager } = await import('@ibm-cloud/platform-services/resource-controller/v2.js').then((m) => m.default);
    const all = await new ResourceInstancesPager(c.instances, { resourcePlanId: KMS_PLAN, limit: 2 }).getAll();
    expect(all.map((r) => r.name)).toEqual(expect.arrayContaining(['paged-0', 'paged-4', 'locked-kms']));
    expect(all).toHaveLength(6);

    const byName = await c.instances.listResourceInstances({ name: 'paged-3' });
    expect(byName.result.resources.map((r) => r.name)).toEqual(['paged-3']);
    expect((await c.instances.listResourceInstances({ state: 'removed' })).result.resources).toHaveLength(1);
    expect((await c.instances.listResourceInstances({ updatedFrom: '2999-01-01T00:00:00Z' })).result.resources).toEqual([]);
  });

  it('answers bad input with 400, never 500', async () => {
    const create = (over: Record<string, unknown>) =>
      callStatus(c.instances.createResourceInstance({ name: 'x', target: 'global', resourceGroup: group, resourcePlanId: COS_PLAN, ...over }));
    expect(await create({ resourcePlanId: 'no-such-plan' })).toBe(400);
    expect(await create({ target: 'mars-north' })).toBe(400);
    expect(await create({ resourceGroup: 'no-such-group' })).toBe(400);
    expect(await create({ name: 'bad/name!' })).toBe(400);
    expect(await callStatus(c.instances.listResourceInstances({ start: '%%%' }))).toBe(400);
    expect(await callStatus(c.instances.listResourceInstances({ limit: 1000 }))).toBe(400);
    expect(await callStatus(c.groups.listResourceGroups({ date: 'yesterday' }))).toBe(400);
    expect(await callStatus(c.groups.createResourceGroup({ name: 'has/slash' }))).toBe(400);
    expect(await callStatus(c.groups.updateResourceGroup({ id: group, state: 'SUSPENDED' }))).toBe(400);
    expect(await callStatus(c.instances.getResourceInstance({ id: 'crn:v1:bluemix:public:kms:global:a/x:y::' }))).toBe(404);
  });

  it('refuses unauthenticated calls in the Resource Controller error shape', async () => {
    const res = await fetch(`${server.url}/v2/resource_groups`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status_code: 401, error_code: expect.any(String), transaction_id: expect.any(String) });
  });
});
