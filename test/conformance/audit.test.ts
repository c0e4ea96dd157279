import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditStore, type AuditStore } from '../../src/audit/store.js';
import type { AuditRecord } from '../../src/audit/types.js';
import { createWriter, type AuditEvent } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

/**
 * The audit store reads what the Writer records (store/unit-of-work.ts): one account's events,
 * newest first, through every filter, in pages; the same answers on SQLite and PostgreSQL.
 */

let fixture: StoreFixture;
let store: AuditStore;
let clockSeconds = 0;

const ACCOUNT = 'audit-acct-1';
const OTHER = 'audit-acct-2';

const event = (over: Partial<AuditEvent>): Omit<AuditEvent, 'outcome'> => ({
  requestId: 'req',
  initiatorIamId: 'IBMid-alice',
  initiatorAccountId: ACCOUNT,
  accountId: ACCOUNT,
  action: 'iam-identity.apikey.create',
  targetType: 'apikey',
  targetId: 'ApiKey-1',
  ...over,
});

beforeAll(async () => {
  fixture = await openStore();
  store = createAuditStore(fixture.database.db);
  // Each write happens one second after the previous one: at(1), at(2), …
  const writer = createWriter(fixture.database.db, () => new Date(at(++clockSeconds)));
  const success = (e: Omit<AuditEvent, 'outcome'>) => writer.write(async (w) => w.audit(e));
  await success(event({ requestId: 'r1', detail: { name: 'first key' } })); // at(1)
  await success(event({ requestId: 'r2', action: 'iam-identity.apikey.delete', targetId: 'ApiKey-1' })); // at(2)
  await success(event({ requestId: 'r3', initiatorIamId: 'IBMid-bob', action: 'iam.policy.create', targetType: 'policy', targetId: 'pol-1' })); // at(3)
  await writer.auditFailure(event({ requestId: 'r4', initiatorIamId: 'IBMid-bob', action: 'iam-identity.apikeys.create' }), 'forbidden: no'); // at(4)
  await success(event({ requestId: 'r5', accountId: OTHER, initiatorAccountId: OTHER })); // at(5), another account
  await success(event({ requestId: 'r6', action: 'iam-identity.serviceid.create', targetType: 'serviceid', targetId: 'ServiceId-1' })); // at(6)
});
afterAll(async () => fixture?.close());

const requestIds = (items: AuditRecord[]) => items.map((e) => e.requestId);
const all = { limit: 100 };

describe('audit store', () => {
  it("lists only the account's events, newest first, with every field as recorded", async () => {
    const { items, more } = await store.listEvents({ accountId: ACCOUNT }, all);
    expect(requestIds(items)).toEqual(['r6', 'r4', 'r3', 'r2', 'r1']);
    expect(more).toBe(false);
    const first = items.at(-1)!;
    expect(first).toEqual({
      id: expect.any(Number),
      at: at(1),
      requestId: 'r1',
      initiatorIamId: 'IBMid-alice',
      initiatorAccountId: ACCOUNT,
      accountId: ACCOUNT,
      action: 'iam-identity.apikey.create',
      targetType: 'apikey',
      targetId: 'ApiKey-1',
      outcome: 'success',
      detail: { name: 'first key' },
    });
    expect(items.find((e) => e.requestId === 'r4')).toMatchObject({ outcome: 'failure', detail: { reason: 'forbidden: no' } });
    expect(requestIds((await store.listEvents({ accountId: OTHER }, all)).items)).toEqual(['r5']);
    expect((await store.listEvents({ accountId: 'nobody' }, all)).items).toEqual([]);
  });

  it('pages by the last id shown, and says whether more follow', async () => {
    const page1 = await store.listEvents({ accountId: ACCOUNT }, { limit: 2 });
    expect(requestIds(page1.items)).toEqual(['r6', 'r4']);
    expect(page1.more).toBe(true);
    const page2 = await store.listEvents({ accountId: ACCOUNT }, { limit: 2, before: page1.items.at(-1)!.id });
    expect(requestIds(page2.items)).toEqual(['r3', 'r2']);
    expect(page2.more).toBe(true);
    const page3 = await store.listEvents({ accountId: ACCOUNT }, { limit: 2, before: page2.items.at(-1)!.id });
    expect(requestIds(page3.items)).toEqual(['r1']);
    expect(page3.more).toBe(false);
    // Exactly `limit` left: no further page is announced.
    const exact = await store.listEvents({ accountId: ACCOUNT }, { limit: 1, before: page2.items.at(-1)!.id });
    expect(exact.more).toBe(false);
  });

  it('filters by initiator, target type, target, outcome and time range (from inclusive, to exclusive)', async () => {
    const ids = async (filter: Parameters<AuditStore['listEvents']>[0]) => requestIds((await store.listEvents(filter, all)).items);
    expect(await ids({ accountId: ACCOUNT, initiatorIamId: 'IBMid-bob' })).toEqual(['r4', 'r3']);
    expect(await ids({ accountId: ACCOUNT, targetType: 'policy' })).toEqual(['r3']);
    expect(await ids({ accountId: ACCOUNT, targetId: 'ApiKey-1' })).toEqual(['r4', 'r2', 'r1']);
    expect(await ids({ accountId: ACCOUNT, outcome: 'failure' })).toEqual(['r4']);
    expect(await ids({ accountId: ACCOUNT, from: at(2), to: at(4) })).toEqual(['r3', 'r2']);
    expect(await ids({ accountId: ACCOUNT, from: at(6) })).toEqual(['r6']);
    expect(await ids({ accountId: ACCOUNT, initiatorIamId: 'IBMid-bob', outcome: 'success' })).toEqual(['r3']);
  });

  it('matches an action exactly, or by the prefix before a trailing *, case-sensitively', async () => {
    const ids = async (action: string) => requestIds((await store.listEvents({ accountId: ACCOUNT, action }, all)).items);
    expect(await ids('iam-identity.apikey.create')).toEqual(['r1']);
    expect(await ids('iam-identity.apikey.*')).toEqual(['r2', 'r1']);
    // `apikeys.create` shares the text `iam-identity.apikey` but not `iam-identity.apikey.`.
    expect(await ids('iam-identity.apikey*')).toEqual(['r4', 'r2', 'r1']);
    expect(await ids('iam-identity.*')).toEqual(['r6', 'r4', 'r2', 'r1']);
    expect(await ids('IAM-IDENTITY.*')).toEqual([]);
    expect(await ids('iam-identity.apikey.%')).toEqual([]);
    expect(await ids('*')).toEqual(['r6', 'r4', 'r3', 'r2', 'r1']);
  });
});
