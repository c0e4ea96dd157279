import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCbrStore, type CbrStore } from '../../src/cbr/store.js';
import type { Rule, Zone } from '../../src/cbr/types.js';
import { ids } from '../../src/kernel/ids.js';
import { isUniqueViolation } from '../../src/store/conflicts.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: CbrStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createCbrStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

const stamps = (n: number) => ({ entityTag: `${n}-a`, createdAt: at(n), createdById: 'IBMid-A', lastModifiedAt: at(n), lastModifiedById: 'IBMid-A' });

const zone = (accountId: string, name: string, n = 1): Zone => ({
  id: ids.hex32(),
  accountId,
  name,
  description: '',
  addresses: [{ type: 'ipAddress', value: '192.0.2.1' }, { type: 'serviceRef', ref: { accountId, serviceName: 'containers-kubernetes', location: 'dal' } }],
  excluded: [{ type: 'subnet', value: '2001:db8::/64' }],
  ...stamps(n),
});

const rule = (accountId: string, n = 1): Rule => ({
  id: ids.hex32(),
  accountId,
  description: 'r',
  contexts: [{ attributes: [{ name: 'networkZoneId', value: 'z' }] }],
  resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'kms' }], tags: [{ name: 'env', value: 'prod' }] }],
  operations: { api_types: [{ api_type_id: 'crn:v1:bluemix:public:kms::::api-type:management' }] },
  enforcementMode: 'report',
  ...stamps(n),
});

describe('CBR store', () => {
  it('stores a zone as given (addresses round-trip) and lists an account\'s zones in creation order, by name when asked', async () => {
    const account = ids.hex32();
    const first = zone(account, 'first', 1);
    const second = zone(account, 'second', 2);
    await writer.write(async (w) => {
      await store.insertZone(w.trx, second);
      await store.insertZone(w.trx, first);
    });
    expect(await store.getZone(first.id)).toEqual(first);
    expect((await store.listZones(account)).map((z) => z.name)).toEqual(['first', 'second']);
    expect((await store.listZones(account, 'second')).map((z) => z.id)).toEqual([second.id]);
    expect(await store.countZones(account)).toBe(2);
    expect(await store.getZone(ids.hex32())).toBeUndefined();
  });

  it('refuses a second zone of one name in an account with a unique violation, on insert and on replace; other accounts may reuse it', async () => {
    const account = ids.hex32();
    const a = zone(account, 'taken');
    const b = zone(account, 'free');
    await writer.write(async (w) => {
      await store.insertZone(w.trx, a);
      await store.insertZone(w.trx, b);
    });
    const insert = await writer.write((w) => store.insertZone(w.trx, zone(account, 'taken'))).catch((e: unknown) => e);
    expect(isUniqueViolation(insert)).toBe(true);
    const replace = await writer.write((w) => store.replaceZone(w.trx, { ...b, name: 'taken' }, undefined)).catch((e: unknown) => e);
    expect(isUniqueViolation(replace)).toBe(true);
    await writer.write((w) => store.insertZone(w.trx, zone(ids.hex32(), 'taken')));
    expect((await store.listZones(account)).length).toBe(2);
  });

  it('replaces a zone or rule only while its tag is the expected one, and keeps the creation fields', async () => {
    const account = ids.hex32();
    const z = zone(account, 'tagged');
    const r = rule(account);
    await writer.write(async (w) => {
      await store.insertZone(w.trx, z);
      await store.insertRule(w.trx, r);
    });
    const changed = { ...z, name: 'renamed', entityTag: '2-b', createdAt: at(50), createdById: 'IBMid-Other' };
    expect((await writer.write((w) => store.replaceZone(w.trx, changed, 'wrong-tag'))).value).toBe(false);
    expect((await writer.write((w) => store.replaceZone(w.trx, changed, z.entityTag))).value).toBe(true);
    expect(await store.getZone(z.id)).toEqual({ ...changed, createdAt: z.createdAt, createdById: z.createdById });
    const { operations: _dropped, ...withoutOperations } = r;
    const nextRule: Rule = { ...withoutOperations, enforcementMode: 'enabled', entityTag: '2-b' };
    expect((await writer.write((w) => store.replaceRule(w.trx, nextRule, 'wrong-tag'))).value).toBe(false);
    expect((await writer.write((w) => store.replaceRule(w.trx, nextRule, r.entityTag))).value).toBe(true);
    expect(await store.getRule(r.id)).toEqual(nextRule);
  });

  it('lists an account\'s rules, everything for the decision point, and reports whether a delete removed a row', async () => {
    const account = ids.hex32();
    const r1 = rule(account, 1);
    const r2 = rule(account, 2);
    const z = zone(account, 'gone');
    await writer.write(async (w) => {
      await store.insertRule(w.trx, r2);
      await store.insertRule(w.trx, r1);
      await store.insertZone(w.trx, z);
    });
    expect((await store.listRules(account)).map((r) => r.id)).toEqual([r1.id, r2.id]);
    expect((await store.allRules()).map((r) => r.id)).toEqual(expect.arrayContaining([r1.id, r2.id]));
    expect((await store.allZones()).map((x) => x.id)).toContain(z.id);
    expect((await writer.write((w) => store.deleteRule(w.trx, r1.id))).value).toBe(true);
    expect((await writer.write((w) => store.deleteRule(w.trx, r1.id))).value).toBe(false);
    expect((await writer.write((w) => store.deleteZone(w.trx, z.id))).value).toBe(true);
    expect((await writer.write((w) => store.deleteZone(w.trx, z.id))).value).toBe(false);
    expect(await store.getRule(r1.id)).toBeUndefined();
  });
});
