import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsStore, type AccountsStore } from '../../src/accounts/store.js';
import type { Account, User } from '../../src/accounts/types.js';
import { createChangeFeed } from '../../src/store/changes.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: AccountsStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createAccountsStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

let seq = 0;
const user = (over: Partial<User> = {}): User => {
  const n = ++seq;
  return { iamId: `IBMid-${n}`, userId: `user${n}@example.com`, email: `user${n}@example.com`, firstName: 'F', lastName: 'L', realm: 'IBMid', ...over };
};
const account = (ownerIamId: string, over: Partial<Account> = {}): Account => ({
  id: `acct${++seq}`,
  name: `Account ${seq}`,
  ownerIamId,
  state: 'ACTIVE',
  createdAt: at(seq % 60),
  ...over,
});

/** Creates a user and an account it owns and belongs to, in one write. */
async function seed() {
  const owner = user();
  const acct = account(owner.iamId);
  await writer.write(async (w) => {
    await store.insertUser(w.trx, owner, at());
    await store.insertAccount(w.trx, acct);
    await store.addMember(w.trx, acct.id, owner.iamId, 'ACTIVE', at());
  });
  return { owner, acct };
}

describe('accounts store', () => {
  it('getAccount: undefined for an unknown id; the account as inserted otherwise', async () => {
    expect(await store.getAccount('no-such-account')).toBeUndefined();
    const { acct } = await seed();
    expect(await store.getAccount(acct.id)).toEqual(acct);
  });

  it('getUser: undefined for an unknown iam_id; the user as inserted otherwise', async () => {
    expect(await store.getUser('IBMid-nobody')).toBeUndefined();
    const { owner } = await seed();
    expect(await store.getUser(owner.iamId)).toEqual(owner);
  });

  it('countAccounts counts committed accounts, and sees the write transaction it is given', async () => {
    const before = await store.countAccounts();
    await seed();
    expect(await store.countAccounts()).toBe(before + 1);
    await expect(
      writer.write(async (w) => {
        const u = user();
        await store.insertUser(w.trx, u, at());
        await store.insertAccount(w.trx, account(u.iamId));
        expect(await store.countAccounts(w.trx)).toBe(before + 2);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await store.countAccounts()).toBe(before + 1);
  });

  it('user_id (the login) is unique: a second user with the same login is refused and its write rolls back', async () => {
    const { owner } = await seed();
    const before = await store.countAccounts();
    const twin = user({ userId: owner.userId });
    await expect(
      writer.write(async (w) => {
        await store.insertAccount(w.trx, account(owner.iamId));
        await store.insertUser(w.trx, twin, at());
      }),
    ).rejects.toThrow();
    expect(await store.getUser(twin.iamId)).toBeUndefined();
    expect(await store.countAccounts()).toBe(before);
  });

  it('iam_id is unique too', async () => {
    const { owner } = await seed();
    await expect(writer.write((w) => store.insertUser(w.trx, user({ iamId: owner.iamId }), at()))).rejects.toThrow();
  });

  it('membershipState: undefined for a non-member, the state for a member; one membership per user and account', async () => {
    const { owner, acct } = await seed();
    const other = user();
    await writer.write((w) => store.insertUser(w.trx, other, at()));
    expect(await store.membershipState(acct.id, owner.iamId)).toBe('ACTIVE');
    expect(await store.membershipState(acct.id, other.iamId)).toBeUndefined();
    expect(await store.membershipState('no-such-account', owner.iamId)).toBeUndefined();
    await writer.write((w) => store.addMember(w.trx, acct.id, other.iamId, 'PENDING', at()));
    expect(await store.membershipState(acct.id, other.iamId)).toBe('PENDING');
    await expect(writer.write((w) => store.addMember(w.trx, acct.id, other.iamId, 'ACTIVE', at()))).rejects.toThrow();
    expect(await store.membershipState(acct.id, other.iamId)).toBe('PENDING');
  });

  it('a membership needs an existing account and user (foreign keys hold on both dialects)', async () => {
    const { owner, acct } = await seed();
    await expect(writer.write((w) => store.addMember(w.trx, 'no-such-account', owner.iamId, 'ACTIVE', at()))).rejects.toThrow();
    await expect(writer.write((w) => store.addMember(w.trx, acct.id, 'IBMid-nobody', 'ACTIVE', at()))).rejects.toThrow();
  });

  it('store writes publish nothing by themselves: the service names the change', async () => {
    const feed = createChangeFeed(fixture.database.db);
    const head = await feed.head();
    await seed();
    expect(await feed.head()).toBe(head);
  });
});
