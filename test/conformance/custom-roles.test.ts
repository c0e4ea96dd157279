import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomRoleStore, type CustomRoleStore } from '../../src/policies/roles-store.js';
import type { CustomRoleRecord } from '../../src/policies/types.js';
import { isUniqueViolation } from '../../src/store/conflicts.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: CustomRoleStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createCustomRoleStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

let seq = 0;
const role = (accountId: string, name: string, over: Partial<CustomRoleRecord> = {}): CustomRoleRecord => {
  const n = ++seq;
  return {
    id: `role${n}`,
    name,
    accountId,
    serviceName: 'kms',
    crn: `crn:v1:bluemix:public:iam::::customRole:${accountId}:${name}:${n}`,
    displayName: `Role ${name}`,
    actions: ['kms.secrets.read'],
    createdAt: at(n % 60),
    createdById: 'IBMid-creator',
    lastModifiedAt: at(n % 60),
    lastModifiedById: 'IBMid-creator',
    entityTag: '1-a',
    ...over,
  };
};
const insert = (r: CustomRoleRecord) => writer.write((w) => store.insert(w.trx, r));

describe('custom role store', () => {
  it('getCustomRole / getByCrn / getByName: undefined when absent, the role as inserted otherwise', async () => {
    const r = role('acct-a', 'Reader', { description: 'reads' });
    expect(await store.getCustomRole(r.id)).toBeUndefined();
    await insert(r);
    expect(await store.getCustomRole(r.id)).toEqual(r);
    expect(await store.getByCrn(r.crn)).toEqual(r);
    expect(await store.getByName('acct-a', 'Reader')).toEqual(r);
    expect(await store.getByName('acct-b', 'Reader')).toBeUndefined();
    expect(await store.getByCrn('crn:v1:bluemix:public:iam::::customRole:none')).toBeUndefined();
  });

  it('a role without a description reads back without the field', async () => {
    const r = role('acct-a', 'NoDescription');
    await insert(r);
    expect(await store.getCustomRole(r.id)).not.toHaveProperty('description');
  });

  it('names are unique per account (a unique violation, which the service maps to its 409), not across accounts', async () => {
    await insert(role('acct-u', 'Twin'));
    expect(isUniqueViolation(await insert(role('acct-u', 'Twin')).then(() => undefined, (e: unknown) => e))).toBe(true);
    await insert(role('acct-v', 'Twin'));
    expect((await store.listCustomRoles('acct-u')).filter((r) => r.name === 'Twin')).toHaveLength(1);
  });

  it('update applies only with the current entity tag and never changes identity fields', async () => {
    const r = role('acct-up', 'Editor');
    await insert(r);
    const changed = { ...r, name: 'Hijack', accountId: 'acct-other', displayName: 'New', actions: ['kms.secrets.write'], entityTag: '2-b' };
    expect((await writer.write((w) => store.update(w.trx, changed, '1-a'))).value).toBe(true);
    expect(await store.getCustomRole(r.id)).toEqual({ ...r, displayName: 'New', actions: ['kms.secrets.write'], entityTag: '2-b' });
    expect((await writer.write((w) => store.update(w.trx, { ...changed, displayName: 'Late' }, '1-a'))).value).toBe(false);
    expect((await store.getCustomRole(r.id))?.displayName).toBe('New');
    expect((await writer.write((w) => store.update(w.trx, { ...r, id: 'no-such-role' }, '1-a'))).value).toBe(false);
  });

  it('listCustomRoles filters by account and service and orders by account, then name', async () => {
    await insert(role('acct-l', 'Zeta'));
    await insert(role('acct-l', 'Alpha', { serviceName: 'cloud-object-storage' }));
    await insert(role('acct-l', 'Mid'));
    expect((await store.listCustomRoles('acct-l')).map((r) => r.name)).toEqual(['Alpha', 'Mid', 'Zeta']);
    expect((await store.listCustomRoles('acct-l', 'kms')).map((r) => r.name)).toEqual(['Mid', 'Zeta']);
    const all = await store.listCustomRoles();
    const keys = all.map((r) => `${r.accountId}\u0000${r.name}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(all.map((r) => r.accountId))).toEqual(new Set(['acct-a', 'acct-u', 'acct-v', 'acct-up', 'acct-l']));
  });

  it('delete removes the role (getCustomRole is then undefined: the decision point reads that as deleted)', async () => {
    const r = role('acct-d', 'Gone');
    await insert(r);
    await writer.write((w) => store.delete(w.trx, r.id));
    expect(await store.getCustomRole(r.id)).toBeUndefined();
  });
});
