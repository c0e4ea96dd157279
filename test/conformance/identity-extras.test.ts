import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtrasStore, type ExtrasStore, type PreferenceRow, type ReportRow } from '../../src/identity/extras-store.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: ExtrasStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createExtrasStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

const key = { accountId: 'acct-1', iamId: 'IBMid-1', service: 'console', preferenceId: 'landing_page' };
const preference = (value: string): PreferenceRow => ({
  account_id: key.accountId,
  iam_id: key.iamId,
  service: key.service,
  preference_id: key.preferenceId,
  value_string: value,
  value_list: null,
  updated_at: at(),
  updated_by: 'IBMid-1',
});
const report = (reference: string, accountId: string, createdAt: string): ReportRow => ({
  reference,
  account_id: accountId,
  type: 'inactive',
  duration_hours: 720,
  status: 'running',
  created_by: 'IBMid-1',
  created_at: createdAt,
  completed_at: null,
  result: null,
});

describe('identity extras store', () => {
  it('upserts a preference: concurrent first writes leave one row, no error', async () => {
    const values = Array.from({ length: 8 }, (_, i) => `/page-${i}`);
    await Promise.all(values.map((v) => writer.write((w) => store.upsertPreference(w.trx, preference(v)))));
    const rows = await store.listPreferences(key.accountId, key.iamId);
    expect(rows).toHaveLength(1);
    expect(values).toContain(rows[0]!.value_string);
    await writer.write((w) => store.upsertPreference(w.trx, preference('/final')));
    expect((await store.getPreference(key))?.value_string).toBe('/final');
    // The same preference id of another identity or account is another row.
    await writer.write((w) => store.upsertPreference(w.trx, { ...preference('/other'), account_id: 'acct-2' }));
    expect((await store.getPreference(key))?.value_string).toBe('/final');
  });

  it('deletes a preference once', async () => {
    expect((await writer.write((w) => store.deletePreference(w.trx, key))).value).toBe(true);
    expect((await writer.write((w) => store.deletePreference(w.trx, key))).value).toBe(false);
    expect(await store.getPreference(key)).toBeUndefined();
  });

  it('settles a running report once; later settlements change nothing', async () => {
    await writer.write((w) => store.insertReport(w.trx, report('r-1', 'acct-1', at(1))));
    await store.settleReport('r-1', 'done', '{"reference":"r-1"}', at(2));
    await store.settleReport('r-1', 'failed', null, at(3));
    expect(await store.getReport('acct-1', 'r-1')).toMatchObject({ status: 'done', result: '{"reference":"r-1"}', completed_at: at(2) });
    expect(await store.getReport('acct-2', 'r-1')).toBeUndefined();
  });

  it("finds an account's newest report and drops its old ones only", async () => {
    await writer.write(async (w) => {
      await store.insertReport(w.trx, report('r-2', 'acct-1', at(5)));
      await store.insertReport(w.trx, report('r-3', 'acct-2', at(9)));
    });
    expect((await store.latestReport('acct-1', 'inactive'))?.reference).toBe('r-2');
    expect(await store.latestReport('acct-1', 'mfa_status')).toBeUndefined();
    await writer.write((w) => store.deleteReportsBefore(w.trx, 'acct-1', at(4)));
    expect(await store.getReport('acct-1', 'r-1')).toBeUndefined();
    expect(await store.getReport('acct-1', 'r-2')).toBeDefined();
    expect(await store.getReport('acct-2', 'r-3')).toBeDefined();
  });

  it('counts per id within the account; unknown ids count 0', async () => {
    expect(await store.countServiceIdGroups('acct-none')).toBe(0);
    expect([...(await store.countApiKeysPerIdentity('acct-none', ['iam-ServiceId-x']))]).toEqual([['iam-ServiceId-x', 0]]);
    expect([...(await store.countServiceIdsPerGroup('acct-none', ['g1', 'g2']))]).toEqual([['g1', 0], ['g2', 0]]);
  });
});
