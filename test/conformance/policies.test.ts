import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conflictKeyOf, createPolicyStore, type PolicyStore } from '../../src/policies/store.js';
import type { PolicyRecord } from '../../src/policies/types.js';
import { isUniqueViolation } from '../../src/store/conflicts.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: PolicyStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createPolicyStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

const VIEWER = 'crn:v1:bluemix:public:iam::::role:Viewer';
const EDITOR = 'crn:v1:bluemix:public:iam::::role:Editor';
let seq = 0;
const policy = (accountId: string, over: Partial<PolicyRecord> = {}): PolicyRecord => {
  const n = ++seq;
  return {
    id: `pol-${String(n).padStart(4, '0')}`,
    accountId,
    type: 'access',
    state: 'active',
    subject: { kind: 'iam_id', iamId: `IBMid-${n}` },
    resource: [{ key: 'serviceName', operator: 'stringEquals', value: 'kms' }],
    tags: [],
    roles: [VIEWER],
    createdAt: at(n % 60),
    createdById: 'IBMid-x',
    lastModifiedAt: at(n % 60),
    lastModifiedById: 'IBMid-x',
    entityTag: '1-a',
    ...over,
  };
};
const insert = (...ps: PolicyRecord[]) =>
  writer.write(async (w) => {
    for (const p of ps) await store.insert(w.trx, p);
  });
const ids = (ps: { id: string }[]) => ps.map((p) => p.id);

