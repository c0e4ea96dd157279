import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessGroupsStore, type AccessGroupsStore, type GroupRow, type RuleRow } from '../../src/access-groups/store.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, domainErrorOf, openStore, seedAccount, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: AccessGroupsStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createAccessGroupsStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

let seq = 0;
const write = <T>(fn: (trx: Parameters<Parameters<Writer['write']>[0]>[0]['trx']) => Promise<T>) => writer.write((w) => fn(w.trx)).then((c) => c.value);
const groupRow = (accountId: string, over: Partial<GroupRow> = {}): GroupRow => {
  const n = ++seq;
  return { account_id: accountId, id: `AccessGroupId-${String(n).padStart(4, '0')}`, name: `Group ${n}`, description: '', created_at: at(n % 60), created_by_id: 'IBMid-x', last_modified_at: at(n % 60), last_modified_by_id: 'IBMid-x', entity_tag: '1-a', ...over };
};
const ruleRow = (accountId: string, groupId: string, over: Partial<RuleRow> = {}): RuleRow => {
  const n = ++seq;
  return {
    id: `ClaimRule-${String(n).padStart(4, '0')}`, account_id: accountId, group_id: groupId, name: `rule ${n}`, expiration: 12, realm_name: 'https://idp.example',
    conditions: [{ claim: 'team', operator: 'EQUALS', value: '"admins"' }], created_at: at(n % 60), created_by_id: 'IBMid-x', last_modified_at: at(n % 60), last_modified_by_id: 'IBMid-x', entity_tag: '1-a', ...over,
  } as RuleRow;
};
async function newGroup(accountId: string, over: Partial<GroupRow> = {}) {
  const row = groupRow(accountId, over);
  await write((trx) => store.insertGroup(trx, row));
  return row;
}
const member = (accountId: string, groupId: string, iamId: string) => ({ account_id: accountId, group_id: groupId, iam_id: iamId, type: 'user' as const, created_at: at(), created_by_id: 'IBMid-x' });
const dynamic = (groupId: string, iamId: string, expiresAt: string) => ({ group_id: groupId, iam_id: iamId, type: 'user' as const, realm_name: 'https://idp.example', rule_ids: ['r'], created_at: at(), expires_at: expiresAt });

