import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupCrn } from '../../src/resources/crn.js';
import { createResourcesStore, type ResourcesStore } from '../../src/resources/store.js';
import type { Reclamation, ResourceGroup, ResourceInstance } from '../../src/resources/types.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, domainErrorOf, openStore, seedAccount, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: ResourcesStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createResourcesStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

let seq = 0;
const group = (accountId: string, over: Partial<ResourceGroup> = {}): ResourceGroup => {
  const n = ++seq;
  const id = `rg${String(n).padStart(4, '0')}`;
  return { id, crn: groupCrn(accountId, id), accountId, name: `group-${n}`, state: 'ACTIVE', isDefault: false, quotaId: 'q', createdAt: at(n % 60), updatedAt: at(n % 60), deletedAt: null, ...over };
};
const instance = (g: ResourceGroup, over: Partial<ResourceInstance> = {}): ResourceInstance => {
  const n = ++seq;
  const guid = `guid-${String(n).padStart(4, '0')}`;
  return {
    guid, crn: `crn:v1:bluemix:public:kms:us-south:a/${g.accountId}:${guid}::`, accountId: g.accountId, resourceGroupId: g.id, name: `inst-${n}`,
    serviceName: 'kms', resourceId: 'kms', resourcePlanId: 'plan', location: 'us-south', state: 'active', type: 'service_instance', subType: null,
    parameters: { a: 1 }, tags: ['t'], allowCleanup: false, locked: false, createdAt: at(), createdBy: 'IBMid-x', updatedAt: at(n % 60), updatedBy: 'IBMid-x',
    deletedAt: null, deletedBy: null, scheduledReclaimAt: null, scheduledReclaimBy: null, restoredAt: null, restoredBy: null, ...over,
  };
};
const write = <T>(fn: (trx: Parameters<Parameters<Writer['write']>[0]>[0]['trx']) => Promise<T>) => writer.write((w) => fn(w.trx)).then((c) => c.value);

describe('resources store: groups', () => {
  it('getGroup: undefined when absent; the group as inserted (deleted ones too)', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = group(accountId, { isDefault: true });
    expect(await store.getGroup(g.id)).toBeUndefined();
    await write((trx) => store.insertGroup(trx, g));
    expect(await store.getGroup(g.id)).toEqual(g);
    await write((trx) => store.updateGroup(trx, g.id, { state: 'DELETED', deleted_at: at(9), updated_at: at(9) }));
    expect(await store.getGroup(g.id)).toEqual({ ...g, state: 'DELETED', deletedAt: at(9), updatedAt: at(9) });
  });

  it('a live name is unique per account (409 resource_group_exists, on insert and rename); a deleted group frees its name', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const { accountId: elsewhere } = await seedAccount(fixture.database);
    const g = group(accountId, { name: 'shared' });
    const h = group(accountId, { name: 'other' });
    await write(async (trx) => {
      await store.insertGroup(trx, g);
      await store.insertGroup(trx, h);
    });
    const taken = { kind: 'conflict', code: 'resource_group_exists' };
    expect(await domainErrorOf(write((trx) => store.insertGroup(trx, group(accountId, { name: 'shared' }))))).toEqual(taken);
    expect(await domainErrorOf(write((trx) => store.updateGroup(trx, h.id, { name: 'shared' })))).toEqual(taken);
    await write((trx) => store.insertGroup(trx, group(elsewhere, { name: 'shared' })));
    await write((trx) => store.updateGroup(trx, g.id, { state: 'DELETED', deleted_at: at(5) }));
    await write((trx) => store.insertGroup(trx, group(accountId, { name: 'shared' })));
    expect((await store.listGroups({ accountId, name: 'shared' })).map((x) => x.state)).toEqual(['ACTIVE']);
  });

  it('listGroups: oldest first, live ones unless includeDeleted, filtered by name, default flag and month', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const jan = group(accountId, { createdAt: '2025-01-31T23:59:59.000Z' });
    const feb = group(accountId, { createdAt: '2025-02-01T00:00:00.000Z', isDefault: true });
    const gone = group(accountId, { createdAt: '2025-01-02T00:00:00.000Z', state: 'DELETED', deletedAt: at() });
    await write(async (trx) => {
      for (const g of [feb, gone, jan]) await store.insertGroup(trx, g);
      await store.updateGroup(trx, gone.id, { state: 'DELETED' });
    });
    expect((await store.listGroups({ accountId })).map((g) => g.id)).toEqual([jan.id, feb.id]);
    expect((await store.listGroups({ accountId, includeDeleted: true })).map((g) => g.id)).toEqual([gone.id, jan.id, feb.id]);
    expect((await store.listGroups({ accountId, isDefault: true })).map((g) => g.id)).toEqual([feb.id]);
    expect((await store.listGroups({ accountId, isDefault: false })).map((g) => g.id)).toEqual([jan.id]);
    expect((await store.listGroups({ accountId, date: '2025-01' })).map((g) => g.id)).toEqual([jan.id]);
    expect((await store.listGroups({ accountId, name: feb.name })).map((g) => g.id)).toEqual([feb.id]);
  });
});

