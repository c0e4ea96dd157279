import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsStore, type AccountsStore } from '../../src/accounts/store.js';
import type { Account, User } from '../../src/accounts/types.js';
import { isUniqueViolation } from '../../src/store/conflicts.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, isForeignKeyViolation, openStore, type StoreFixture } from './support.js';

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
    ).rejects.toMatchObject({ kind: 'conflict', code: 'user_exists' });
    expect(await store.getUser(twin.iamId)).toBeUndefined();
    expect(await store.countAccounts()).toBe(before);
  });

  it('iam_id is unique too', async () => {
    const { owner } = await seed();
    await expect(writer.write((w) => store.insertUser(w.trx, user({ iamId: owner.iamId }), at()))).rejects.toMatchObject({ kind: 'conflict', code: 'user_exists' });
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
    await expect(writer.write((w) => store.addMember(w.trx, acct.id, other.iamId, 'ACTIVE', at()))).rejects.toSatisfy(isUniqueViolation);
    expect(await store.membershipState(acct.id, other.iamId)).toBe('PENDING');
  });

  it('a membership needs an existing account and user (foreign keys hold on both dialects)', async () => {
    const { owner, acct } = await seed();
    await expect(writer.write((w) => store.addMember(w.trx, 'no-such-account', owner.iamId, 'ACTIVE', at()))).rejects.toSatisfy(isForeignKeyViolation);
    await expect(writer.write((w) => store.addMember(w.trx, acct.id, 'IBMid-nobody', 'ACTIVE', at()))).rejects.toSatisfy(isForeignKeyViolation);
  });

  it('every write goes through the transaction it is given: rolling the write back leaves nothing behind', async () => {
    const { acct: existing } = await seed();
    const u = user();
    const a = account(u.iamId);
    await expect(
      writer.write(async (w) => {
        await store.insertUser(w.trx, u, at());
        await store.insertAccount(w.trx, a);
        await store.addMember(w.trx, a.id, u.iamId, 'ACTIVE', at());
        await store.setAccountState(w.trx, existing.id, 'SUSPENDED', at(1));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await store.getUser(u.iamId)).toBeUndefined();
    expect(await store.getAccount(a.id)).toBeUndefined();
    expect(await store.membershipState(a.id, u.iamId)).toBeUndefined();
    expect((await store.getAccount(existing.id))?.state).toBe('ACTIVE');
  });

  it('setAccountState changes only the state of that account', async () => {
    const { acct } = await seed();
    const { acct: bystander } = await seed();
    await writer.write((w) => store.setAccountState(w.trx, acct.id, 'SUSPENDED', at(2)));
    expect(await store.getAccount(acct.id)).toEqual({ ...acct, state: 'SUSPENDED' });
    expect(await store.getAccount(bystander.id)).toEqual(bystander);
  });

  it('getUserByLogin finds the user by user_id; undefined for an unknown login', async () => {
    const { owner } = await seed();
    expect(await store.getUserByLogin(owner.userId)).toEqual(owner);
    expect(await store.getUserByLogin('nobody@example.com')).toBeUndefined();
  });

  it('operatorAccountId is the first account created (created_at, then id), whatever is added later', async () => {
    const first = await store.operatorAccountId();
    expect(first).toBeDefined();
    const u = user();
    await writer.write(async (w) => {
      await store.insertUser(w.trx, u, at());
      await store.insertAccount(w.trx, account(u.iamId, { id: 'zzz-late', createdAt: at(59) }));
    });
    expect(await store.operatorAccountId()).toBe(first);
  });
});