describe('access-groups store: groups', () => {
  it('getGroup: undefined when absent; the group (not federated without rules) otherwise', async () => {
    const { accountId } = await seedAccount(fixture.database);
    expect(await store.getGroup('AccessGroupId-none')).toBeUndefined();
    const g = await newGroup(accountId, { description: 'd' });
    expect(await store.getGroup(g.id)).toEqual({
      id: g.id, accountId, name: g.name, description: 'd', createdAt: g.created_at, createdById: 'IBMid-x', lastModifiedAt: g.last_modified_at, lastModifiedById: 'IBMid-x', entityTag: '1-a', isFederated: false,
    });
    await write((trx) => store.insertRule(trx, ruleRow(accountId, g.id)));
    expect((await store.getGroup(g.id))?.isFederated).toBe(true);
  });

  it('names are unique per account regardless of case (409 on insert and rename), not across accounts', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const { accountId: elsewhere } = await seedAccount(fixture.database);
    const g = await newGroup(accountId, { name: 'Admins' });
    const h = await newGroup(accountId, { name: 'Others' });
    expect(await domainErrorOf(newGroup(accountId, { name: 'ADMINS' }))).toEqual({ kind: 'conflict', code: 'conflict' });
    const rename = { name: 'admins', description: '', last_modified_at: at(), last_modified_by_id: 'x', entity_tag: '2' };
    expect(await domainErrorOf(write((trx) => store.updateGroup(trx, h.id, undefined, rename)))).toEqual({ kind: 'conflict', code: 'conflict' });
    await newGroup(elsewhere, { name: 'Admins' });
    expect(await write((trx) => store.groupIdByName(trx, accountId, 'aDmInS'))).toBe(g.id);
    expect(await write((trx) => store.groupIdByName(trx, accountId, 'nobody'))).toBeUndefined();
  });

  it('updateGroup honours the entity tag (any when undefined); false for a stale tag or a missing group; lockGroup says whether it exists', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    const changes = (name: string, tag: string) => ({ name, description: 'x', last_modified_at: at(9), last_modified_by_id: 'IBMid-y', entity_tag: tag });
    expect(await write((trx) => store.updateGroup(trx, g.id, 'stale', changes('A', '2')))).toBe(false);
    expect(await write((trx) => store.updateGroup(trx, g.id, '1-a', changes('B', '2-b')))).toBe(true);
    expect(await write((trx) => store.updateGroup(trx, g.id, undefined, changes('C', '3-c')))).toBe(true);
    expect(await store.getGroup(g.id)).toMatchObject({ name: 'C', entityTag: '3-c', lastModifiedById: 'IBMid-y' });
    expect(await write((trx) => store.updateGroup(trx, 'AccessGroupId-none', undefined, changes('D', '4')))).toBe(false);
    expect(await write((trx) => store.lockGroup(trx, accountId, g.id))).toBe(true);
    expect(await write((trx) => store.lockGroup(trx, 'other-account', g.id))).toBe(false);
    expect((await store.getGroup(g.id))?.entityTag).toBe('3-c');
  });

  it('listGroups: totalCount of all matches, one page by limit and offset, sorted; member and search filters', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const b = await newGroup(accountId, { name: 'beta', description: 'Second 100%' });
    const a = await newGroup(accountId, { name: 'Alpha' });
    const c = await newGroup(accountId, { name: 'gamma' });
    await write((trx) => store.insertMember(trx, member(accountId, a.id, 'IBMid-m')));
    await write((trx) => store.putDynamicMember(trx, accountId, dynamic(c.id, 'IBMid-m', at(50))));
    const sorted = await store.listGroups({ accountId, sort: 'name' }, { limit: 2, offset: 1 }, at());
    expect(sorted.totalCount).toBe(3);
    expect(sorted.items.map((g) => g.id)).toEqual([b.id, c.id]);
    const of = (membershipType: 'static' | 'dynamic' | 'all', when = at()) => store.listGroups({ accountId, sort: 'id', member: { iamId: 'IBMid-m', membershipType } }, { limit: 10, offset: 0 }, when);
    expect((await of('static')).items.map((g) => g.id)).toEqual([a.id]);
    expect((await of('dynamic')).items.map((g) => g.id)).toEqual([c.id]);
    expect((await of('all')).items.map((g) => g.id)).toEqual([a.id, c.id]);
    expect((await of('dynamic', at(50))).items).toEqual([]);
    const search = (text: string) => store.listGroups({ accountId, sort: 'id', search: { field: 'description', text } }, { limit: 10, offset: 0 }, at());
    expect((await search('100%')).items.map((g) => g.id)).toEqual([b.id]);
    expect((await search('%')).items.map((g) => g.id)).toEqual([b.id]);
    expect((await search('SECOND')).totalCount).toBe(1);
  });

  it('deleteGroup removes the group with its members, dynamic memberships and rules, and reports whose membership ended', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    const rule = ruleRow(accountId, g.id);
    await write(async (trx) => {
      await store.insertMember(trx, member(accountId, g.id, 'IBMid-s'));
      await store.putDynamicMember(trx, accountId, dynamic(g.id, 'IBMid-d', at(50)));
      await store.putDynamicMember(trx, accountId, dynamic(g.id, 'IBMid-s', at(50)));
      await store.insertRule(trx, rule);
    });
    expect(await write((trx) => store.contentsOf(trx, accountId, g.id))).toEqual({ members: 1, rules: 1 });
    const removed = await write((trx) => store.deleteGroup(trx, accountId, g.id));
    expect(removed.iamIds.sort()).toEqual(['IBMid-d', 'IBMid-s']);
    expect(removed.ruleIds).toEqual([rule.id]);
    expect(await store.getGroup(g.id)).toBeUndefined();
    expect(await store.getRule(rule.id)).toBeUndefined();
    expect(await store.membershipsOf('IBMid-d', at())).toEqual([]);
  });
});

