import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsersStore, type UsersStore } from '../../src/users/store.js';
import { DEFAULT_SETTINGS } from '../../src/users/types.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, domainErrorOf, openStore, seedAccount, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: UsersStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createUsersStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

let seq = 0;
/** A user row (no membership). */
async function newUser(first = 'Una') {
  const n = ++seq;
  const iamId = `IBMid-u${n}`;
  const login = `u${n}@example.com`;
  await fixture.database.db.insertInto('users').values({ iam_id: iamId, user_id: login, email: login, first_name: first, last_name: 'User', realm: 'IBMid', created_at: at() }).execute();
  return { iamId, login };
}
const write = <T>(fn: (trx: Parameters<Parameters<Writer['write']>[0]>[0]['trx']) => Promise<T>) => writer.write((w) => fn(w.trx)).then((c) => c.value);
const invite = (accountId: string, iamId: string, over: { hash?: string | null; expiresAt?: string } = {}) =>
  write((trx) =>
    store.insertInvited(trx, { accountId, iamId, at: at(), invitationHash: over.hash === undefined ? `hash-${iamId}` : over.hash, expiresAt: over.expiresAt ?? at(30), invitedBy: 'IBMid-owner', email: `${iamId}@invite.example` }),
  );

describe('users store', () => {
  it('getMember: undefined for a non-member; the profile falls back to the user record and default settings', async () => {
    const { accountId, iamId, login } = await seedAccount(fixture.database);
    const stranger = await newUser();
    expect(await store.getMember(accountId, stranger.iamId)).toBeUndefined();
    expect(await store.getMember(accountId, iamId)).toEqual({
      iamId, accountId, userId: login, realm: 'IBMid', firstname: 'S', lastname: 'Eed', state: 'ACTIVE', email: login,
      phonenumber: '', altphonenumber: '', photo: '', addedOn: at(), settings: DEFAULT_SETTINGS,
    });
  });

  it('updateMember overrides profile fields and settings for that account only; pageMembers pages in IAM id order, or by a field with keys to resume after', async () => {
    const { accountId, iamId } = await seedAccount(fixture.database);
    const other = await newUser();
    await invite(accountId, other.iamId);
    await write((trx) => store.updateMember(trx, accountId, iamId, { firstname: 'Ada', phonenumber: '123', settings: JSON.stringify({ language: 'de' }) }));
    expect(await store.getMember(accountId, iamId)).toMatchObject({ firstname: 'Ada', lastname: 'Eed', phonenumber: '123', settings: { ...DEFAULT_SETTINGS, language: 'de' } });
    const all = await store.pageMembers(accountId, { terms: [] }, { limit: 10 });
    expect(all.items.map((m) => m.iamId)).toEqual([iamId, other.iamId].sort());
    expect(all).toMatchObject({ total: 2, more: false });
    const [first, second] = [iamId, other.iamId].sort();
    const page1 = await store.pageMembers(accountId, { terms: [] }, { limit: 1 });
    expect(page1).toMatchObject({ total: 2, more: true });
    expect(page1.items.map((m) => m.iamId)).toEqual([first]);
    const page2 = await store.pageMembers(accountId, { terms: [] }, { limit: 1, after: { iamId: first! } });
    expect(page2.items.map((m) => m.iamId)).toEqual([second]);
    expect(page2.more).toBe(false);
    // Sorted: a page's keys carry the sort value (lower case), and the next page starts after the last.
    const byName = { field: 'firstname', descending: false } as const;
    const named1 = await store.pageMembers(accountId, { terms: [] }, { limit: 1, order: byName });
    expect(named1.keys).toEqual([{ iamId: named1.items[0]!.iamId, value: named1.items[0]!.firstname.toLowerCase() }]);
    const named2 = await store.pageMembers(accountId, { terms: [] }, { limit: 1, order: byName, after: named1.keys[0] });
    expect(named2).toMatchObject({ total: 2, more: false });
    const descending = await store.pageMembers(accountId, { terms: [] }, { limit: 2, order: { ...byName, descending: true } });
    expect(descending.items.map((m) => m.iamId)).toEqual([named2.items[0]!.iamId, named1.items[0]!.iamId]);
    expect(await store.pageMembers('no-such-account', { terms: [] }, { limit: 10 })).toMatchObject({ items: [], total: 0, more: false });
  });

  it('insertInvited adds a PENDING member; inviting a member again is the 409 user_already_member', async () => {
    const { accountId, iamId } = await seedAccount(fixture.database);
    const u = await newUser();
    await invite(accountId, u.iamId);
    expect(await store.getMember(accountId, u.iamId)).toMatchObject({ state: 'PENDING', email: `${u.iamId}@invite.example` });
    expect(await domainErrorOf(invite(accountId, u.iamId))).toEqual({ kind: 'conflict', code: 'user_already_member' });
    expect(await domainErrorOf(invite(accountId, iamId))).toEqual({ kind: 'conflict', code: 'user_already_member' });
  });

  it('findInvitation finds a pending invitation by its hash, whatever its expiry; not once accepted', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const u = await newUser();
    await invite(accountId, u.iamId, { hash: 'find-me', expiresAt: at(1) });
    expect(await store.findInvitation('find-me')).toEqual({ accountId, iamId: u.iamId, expiresAt: at(1) });
    expect(await store.findInvitation('no-such-hash')).toBeUndefined();
    expect(await write((trx) => store.acceptPending(trx, accountId, u.iamId, at(0), 'find-me'))).toBe(true);
    expect(await store.findInvitation('find-me')).toBeUndefined();
  });

  it('acceptPending: with a hash only through that open invitation (spending it); without one, while not expired; once', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const a = await newUser();
    const b = await newUser();
    const c = await newUser();
    await invite(accountId, a.iamId, { hash: 'ha', expiresAt: at(10) });
    await invite(accountId, b.iamId, { hash: null, expiresAt: at(10) });
    await invite(accountId, c.iamId, { hash: 'hc', expiresAt: at(10) });
    expect(await write((trx) => store.acceptPending(trx, accountId, a.iamId, at(5), 'wrong'))).toBe(false);
    expect(await write((trx) => store.acceptPending(trx, accountId, a.iamId, at(10), 'ha'))).toBe(false);
    expect(await write((trx) => store.acceptPending(trx, accountId, a.iamId, at(9), 'ha'))).toBe(true);
    expect(await write((trx) => store.acceptPending(trx, accountId, a.iamId, at(9), 'ha'))).toBe(false);
    expect(await store.getMember(accountId, a.iamId)).toMatchObject({ state: 'ACTIVE' });
    expect(await write((trx) => store.acceptPending(trx, accountId, b.iamId, at(11)))).toBe(false);
    expect(await write((trx) => store.acceptPending(trx, accountId, b.iamId, at(9)))).toBe(true);
    expect(await write((trx) => store.acceptPending(trx, accountId, c.iamId, at(9)))).toBe(true);
    expect(await store.findInvitation('hc')).toBeUndefined();
  });

  it('of two concurrent acceptances exactly one succeeds', async () => {
    const { accountId } = await seedAccount(fixture.database);
    const u = await newUser();
    await invite(accountId, u.iamId, { hash: 'race' });
    // On PostgreSQL the pool runs them on two connections at once; SQLite has one writer at a time.
    const results = await Promise.all([1, 2].map(() => write((trx) => store.acceptPending(trx, accountId, u.iamId, at(1), 'race'))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('isEstablished: a non-pending member of another account or a key holder; not by a pending invitation or this account', async () => {
    const { accountId, iamId } = await seedAccount(fixture.database);
    const { accountId: elsewhere } = await seedAccount(fixture.database);
    expect(await store.isEstablished(iamId, accountId)).toBe(false);
    expect(await store.isEstablished(iamId, elsewhere)).toBe(true);
    const u = await newUser();
    await invite(elsewhere, u.iamId);
    expect(await store.isEstablished(u.iamId, accountId)).toBe(false);
    await fixture.database.db
      .insertInto('api_keys')
      .values({ id: `ApiKey-${u.iamId}`, iam_id: u.iamId, account_id: elsewhere, name: 'k', description: null, key_hash: `h-${u.iamId}`, owner_type: 'user', locked: 0, disabled: 0, support_sessions: 0, action_when_leaked: 'none', expires_at: null, created_by: u.iamId, created_at: at(), modified_at: at(), entity_tag: '1', last_authn: null, authn_count: 0 })
      .execute();
    expect(await store.isEstablished(u.iamId, accountId)).toBe(true);
  });

  it('deleteMember removes the membership of that account only', async () => {
    const { accountId, iamId } = await seedAccount(fixture.database);
    const { accountId: elsewhere } = await seedAccount(fixture.database);
    await invite(elsewhere, iamId);
    await write((trx) => store.deleteMember(trx, accountId, iamId));
    expect(await store.getMember(accountId, iamId)).toBeUndefined();
    expect(await store.getMember(elsewhere, iamId)).toBeDefined();
  });
});
