import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityStore, type IdentityStore } from '../../src/identity/store.js';
import type { ApiKey, ServiceId, ServiceIdGroup } from '../../src/identity/types.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, domainErrorOf, openStore, seedAccount, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: IdentityStore;
let writer: Writer;
let accountId: string;
let ownerIamId: string;

beforeAll(async () => {
  fixture = await openStore();
  store = createIdentityStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
  ({ accountId, iamId: ownerIamId } = await seedAccount(fixture.database));
});
afterAll(async () => fixture.close());

let seq = 0;
const apiKey = (over: Partial<ApiKey> = {}): ApiKey => {
  const n = ++seq;
  return {
    id: `ApiKey-${n}`,
    iamId: ownerIamId,
    accountId,
    name: `key ${n}`,
    description: null,
    ownerType: 'user',
    locked: false,
    disabled: false,
    supportSessions: false,
    actionWhenLeaked: 'none',
    expiresAt: null,
    createdBy: ownerIamId,
    createdAt: at(n % 60),
    modifiedAt: at(n % 60),
    entityTag: '1-a',
    lastAuthn: null,
    authnCount: 0,
    ...over,
  } as ApiKey;
};
const serviceId = (over: Partial<ServiceId> = {}): ServiceId => {
  const n = ++seq;
  return {
    id: `ServiceId-${n}`,
    iamId: `iam-ServiceId-${n}`,
    accountId,
    name: `sid ${n}`,
    description: 'd',
    groupId: null,
    uniqueInstanceCrns: ['crn:v1:bluemix:public:kms:us-south:a/x:guid::'],
    locked: false,
    createdBy: ownerIamId,
    createdAt: at(n % 60),
    modifiedAt: at(n % 60),
    entityTag: '1-a',
    ...over,
  };
};
const group = (over: Partial<ServiceIdGroup> = {}): ServiceIdGroup => {
  const n = ++seq;
  return { id: `ServiceIdGroup-${n}`, accountId, name: `group ${n}`, description: null, createdBy: ownerIamId, createdAt: at(n % 60), modifiedAt: at(n % 60), entityTag: '1-a', ...over };
};
const write = <T>(fn: Parameters<Writer['write']>[0] extends (w: infer W) => Promise<unknown> ? (w: W) => Promise<T> : never) => writer.write(fn).then((c) => c.value);