describe('access-groups store: members', () => {
  it('insertMember is idempotent (the first one stays); deleteMember says whether it removed one', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    await write((trx) => store.insertMember(trx, member(accountId, g.id, 'IBMid-a')));
    await write((trx) => store.insertMember(trx, { ...member(accountId, g.id, 'IBMid-a'), created_by_id: 'IBMid-second' }));
    expect(await store.getStaticMember(accountId, g.id, 'IBMid-a')).toMatchObject({ created_by_id: 'IBMid-x' });
    expect(await write((trx) => store.deleteMember(trx, accountId, g.id, 'IBMid-a'))).toBe(true);
    expect(await write((trx) => store.deleteMember(trx, accountId, g.id, 'IBMid-a'))).toBe(false);
    expect(await store.getStaticMember(accountId, g.id, 'IBMid-a')).toBeUndefined();
  });

  it('isMember counts static members and dynamic ones strictly before expiry', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    await write(async (trx) => {
      await store.insertMember(trx, member(accountId, g.id, 'IBMid-s'));
      await store.putDynamicMember(trx, accountId, dynamic(g.id, 'IBMid-d', at(10)));
    });
    expect(await store.isMember(accountId, g.id, 'IBMid-s', at(59))).toBe(true);
    expect(await store.isMember(accountId, g.id, 'IBMid-d', at(9))).toBe(true);
    expect(await store.isMember(accountId, g.id, 'IBMid-d', at(10))).toBe(false);
    expect(await store.isMember(accountId, g.id, 'IBMid-none', at())).toBe(false);
  });

  it('putDynamicMember replaces the earlier membership of that identity in that group', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    await write((trx) => store.putDynamicMember(trx, accountId, dynamic(g.id, 'IBMid-d', at(10))));
    await write((trx) => store.putDynamicMember(trx, accountId, { ...dynamic(g.id, 'IBMid-d', at(40)), rule_ids: ['r1', 'r2'] }));
    expect(await write((trx) => store.dynamicMembersOfGroup(trx, accountId, g.id))).toEqual([{ ...dynamic(g.id, 'IBMid-d', at(40)), account_id: accountId, rule_ids: ['r1', 'r2'] }]);
    expect(await write((trx) => store.dynamicMembershipsOf(trx, accountId, 'IBMid-d'))).toHaveLength(1);
    await write((trx) => store.deleteDynamicMember(trx, accountId, g.id, 'IBMid-d'));
    expect(await write((trx) => store.dynamicMembershipsOf(trx, accountId, 'IBMid-d'))).toEqual([]);
  });

  it('listMembers: totalCount, static and unexpired dynamic members, a member in both listed once per kind; pages', async () => {
    const { accountId, iamId } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    await write(async (trx) => {
      await store.insertMember(trx, member(accountId, g.id, iamId));
      await store.insertMember(trx, member(accountId, g.id, 'IBMid-zz'));
      await store.putDynamicMember(trx, accountId, dynamic(g.id, 'IBMid-dyn', at(30)));
      await store.putDynamicMember(trx, accountId, dynamic(g.id, 'IBMid-old', at(1)));
    });
    const list = (membershipType: 'static' | 'dynamic' | 'all', page = { limit: 10, offset: 0 }) => store.listMembers(accountId, g.id, { membershipType, sort: 'id' }, page, at(5));
    expect((await list('static')).items.map((m) => m.iamId)).toEqual([iamId, 'IBMid-zz'].sort());
    expect((await list('dynamic')).items).toMatchObject([{ iamId: 'IBMid-dyn', membershipType: 'dynamic', expiresAt: at(30) }]);
    const all = await list('all', { limit: 2, offset: 1 });
    expect(all.totalCount).toBe(3);
    expect(all.items.map((m) => m.iamId)).toEqual([iamId, 'IBMid-dyn', 'IBMid-zz'].sort().slice(1));
    expect((await list('static')).items.find((m) => m.iamId === iamId)).toMatchObject({ name: 'S Eed', email: expect.stringContaining('@example.com') });
  });

  it('deleteMemberEverywhere ends static and dynamic memberships in that account only; staticGroupsOf is sorted', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const { accountId: elsewhere } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    const h = await newGroup(accountId);
    const x = await newGroup(elsewhere);
    await write(async (trx) => {
      await store.insertMember(trx, member(accountId, h.id, 'IBMid-e'));
      await store.insertMember(trx, member(accountId, g.id, 'IBMid-e'));
      await store.putDynamicMember(trx, accountId, dynamic(g.id, 'IBMid-e', at(50)));
      await store.insertMember(trx, member(elsewhere, x.id, 'IBMid-e'));
    });
    expect(await store.staticGroupsOf(accountId, 'IBMid-e')).toEqual([g.id, h.id].sort());
    expect(await store.groupsOf('IBMid-e', accountId, at())).toEqual([g.id, h.id].sort());
    expect(await write((trx) => store.deleteMemberEverywhere(trx, accountId, 'IBMid-e'))).toEqual([g.id, h.id].sort());
    expect(await store.groupsOf('IBMid-e', accountId, at())).toEqual([]);
    expect(await store.groupsOf('IBMid-e', elsewhere, at())).toEqual([x.id]);
  });
});

