import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnterpriseStore, type EnterpriseStore } from '../../src/enterprise/store.js';
import type { AccountGroupsTable, EnterpriseAccountsTable, EnterprisesTable } from '../../src/store/schema.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, domainErrorOf, openStore, seedAccount, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: EnterpriseStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createEnterpriseStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

let seq = 0;
const stamp = { created_at: at(), created_by: 'IBMid-x', updated_at: at(), updated_by: 'IBMid-x' };
const write = <T>(fn: (trx: Parameters<Parameters<Writer['write']>[0]>[0]['trx']) => Promise<T>) => writer.write((w) => fn(w.trx)).then((c) => c.value);
const enterpriseCrn = (id: string) => `crn:v1:bluemix:public:enterprise::a/x::enterprise:${id}`;

/** An enterprise made from a fresh account (its primary contact is the account owner). */
async function newEnterprise(): Promise<{ row: EnterprisesTable; contactEmail: string }> {
  const { accountId, iamId, login } = await seedAccount(fixture.database);
  const row: EnterprisesTable = { id: `ent${String(++seq).padStart(4, '0')}`, account_id: accountId, name: `E${seq}`, domain: null, state: 'ACTIVE', primary_contact_iam_id: iamId, source_account_id: accountId, ...stamp };
  await write((trx) => store.insertEnterprise(trx, row));
  return { row, contactEmail: login };
}
const groupRow = (enterpriseId: string, parent: string, over: Partial<AccountGroupsTable> = {}): AccountGroupsTable => ({
  id: `grp${String(++seq).padStart(4, '0')}`, enterprise_id: enterpriseId, parent, name: `G${seq}`, state: 'ACTIVE', primary_contact_iam_id: 'IBMid-nobody', ...stamp, ...over,
});
async function newMemberAccount(enterpriseId: string, parent: string, over: Partial<EnterpriseAccountsTable> = {}) {
  const { accountId, login } = await seedAccount(fixture.database);
  const row: EnterpriseAccountsTable = { account_id: accountId, enterprise_id: enterpriseId, parent, state: 'ACTIVE', ...stamp, ...over };
  await write((trx) => store.insertMember(trx, row));
  return { row, ownerEmail: login };
}

describe('enterprise store', () => {
  it('getEnterprise: undefined when absent; the row with its contact e-mail otherwise', async () => {
    expect(await store.getEnterprise('ent-none')).toBeUndefined();
    const { row, contactEmail } = await newEnterprise();
    expect(await store.getEnterprise(row.id)).toEqual({ ...row, contact_email: contactEmail });
    await write((trx) => store.updateEnterprise(trx, row.id, { name: 'Renamed', updated_at: at(3) }));
    expect(await store.getEnterprise(row.id)).toMatchObject({ name: 'Renamed', updated_at: at(3) });
  });

  it('an account is the enterprise account of one enterprise at most: the 409 account_in_enterprise', async () => {
    const { row } = await newEnterprise();
    expect(await domainErrorOf(write((trx) => store.insertEnterprise(trx, { ...row, id: 'ent-twin' })))).toEqual({ kind: 'conflict', code: 'account_in_enterprise' });
    expect(await store.getEnterprise('ent-twin')).toBeUndefined();
  });

  it('listEnterprises pages in id order (limit, after, more) and filters by account and ids (an empty id list matches nothing)', async () => {
    const made = [await newEnterprise(), await newEnterprise(), await newEnterprise()].map((e) => e.row.id);
    const ids = { ids: made };
    const first = await store.listEnterprises(ids, { limit: 2 });
    expect(first.more).toBe(true);
    const second = await store.listEnterprises(ids, { limit: 2, after: first.items[1]!.id });
    expect(second.more).toBe(false);
    expect([...first.items, ...second.items].map((e) => e.id)).toEqual([...made].sort());
    expect((await store.listEnterprises({ ids: [] }, { limit: 10 })).items).toEqual([]);
    const one = (await store.getEnterprise(made[1]!))!;
    expect((await store.listEnterprises({ accountId: one.account_id }, { limit: 10 })).items.map((e) => e.id)).toEqual([one.id]);
  });

  it('groups: getGroup undefined when absent; listGroups lists live ones (deleted when asked) by enterprise and parent, in id order', async () => {
    const { row: e } = await newEnterprise();
    const top = groupRow(e.id, enterpriseCrn(e.id));
    const child = groupRow(e.id, `crn:group:${top.id}`);
    const gone = groupRow(e.id, enterpriseCrn(e.id));
    await write(async (trx) => {
      for (const g of [gone, child, top]) await store.insertGroup(trx, g);
      await store.updateGroup(trx, gone.id, { state: 'DELETED' });
    });
    expect(await store.getGroup('grp-none')).toBeUndefined();
    expect(await store.getGroup(top.id)).toEqual({ ...top, contact_email: null });
    expect((await store.listGroups({ enterpriseId: e.id }, { limit: 10 })).items.map((g) => g.id)).toEqual([top.id, child.id]);
    expect((await store.listGroups({ enterpriseId: e.id, includeDeleted: true }, { limit: 10 })).items.map((g) => g.id)).toEqual([top.id, child.id, gone.id]);
    expect((await store.listGroups({ parent: `crn:group:${top.id}` }, { limit: 10 })).items.map((g) => g.id)).toEqual([child.id]);
    const page = await store.listGroups({ enterpriseId: e.id }, { limit: 1 });
    expect(page).toMatchObject({ more: true, items: [{ id: top.id }] });
    expect(await store.listGroups({ enterpriseId: e.id }, { limit: 1, after: top.id })).toMatchObject({ more: false, items: [{ id: child.id }] });
  });

  it('members: one enterprise per account (409 account_in_enterprise); getMember includes deleted ones; lists and counts count live ones', async () => {
    const { row: e } = await newEnterprise();
    const parent = enterpriseCrn(e.id);
    const { row: m, ownerEmail } = await newMemberAccount(e.id, parent);
    const { row: gone } = await newMemberAccount(e.id, parent);
    await write((trx) => store.updateMember(trx, gone.account_id, { state: 'DELETED' }));
    await write((trx) => store.insertGroup(trx, groupRow(e.id, parent)));
    await write((trx) => store.insertGroup(trx, groupRow(e.id, parent, { state: 'DELETED' })));
    expect(await domainErrorOf(write((trx) => store.insertMember(trx, { ...m, enterprise_id: e.id })))).toEqual({ kind: 'conflict', code: 'account_in_enterprise' });
    expect(await store.getMember(m.account_id)).toMatchObject({ ...m, owner_email: ownerEmail });
    expect(await store.getMember(gone.account_id)).toMatchObject({ state: 'DELETED' });
    expect(await store.getMember('acct-none')).toBeUndefined();
    expect((await store.listMembers({ enterpriseId: e.id }, { limit: 10 })).items.map((r) => r.account_id)).toEqual([m.account_id]);
    expect((await store.listMembers({ parent, includeDeleted: true }, { limit: 10 })).items.map((r) => r.account_id)).toEqual([m.account_id, gone.account_id].sort());
    expect(await write((trx) => store.countChildren(trx, parent))).toBe(2);
    expect(await store.enterprisesOfAccount(m.account_id)).toEqual([e.id]);
    expect(await store.enterprisesOfAccount(gone.account_id)).toEqual([]);
  });
});