describe('identity store: API keys', () => {
  it('getApiKey / getApiKeyByHash: undefined when absent, the key as inserted otherwise', async () => {
    const key = apiKey({ description: 'desc', expiresAt: at(59), locked: true });
    expect(await store.getApiKey(key.id)).toBeUndefined();
    expect(await store.getApiKeyByHash('hash-get')).toBeUndefined();
    await write((w) => store.insertApiKey(w.trx, key, 'hash-get'));
    expect(await store.getApiKey(key.id)).toEqual(key);
    expect(await store.getApiKeyByHash('hash-get')).toEqual(key);
  });

  it('a second key with the same value hash is refused with the weak-value 400, and nothing of its write remains', async () => {
    await write((w) => store.insertApiKey(w.trx, apiKey(), 'hash-twin'));
    const twin = apiKey();
    expect(await domainErrorOf(write((w) => store.insertApiKey(w.trx, twin, 'hash-twin')))).toEqual({ kind: 'invalid', code: expect.any(String) });
    expect(await store.getApiKey(twin.id)).toBeUndefined();
  });

  it('updateApiKey applies with the current tag or no tag; false (and nothing changed) with a stale tag or a missing key', async () => {
    const key = apiKey();
    await write((w) => store.insertApiKey(w.trx, key, `hash-${key.id}`));
    expect(await write((w) => store.updateApiKey(w.trx, key.id, '1-a', { name: 'renamed', modified_at: at(50), entity_tag: '2-b' }))).toBe(true);
    expect(await write((w) => store.updateApiKey(w.trx, key.id, '1-a', { name: 'stale', modified_at: at(51), entity_tag: '3-c' }))).toBe(false);
    expect(await store.getApiKey(key.id)).toEqual({ ...key, name: 'renamed', modifiedAt: at(50), entityTag: '2-b' });
    expect(await write((w) => store.updateApiKey(w.trx, key.id, undefined, { locked: 1, modified_at: at(52), entity_tag: '4-d' }))).toBe(true);
    expect((await store.getApiKey(key.id))?.locked).toBe(true);
    expect(await write((w) => store.updateApiKey(w.trx, 'ApiKey-none', undefined, { name: 'x', modified_at: at(), entity_tag: 'x' }))).toBe(false);
  });

  it('apiKeysOf lists the keys of one identity in id order; activityOf sums them (no keys: zero, never)', async () => {
    const who = 'iam-ServiceId-activity';
    expect(await store.activityOf(who)).toEqual({ lastAuthn: null, authnCount: 0 });
    const a = apiKey({ iamId: who, lastAuthn: at(10), authnCount: 2 });
    const b = apiKey({ iamId: who, lastAuthn: at(20), authnCount: 3 });
    await write(async (w) => {
      await store.insertApiKey(w.trx, b, `hash-${b.id}`);
      await store.insertApiKey(w.trx, a, `hash-${a.id}`);
    });
    expect((await store.apiKeysOf(who)).map((k) => k.id)).toEqual([a.id, b.id].sort());
    expect(await store.activityOf(who)).toEqual({ lastAuthn: at(20), authnCount: 5 });
  });

  it('listApiKeys pages by (sort value, id) without gaps or repeats, forwards and backwards', async () => {
    const who = 'IBMid-paging';
    const keys = [apiKey({ iamId: who, name: 'b' }), apiKey({ iamId: who, name: 'a' }), apiKey({ iamId: who, name: 'b' }), apiKey({ iamId: who, name: 'c' })];
    await write(async (w) => {
      for (const k of keys) await store.insertApiKey(w.trx, k, `hash-${k.id}`);
    });
    const expected = [...keys].sort((x, y) => (x.name === y.name ? (x.id < y.id ? -1 : 1) : x.name < y.name ? -1 : 1)).map((k) => k.id);
    const first = await store.listApiKeys({ accountId, iamId: who }, { sortColumn: 'name', order: 'asc', size: 3 });
    expect(first.more).toBe(true);
    const last = first.keys[first.keys.length - 1]!;
    const second = await store.listApiKeys({ accountId, iamId: who }, { sortColumn: 'name', order: 'asc', size: 3, cursor: { direction: 'after', key: last, offset: 3 } });
    expect(second.more).toBe(false);
    expect([...first.items, ...second.items].map((k) => k.id)).toEqual(expected);
    const back = await store.listApiKeys(
      { accountId, iamId: who },
      { sortColumn: 'name', order: 'asc', size: 3, cursor: { direction: 'before', key: second.keys[0]!, offset: 0 } },
    );
    expect(back.items.map((k) => k.id)).toEqual(expected.slice(0, 3));
    const desc = await store.listApiKeys({ accountId, iamId: who }, { sortColumn: 'name', order: 'desc', size: 10 });
    expect(desc.items.map((k) => k.id)).toEqual([...expected].reverse());
  });

  it('deleteApiKey removes the key', async () => {
    const key = apiKey();
    await write((w) => store.insertApiKey(w.trx, key, `hash-${key.id}`));
    await write((w) => store.deleteApiKey(w.trx, key.id));
    expect(await store.getApiKey(key.id)).toBeUndefined();
  });
});

