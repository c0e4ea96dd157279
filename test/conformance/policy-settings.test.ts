import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettingsStore, type SettingsStore } from '../../src/policies/settings-store.js';
import type { AccessManagementSettings } from '../../src/policies/types.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: SettingsStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createSettingsStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

const settings = (state: string) =>
  ({ external_account_identity_interaction: { identity_types: { user: { state, external_allowed_accounts: [] } } } }) as unknown as AccessManagementSettings;
const value = (state: string, entityTag: string) => ({ settings: settings(state), entityTag, modifiedAt: at(), modifiedBy: 'IBMid-x' });
const save = (accountId: string, expected: string | undefined, v: ReturnType<typeof value>) =>
  writer.write((w) => store.save(w.trx, accountId, expected, v)).then((c) => c.value);

describe('access-management settings store', () => {
  it('get: undefined for an account that never saved any (the defaults apply)', async () => {
    expect(await store.get('acct-none')).toBeUndefined();
  });

  it('a first save (expected tag undefined) inserts; a second first save loses and changes nothing', async () => {
    expect(await save('acct-first', undefined, value('enabled', 't1'))).toBe(true);
    expect(await store.get('acct-first')).toEqual({ settings: settings('enabled'), entityTag: 't1' });
    expect(await save('acct-first', undefined, value('limited', 't2'))).toBe(false);
    expect(await store.get('acct-first')).toEqual({ settings: settings('enabled'), entityTag: 't1' });
  });

  it('save with the current tag replaces the settings; with a stale tag it returns false and changes nothing', async () => {
    await save('acct-cas', undefined, value('enabled', 't1'));
    expect(await save('acct-cas', 't1', value('limited', 't2'))).toBe(true);
    expect(await store.get('acct-cas')).toEqual({ settings: settings('limited'), entityTag: 't2' });
    expect(await save('acct-cas', 't1', value('monitor', 't3'))).toBe(false);
    expect(await store.get('acct-cas')).toEqual({ settings: settings('limited'), entityTag: 't2' });
  });

  it('save with a tag for an account without a row returns false and inserts nothing', async () => {
    expect(await save('acct-missing', 't1', value('enabled', 't2'))).toBe(false);
    expect(await store.get('acct-missing')).toBeUndefined();
  });
});