describe('resources store: instances and reclamations', () => {
  it('getInstance by GUID or CRN, any state; undefined when absent', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = group(accountId);
    const i = instance(g);
    await write(async (trx) => {
      await store.insertGroup(trx, g);
      await store.insertInstance(trx, i);
    });
    expect(await store.getInstance(i.guid)).toEqual(i);
    expect(await store.getInstance(i.crn)).toEqual(i);
    expect(await store.getInstance('guid-none')).toBeUndefined();
    expect(await store.getInstance('crn:v1:bluemix:public:kms:us-south:a/x:none::')).toBeUndefined();
  });

  it('listInstances: GUID order, paged with `after` and `more`; removed ones only when asked; filters', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = group(accountId);
    const h = group(accountId);
    const items = [instance(g), instance(h, { name: 'named' }), instance(g, { state: 'removed' }), instance(g, { state: 'pending_reclamation' })];
    await write(async (trx) => {
      await store.insertGroup(trx, g);
      await store.insertGroup(trx, h);
      for (const i of [...items].reverse()) await store.insertInstance(trx, i);
    });
    const visible = [items[0]!, items[1]!, items[3]!].map((i) => i.guid);
    const first = await store.listInstances({ accountId }, { limit: 2 });
    expect(first.more).toBe(true);
    const second = await store.listInstances({ accountId }, { limit: 2, after: first.items[1]!.guid });
    expect(second.more).toBe(false);
    expect([...first.items, ...second.items].map((i) => i.guid)).toEqual(visible);
    expect((await store.listInstances({ accountId, state: 'removed' }, { limit: 10 })).items.map((i) => i.guid)).toEqual([items[2]!.guid]);
    expect((await store.listInstances({ accountId, resourceGroupId: h.id }, { limit: 10 })).items.map((i) => i.guid)).toEqual([items[1]!.guid]);
    expect((await store.listInstances({ accountId, name: 'named' }, { limit: 10 })).items.map((i) => i.guid)).toEqual([items[1]!.guid]);
    expect(await write((trx) => store.countInstancesInGroup(trx, g.id))).toBe(2);
  });

  it('listInstanceGroups leaves out removed instances and those awaiting reclamation', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = group(accountId);
    const live = instance(g);
    const pending = instance(g);
    await write(async (trx) => {
      await store.insertGroup(trx, g);
      await store.insertInstance(trx, live);
      await store.insertInstance(trx, pending);
      await store.updateInstance(trx, pending.guid, { state: 'pending_reclamation' });
    });
    const mine = (await store.listInstanceGroups()).filter((r) => r.accountId === accountId);
    expect(mine).toEqual([{ accountId, instanceId: live.guid, resourceGroupId: g.id }]);
  });

  it('reclamations: getReclamation carries the instance CRN; listReclamations lists the SCHEDULED ones oldest first', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = group(accountId);
    const i = instance(g);
    const rec = (id: string, createdAt: string): Reclamation => ({
      id, instanceGuid: i.guid, instanceCrn: i.crn, accountId, resourceGroupId: g.id, state: 'SCHEDULED', targetTime: at(50), createdAt, createdBy: 'IBMid-x', updatedAt: createdAt, updatedBy: 'IBMid-x',
    });
    const later = rec(`${accountId}-rec-a`, at(20));
    const earlier = rec(`${accountId}-rec-b`, at(10));
    await write(async (trx) => {
      await store.insertGroup(trx, g);
      await store.insertInstance(trx, i);
      await store.insertReclamation(trx, later);
      await store.insertReclamation(trx, earlier);
    });
    expect(await store.getReclamation(later.id)).toEqual(later);
    expect(await store.getReclamation('rec-none')).toBeUndefined();
    expect((await store.listReclamations({ accountId })).map((r) => r.id)).toEqual([earlier.id, later.id]);
    await write((trx) => store.updateReclamation(trx, earlier.id, { state: 'RESTORED', updated_at: at(30), updated_by: 'IBMid-y' }));
    expect((await store.listReclamations({ accountId, instanceGuid: i.guid })).map((r) => r.id)).toEqual([later.id]);
    expect((await store.listReclamations({ accountId, resourceGroupId: 'rg-none' }))).toEqual([]);
    expect(await store.getReclamation(earlier.id)).toMatchObject({ state: 'RESTORED', updatedBy: 'IBMid-y' });
  });
});