describe('identity store: service IDs and groups', () => {
  it('getServiceId / getServiceIdByIamId: undefined when absent, the service ID as inserted otherwise', async () => {
    const s = serviceId();
    expect(await store.getServiceId(s.id)).toBeUndefined();
    await write((w) => store.insertServiceId(w.trx, s));
    expect(await store.getServiceId(s.id)).toEqual(s);
    expect(await store.getServiceIdByIamId(s.iamId)).toEqual(s);
    expect(await store.getServiceIdByIamId('iam-ServiceId-none')).toBeUndefined();
  });

  it('updateServiceId is conditional on the tag; listServiceIds filters by name, group and creator', async () => {
    const g = group();
    await write((w) => store.insertGroup(w.trx, g));
    const s = serviceId({ name: 'filtered', groupId: g.id, createdBy: 'IBMid-maker' });
    await write((w) => store.insertServiceId(w.trx, s));
    expect(await write((w) => store.updateServiceId(w.trx, s.id, 'wrong', { name: 'x', modified_at: at(), entity_tag: '2' }))).toBe(false);
    expect(await write((w) => store.updateServiceId(w.trx, s.id, '1-a', { description: 'new', modified_at: at(5), entity_tag: '2-b' }))).toBe(true);
    expect(await store.getServiceId(s.id)).toEqual({ ...s, description: 'new', modifiedAt: at(5), entityTag: '2-b' });
    const window = { sortColumn: 'name', order: 'asc' as const, size: 50 };
    expect((await store.listServiceIds({ accountId, name: 'filtered' }, window)).items.map((x) => x.id)).toEqual([s.id]);
    expect((await store.listServiceIds({ accountId, groupId: g.id }, window)).items.map((x) => x.id)).toEqual([s.id]);
    expect((await store.listServiceIds({ accountId, createdBy: 'IBMid-maker' }, window)).items.map((x) => x.id)).toEqual([s.id]);
    expect((await store.listServiceIds({ accountId: 'other-account' }, window)).items).toEqual([]);
    expect(await write((w) => store.countServiceIdsInGroup(w.trx, g.id))).toBe(1);
    await write((w) => store.deleteServiceId(w.trx, s.id));
    expect(await write((w) => store.countServiceIdsInGroup(w.trx, g.id))).toBe(0);
  });

  it('group names are unique per account: insert and rename to a taken name are the 409 groupNameTaken', async () => {
    const g = group({ name: 'taken' });
    const h = group({ name: 'free' });
    await write(async (w) => {
      await store.insertGroup(w.trx, g);
      await store.insertGroup(w.trx, h);
    });
    expect(await domainErrorOf(write((w) => store.insertGroup(w.trx, group({ name: 'taken' }))))).toEqual({ kind: 'conflict', code: 'conflict' });
    expect(await domainErrorOf(write((w) => store.updateGroup(w.trx, h.id, undefined, { name: 'taken', modified_at: at(), entity_tag: '2' })))).toEqual({ kind: 'conflict', code: 'conflict' });
    expect(await store.getGroup(h.id)).toEqual(h);
  });

  it('updateGroup is conditional on the tag; listGroups lists the account groups oldest first; deleteGroup removes one', async () => {
    const { accountId: own } = await seedAccount(fixture.database);
    const late = group({ accountId: own, createdAt: at(40) });
    const early = group({ accountId: own, createdAt: at(3) });
    await write(async (w) => {
      await store.insertGroup(w.trx, late);
      await store.insertGroup(w.trx, early);
    });
    expect((await store.listGroups(own)).map((g) => g.id)).toEqual([early.id, late.id]);
    expect(await write((w) => store.updateGroup(w.trx, early.id, 'stale', { description: 'x', modified_at: at(), entity_tag: '2' }))).toBe(false);
    expect(await write((w) => store.updateGroup(w.trx, early.id, '1-a', { description: 'x', modified_at: at(9), entity_tag: '2-b' }))).toBe(true);
    expect(await store.getGroup(early.id)).toEqual({ ...early, description: 'x', modifiedAt: at(9), entityTag: '2-b' });
    await write((w) => store.deleteGroup(w.trx, early.id));
    expect(await store.getGroup(early.id)).toBeUndefined();
  });
});

describe('identity store: settings and history', () => {
  it('getSettings: undefined until saved; saveSettings honours the tag and the first-write race', async () => {
    const { accountId: own } = await seedAccount(fixture.database);
    expect(await store.getSettings(own)).toBeUndefined();
    const row = (tag: string) => ({ settings: `{"tag":"${tag}"}`, entityTag: tag, modifiedAt: at() });
    expect(await write((w) => store.saveSettings(w.trx, own, false, undefined, row('t1')))).toBe(true);
    expect(await store.getSettings(own)).toEqual({ settings: '{"tag":"t1"}', entityTag: 't1' });
    // A racing first write that expected a tag loses; one that accepts any tag updates the row.
    expect(await write((w) => store.saveSettings(w.trx, own, false, 'x', row('t2')))).toBe(false);
    expect(await write((w) => store.saveSettings(w.trx, own, false, undefined, row('t3')))).toBe(true);
    expect(await write((w) => store.saveSettings(w.trx, own, true, 't1', row('t4')))).toBe(false);
    expect(await write((w) => store.saveSettings(w.trx, own, true, 't3', row('t5')))).toBe(true);
    expect(await store.getSettings(own)).toEqual({ settings: '{"tag":"t5"}', entityTag: 't5' });
  });

  it('historyOf lists an entity history oldest first (empty without any); deleteHistory forgets the named entities only', async () => {
    expect(await store.historyOf('entity-h')).toEqual([]);
    const record = (action: string) => ({ timestamp: at(), iamId: ownerIamId, iamIdAccount: accountId, action, params: ['p'], message: action });
    await write(async (w) => {
      await store.appendHistory(w.trx, 'entity-h', record('create'));
      await store.appendHistory(w.trx, 'entity-h', record('update'));
      await store.appendHistory(w.trx, 'entity-keep', record('create'));
    });
    expect(await store.historyOf('entity-h')).toEqual([record('create'), record('update')]);
    await write((w) => store.deleteHistory(w.trx, ['entity-h']));
    await write((w) => store.deleteHistory(w.trx, []));
    expect(await store.historyOf('entity-h')).toEqual([]);
    expect(await store.historyOf('entity-keep')).toHaveLength(1);
  });
});
