import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsStore } from '../../src/accounts/store.js';
import { createSignInStore, type SignInStore } from '../../src/signin/store.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: SignInStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createSignInStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
  const accounts = createAccountsStore(fixture.database.db);
  await writer.write(async (w) => {
    for (const n of [1, 2, 3]) {
      await accounts.insertUser(w.trx, { iamId: `IBMid-${n}`, userId: `u${n}@example.com`, email: `u${n}@example.com`, firstName: '', lastName: '', realm: 'IBMid' }, at());
    }
    for (const id of ['acct-a', 'acct-b', 'acct-c']) {
      await w.trx.insertInto('accounts').values({ id, name: id, owner_iam_id: 'IBMid-3', state: 'ACTIVE', created_at: at(), updated_at: at() }).execute();
    }
    await accounts.addMember(w.trx, 'acct-b', 'IBMid-1', 'ACTIVE', at());
    await accounts.addMember(w.trx, 'acct-a', 'IBMid-1', 'ACTIVE', at());
    await accounts.addMember(w.trx, 'acct-c', 'IBMid-1', 'PENDING', at());
  });
});
afterAll(async () => fixture.close());

describe('sign-in store', () => {
  it('finds users by login and by IAM id', async () => {
    expect(await store.userByLogin('u2@example.com')).toEqual({ iamId: 'IBMid-2', userId: 'u2@example.com', email: 'u2@example.com' });
    expect(await store.userById('IBMid-3')).toMatchObject({ userId: 'u3@example.com' });
    expect(await store.userByLogin('nobody@example.com')).toBeUndefined();
  });

  it('sets a password hash once per user, the latest replacing the earlier', async () => {
    expect(await store.passwordHash('IBMid-1')).toBeUndefined();
    await writer.write((w) => store.setPasswordHash(w.trx, 'IBMid-1', 'first', at(1)));
    await writer.write((w) => store.setPasswordHash(w.trx, 'IBMid-1', 'second', at(2)));
    expect(await store.passwordHash('IBMid-1')).toBe('second');
    const rows = await fixture.database.db.selectFrom('user_passwords').selectAll().where('iam_id', '=', 'IBMid-1').execute();
    expect(rows).toEqual([{ iam_id: 'IBMid-1', hash: 'second', updated_at: at(2) }]);
  });

  it('lists the accounts a user is an ACTIVE member of, in id order', async () => {
    expect(await store.activeAccountsOf('IBMid-1')).toEqual(['acct-a', 'acct-b']);
    expect(await store.activeAccountsOf('IBMid-2')).toEqual([]);
  });

  it('keeps only the newest reset link of a user, purges expired ones, and spends a link once before it expires', async () => {
    await writer.write((w) => store.replaceReset(w.trx, { tokenHash: 'h-old', iamId: 'IBMid-2', createdAt: at(0), expiresAt: at(100) }));
    await writer.write((w) => store.replaceReset(w.trx, { tokenHash: 'h-other', iamId: 'IBMid-3', createdAt: at(0), expiresAt: at(5) }));
    await writer.write((w) => store.replaceReset(w.trx, { tokenHash: 'h-new', iamId: 'IBMid-2', createdAt: at(10), expiresAt: at(100) }));
    const hashes = (await fixture.database.db.selectFrom('password_resets').select('token_hash').execute()).map((r) => r.token_hash);
    // The older link of IBMid-2 is replaced; IBMid-3's expired link (at 5 < 10) is purged.
    expect(hashes).toEqual(['h-new']);
    expect((await writer.write((w) => store.consumeReset(w.trx, 'h-new', at(200)))).value).toBeUndefined();
    expect((await writer.write((w) => store.consumeReset(w.trx, 'h-new', at(50)))).value).toBe('IBMid-2');
    expect((await writer.write((w) => store.consumeReset(w.trx, 'h-new', at(50)))).value).toBeUndefined();
  });

  it('of concurrent spenders of one link, exactly one gets it', async () => {
    await writer.write((w) => store.replaceReset(w.trx, { tokenHash: 'h-race', iamId: 'IBMid-3', createdAt: at(0), expiresAt: at(100) }));
    // Parallel transactions on PostgreSQL's pool; SQLite runs them one at a time.
    const results = await Promise.all([1, 2, 3, 4].map(() => writer.write((w) => store.consumeReset(w.trx, 'h-race', at(1)))));
    expect(results.map((r) => r.value).filter((v) => v !== undefined)).toEqual(['IBMid-3']);
  });
});