describe('policy store', () => {
  it('get: undefined when absent; the policy as inserted, in any state', async () => {
    const p = policy('acct-get', { description: 'd', tags: [{ key: 'env', operator: 'stringEquals', value: 'prod' }], pattern: 'time-based-conditions:weekly:all-day' });
    expect(await store.get(p.id)).toBeUndefined();
    await insert(p);
    expect(await store.get(p.id)).toEqual(p);
    const gone = policy('acct-get', { state: 'deleted' });
    await insert(gone);
    expect(await store.get(gone.id)).toEqual(gone);
  });

  it('a second active duplicate meets the unique index (a unique violation the service maps); deleted duplicates do not count', async () => {
    const p = policy('acct-dup');
    await insert(p);
    const twin = { ...policy('acct-dup'), subject: p.subject, roles: [EDITOR], description: 'other roles and description' };
    expect(conflictKeyOf(twin)).toBe(conflictKeyOf(p));
    const error = await insert(twin).then(() => undefined, (e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(await store.get(twin.id)).toBeUndefined();
    expect(await store.findActiveDuplicate(twin)).toEqual(p);
    expect(await store.findActiveDuplicate(p)).toBeUndefined();
    await insert({ ...twin, state: 'deleted' });
    expect(await store.findActiveDuplicate({ ...policy('acct-other'), subject: p.subject })).toBeUndefined();
  });

  it('conflictKeyOf ignores the order of resource attributes and tags', () => {
    const a = policy('acct-k', { resource: [{ key: 'serviceName', operator: 'stringEquals', value: 'kms' }, { key: 'region', operator: 'stringEquals', value: 'eu-de' }] });
    const b = { ...a, resource: [...a.resource].reverse() };
    expect(conflictKeyOf(a)).toBe(conflictKeyOf(b));
    expect(conflictKeyOf(a)).not.toBe(conflictKeyOf({ ...a, resource: [a.resource[0]!] }));
  });

  it('update replaces the policy and its tags only with the current entity tag; false otherwise and for a missing id', async () => {
    const p = policy('acct-up', { tags: [{ key: 'env', operator: 'stringEquals', value: 'dev' }] });
    await insert(p);
    const next = { ...p, roles: [EDITOR], tags: [{ key: 'env', operator: 'stringEquals' as const, value: 'prod' }], entityTag: '2-b', createdAt: at(59), createdById: 'IBMid-hijack' };
    expect((await writer.write((w) => store.update(w.trx, next, 'stale'))).value).toBe(false);
    expect(await store.get(p.id)).toEqual(p);
    expect((await writer.write((w) => store.update(w.trx, next, '1-a'))).value).toBe(true);
    expect(await store.get(p.id)).toEqual({ ...next, createdAt: p.createdAt, createdById: p.createdById });
    const byTag = (tagValue: string) => store.list({ accountId: 'acct-up', state: 'active', tagName: 'env', tagValue }, { sort: 'id', descending: false, limit: 10 });
    expect(ids((await byTag('prod')).items)).toEqual([p.id]);
    expect((await byTag('dev')).items).toEqual([]);
    expect((await writer.write((w) => store.update(w.trx, { ...next, id: 'pol-none' }, '2-b'))).value).toBe(false);
  });

  it('list: one state, filters, keyset pages by (sort column, id) in both directions without gaps or repeats', async () => {
    const acct = 'acct-list';
    const made = [
      policy(acct, { createdAt: at(5) }),
      policy(acct, { createdAt: at(5), resource: [{ key: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] }),
      policy(acct, { createdAt: at(1), subject: { kind: 'access_group', groupId: 'AccessGroupId-g' } }),
      policy(acct, { createdAt: at(9), resource: [{ key: 'serviceType', operator: 'stringEquals', value: 'service' }] }),
      policy(acct, { createdAt: at(2), state: 'deleted' }),
    ];
    await insert(...made);
    const active = made.filter((p) => p.state === 'active');
    for (const descending of [false, true]) {
      const expected = [...active].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1)).map((p) => p.id);
      if (descending) expected.reverse();
      const seen: string[] = [];
      let after: [string, string] | undefined;
      for (;;) {
        const page = await store.list({ accountId: acct, state: 'active' }, { sort: 'created_at', descending, limit: 2, ...(after ? { after } : {}) });
        seen.push(...ids(page.items));
        if (!page.more) break;
        after = page.keys[page.keys.length - 1];
      }
      expect(seen).toEqual(expected);
    }
    const filtered = (filter: Partial<Parameters<PolicyStore['list']>[0]>) => store.list({ accountId: acct, state: 'active', ...filter }, { sort: 'id', descending: false, limit: 10 }).then((s) => ids(s.items));
    expect(await filtered({ state: 'deleted' })).toEqual([made[4]!.id]);
    expect(await filtered({ serviceName: 'cloud-object-storage' })).toEqual([made[1]!.id]);
    expect(await filtered({ serviceType: 'service' })).toEqual([made[3]!.id]);
    expect(await filtered({ accessGroupId: 'AccessGroupId-g' })).toEqual([made[2]!.id]);
    expect(await filtered({ iamId: (made[0]!.subject as { iamId: string }).iamId })).toEqual([made[0]!.id]);
  });

  it('listActiveOfSubject / OfGroup / Granting and countActiveGranting see active policies of that account only', async () => {
    const acct = 'acct-of';
    const user = { kind: 'iam_id' as const, iamId: 'IBMid-of' };
    const group = { kind: 'access_group' as const, groupId: 'AccessGroupId-of' };
    const a = policy(acct, { subject: user, roles: [VIEWER, EDITOR] });
    const b = policy(acct, { subject: group, roles: [EDITOR] });
    const deleted = policy(acct, { subject: user, roles: [EDITOR], state: 'deleted' });
    const elsewhere = policy('acct-elsewhere', { subject: user, roles: [EDITOR] });
    await insert(a, b, deleted, elsewhere);
    expect(ids(await store.listActiveOfSubject(acct, 'IBMid-of'))).toEqual([a.id]);
    expect(ids(await store.listActiveOfGroup(acct, 'AccessGroupId-of'))).toEqual([b.id]);
    expect(ids(await store.listActiveGranting(acct, EDITOR))).toEqual([a.id, b.id]);
    expect(await store.countActiveGranting(fixture.database.db, acct, EDITOR)).toBe(2);
    // The role CRN matches whole array elements only, not a prefix of a longer role.
    expect(await store.countActiveGranting(fixture.database.db, acct, 'crn:v1:bluemix:public:iam::::role:Edit')).toBe(0);
  });

  it('recordPermits keeps the later permit time and adds counts; unknown ids are ignored', async () => {
    const p = policy('acct-permit');
    await insert(p);
    expect((await store.get(p.id))?.lastPermit).toBeUndefined();
    const t = (s: number) => Date.parse(at(s));
    await store.recordPermits([{ policyId: p.id, count: 2, lastAtMs: t(20) }, { policyId: 'pol-none', count: 1, lastAtMs: t(20) }]);
    await store.recordPermits([{ policyId: p.id, count: 3, lastAtMs: t(10) }]);
    expect((await store.get(p.id))?.lastPermit).toEqual({ at: at(20), frequency: 5 });
  });

  it('listActivePolicies yields every active policy once, in id order, in batches of at most batchSize', async () => {
    const batches: string[][] = [];
    for await (const batch of store.listActivePolicies(3)) batches.push(ids(batch));
    expect(batches.every((b) => b.length > 0 && b.length <= 3)).toBe(true);
    const all = batches.flat();
    expect(all).toEqual([...all].sort());
    const expected = await fixture.database.db.selectFrom('policies').select('id').where('state', '=', 'active').orderBy('id').execute();
    expect(all).toEqual(expected.map((r) => r.id));
  });
});