describe('access-groups store: rules, settings, decision-point reads', () => {
  it('rules: getRule undefined when absent; listRules oldest first; rulesOfRealm across groups; updateRule honours the tag', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    const h = await newGroup(accountId);
    const late = ruleRow(accountId, g.id, { created_at: at(40) });
    const early = ruleRow(accountId, g.id, { created_at: at(4) });
    const other = ruleRow(accountId, h.id, { realm_name: 'https://other.example' });
    await write(async (trx) => {
      for (const r of [late, early, other]) await store.insertRule(trx, r);
    });
    expect(await store.getRule('ClaimRule-none')).toBeUndefined();
    expect(await store.getRule(early.id)).toMatchObject({ id: early.id, groupId: g.id, expiration: 12, conditions: early.conditions });
    expect((await store.listRules(accountId, g.id)).map((r) => r.id)).toEqual([early.id, late.id]);
    expect((await write((trx) => store.rulesOfRealm(trx, accountId, 'https://other.example'))).map((r) => r.id)).toEqual([other.id]);
    const { id: _i, account_id: _a, group_id: _g, created_at: _c, created_by_id: _b, ...changes } = { ...early, name: 'renamed', entity_tag: '2-b' };
    expect(await write((trx) => store.updateRule(trx, early.id, 'stale', changes))).toBe(false);
    expect(await write((trx) => store.updateRule(trx, early.id, '1-a', changes))).toBe(true);
    expect(await store.getRule(early.id)).toMatchObject({ name: 'renamed', entityTag: '2-b' });
    await write((trx) => store.deleteRule(trx, early.id));
    expect(await store.getRule(early.id)).toBeUndefined();
  });

  it('settings: Public Access defaults to enabled without a row; putSettings inserts, then replaces', async () => {
    const { accountId } = await seedAccount(fixture.database);
    expect(await store.getSettings(accountId)).toEqual({ accountId, publicAccessEnabled: true });
    expect(await store.isPublicAccessEnabled(accountId)).toBe(true);
    expect((await store.listPublicAccess()).find((r) => r.accountId === accountId)).toEqual({ accountId, enabled: true });
    await write((trx) => store.putSettings(trx, { accountId, publicAccessEnabled: false, lastModifiedAt: at(1), lastModifiedById: 'IBMid-x' }));
    expect(await store.getSettings(accountId)).toEqual({ accountId, publicAccessEnabled: false, lastModifiedAt: at(1), lastModifiedById: 'IBMid-x' });
    expect((await store.listPublicAccess()).find((r) => r.accountId === accountId)).toEqual({ accountId, enabled: false });
    await write((trx) => store.putSettings(trx, { accountId, publicAccessEnabled: true, lastModifiedAt: at(2), lastModifiedById: 'IBMid-y' }));
    expect(await store.isPublicAccessEnabled(accountId)).toBe(true);
  });

  it('listMemberships / membershipsOf: static ones, unexpired dynamic ones with expiresAt, a member of both kinds once as static', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const g = await newGroup(accountId);
    const h = await newGroup(accountId);
    await write(async (trx) => {
      await store.insertMember(trx, member(accountId, g.id, 'IBMid-pdp'));
      await store.putDynamicMember(trx, accountId, dynamic(g.id, 'IBMid-pdp', at(50)));
      await store.putDynamicMember(trx, accountId, dynamic(h.id, 'IBMid-pdp', at(20)));
    });
    const expected = [{ accountId, groupId: g.id, iamId: 'IBMid-pdp' }, { accountId, groupId: h.id, iamId: 'IBMid-pdp', expiresAt: at(20) }];
    expect(await store.membershipsOf('IBMid-pdp', at(10))).toEqual(expected);
    expect((await store.listMemberships(at(10))).filter((m) => m.iamId === 'IBMid-pdp')).toEqual(expected);
    expect(await store.membershipsOf('IBMid-pdp', at(20))).toEqual([expected[0]]);
  });
});
