import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsStore } from '../../src/accounts/store.js';
import { createIdentityStore } from '../../src/identity/store.js';
import type { ApiKey } from '../../src/identity/types.js';
import { createTokenStore, type RefreshTokenRow, type SigningKeyRow, type TokenStore } from '../../src/token/store.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { createGrantSubjects } from '../../src/token/subjects.js';
import { at, openStore, seedAccount, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: TokenStore;
let writer: Writer;
let account: { accountId: string; iamId: string; login: string };

beforeAll(async () => {
  fixture = await openStore();
  store = createTokenStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
  account = await seedAccount(fixture.database);
});
afterAll(async () => fixture.close());

let seq = 0;
const signingKey = (over: Partial<SigningKeyRow> = {}): SigningKeyRow => {
  const n = ++seq;
  return { kid: `kid-${n}`, private_key: `sealed-${n}`, private_key_encryption: 'aes-256-gcm', public_jwk: '{}', created_at: at(n % 60), retires_at: at(59), expires_at: at(59), ...over };
};
const refresh = (over: Partial<RefreshTokenRow> = {}): RefreshTokenRow => {
  const n = ++seq;
  return {
    token_hash: `rt-${n}`, iam_id: account.iamId, account_id: account.accountId, api_key_id: null, authn: null, client_id: 'bx', scope: 'ibm openid',
    created_at: at(), expires_at: at(30), family: `family-${n}`, used_at: null, ...over,
  };
};
const apiKey = (iamId: string, ownerType: ApiKey['ownerType']): ApiKey => {
  const n = ++seq;
  return {
    id: `ApiKey-t${n}`, iamId, accountId: account.accountId, name: 'k', description: null, ownerType, locked: false, disabled: false,
    supportSessions: false, actionWhenLeaked: 'none', expiresAt: null, createdBy: iamId, createdAt: at(), modifiedAt: at(), entityTag: '1', lastAuthn: null, authnCount: 0,
  };
};

describe('token store: signing keys', () => {
  it('listSigningKeys is newest first (created_at, then kid, descending)', async () => {
    const keys = [signingKey({ created_at: at(1) }), signingKey({ created_at: at(3) }), signingKey({ created_at: at(3) })];
    await writer.write(async (w) => {
      for (const k of keys) await store.insertSigningKey(w.trx, k);
    });
    expect((await store.listSigningKeys()).map((k) => k.kid)).toEqual([keys[2]!.kid, keys[1]!.kid, keys[0]!.kid]);
  });

  it('resealSigningKey replaces the private key only while it still holds `from`', async () => {
    const k = signingKey({ private_key: 'plain', private_key_encryption: 'none' });
    await writer.write((w) => store.insertSigningKey(w.trx, k));
    expect((await writer.write((w) => store.resealSigningKey(w.trx, k.kid, 'plain', 'sealed'))).value).toBe(true);
    expect((await writer.write((w) => store.resealSigningKey(w.trx, k.kid, 'plain', 'other'))).value).toBe(false);
    expect((await writer.write((w) => store.resealSigningKey(w.trx, 'kid-none', 'plain', 'other'))).value).toBe(false);
    expect((await store.listSigningKeys()).find((r) => r.kid === k.kid)).toMatchObject({ private_key: 'sealed', private_key_encryption: 'aes-256-gcm' });
  });

  it('supersedeSigningKey sets the retirement instants; deleteExpiredSigningKeys removes keys expired at `now` (inclusive)', async () => {
    const k = signingKey();
    const keep = signingKey();
    await writer.write(async (w) => {
      await store.insertSigningKey(w.trx, k);
      await store.insertSigningKey(w.trx, keep);
      await store.supersedeSigningKey(w.trx, k.kid, at(10), at(20));
    });
    expect((await store.listSigningKeys()).find((r) => r.kid === k.kid)).toMatchObject({ retires_at: at(10), expires_at: at(20) });
    await writer.write((w) => store.deleteExpiredSigningKeys(w.trx, at(20)));
    const kids = (await store.listSigningKeys()).map((r) => r.kid);
    expect(kids).not.toContain(k.kid);
    expect(kids).toContain(keep.kid);
  });

  it('lockSigningKeys changes nothing visible (the feed head stays)', async () => {
    const head = async () => Number((await fixture.database.db.selectFrom('feed_head').select('revision').executeTakeFirstOrThrow()).revision);
    const before = await head();
    await writer.write((w) => store.lockSigningKeys(w.trx));
    expect(await head()).toBe(before);
  });
});

describe('token store: refresh tokens', () => {
  it('consumeRefreshToken marks the row spent once, then undefined; refreshTokenHolder reads an unspent one without spending it', async () => {
    const t = refresh();
    await store.insertRefreshTokens([t]);
    expect(await store.refreshTokenHolder(t.token_hash)).toEqual({ accountId: t.account_id, iamId: t.iam_id });
    expect(await store.refreshTokenHolder(t.token_hash)).toEqual({ accountId: t.account_id, iamId: t.iam_id });
    expect(await store.spentRefreshToken(t.token_hash)).toBeUndefined();
    expect(await store.consumeRefreshToken(t.token_hash, at(1))).toEqual({ ...t, used_at: at(1) });
    expect(await store.consumeRefreshToken(t.token_hash, at(2))).toBeUndefined();
    expect(await store.refreshTokenHolder(t.token_hash)).toBeUndefined();
    // The spent row is kept, so that a reuse is recognised with its family.
    expect(await store.spentRefreshToken(t.token_hash)).toEqual({ family: t.family, expiresAt: t.expires_at });
    expect(await store.spentRefreshToken('rt-unknown')).toBeUndefined();
  });

  it('of concurrent consumers of one token exactly one gets it', async () => {
    const t = refresh();
    await store.insertRefreshTokens([t]);
    const other = createTokenStore(fixture.reopen().db);
    const results = await Promise.all([store.consumeRefreshToken(t.token_hash, at(1)), other.consumeRefreshToken(t.token_hash, at(1)), store.consumeRefreshToken(t.token_hash, at(1))]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  it('revokeRefreshFamily is idempotent and seen by refreshFamilyRevoked; the purge drops it once expired', async () => {
    expect(await store.refreshFamilyRevoked('family-x')).toBe(false);
    await store.revokeRefreshFamily('family-x', at(1), at(10));
    await store.revokeRefreshFamily('family-x', at(2), at(20));
    expect(await store.refreshFamilyRevoked('family-x')).toBe(true);
    expect(await store.refreshFamilyRevoked('family-y')).toBe(false);
    await store.deleteExpiredRefreshTokens(at(9));
    expect(await store.refreshFamilyRevoked('family-x')).toBe(true);
    await store.deleteExpiredRefreshTokens(at(10));
    expect(await store.refreshFamilyRevoked('family-x')).toBe(false);
  });

  it('insertRefreshTokens stores more than one statement batch; deleteExpiredRefreshTokens removes the expired ones only', async () => {
    const rows = Array.from({ length: 501 }, () => refresh({ expires_at: at(5) }));
    const live = refresh({ expires_at: at(50) });
    await store.insertRefreshTokens([...rows, live]);
    await store.deleteExpiredRefreshTokens(at(5));
    expect(await store.consumeRefreshToken(rows[500]!.token_hash, at(6))).toBeUndefined();
    expect(await store.consumeRefreshToken(live.token_hash, at(6))).toEqual({ ...live, used_at: at(6) });
  });
});

describe('grant subjects (identity and accounts stores) and key activity', () => {
  const identity = () => createIdentityStore(fixture.database.db);
  const subjects = () => createGrantSubjects(identity(), createAccountsStore(fixture.database.db));

  it('byKeyHash / byKeyId give the key with its user, membership and settings; undefined for unknown keys', async () => {
    const key = apiKey(account.iamId, 'user');
    await writer.write((w) => identity().insertApiKey(w.trx, key, 'grant-hash-user'));
    const subject = await subjects().byKeyHash('grant-hash-user');
    expect(subject).toMatchObject({ keyId: key.id, iamId: account.iamId, accountId: account.accountId, ownerType: 'user', userId: account.login, membership: 'ACTIVE', serviceId: null, settings: null });
    expect(await subjects().byKeyId(key.id)).toEqual(subject);
    expect(await subjects().byKeyHash('grant-hash-none')).toBeUndefined();
    expect(await subjects().byKeyId('ApiKey-none')).toBeUndefined();
  });

  it('a service ID key comes with the service ID; a key of an identity that does not exist has null identity columns', async () => {
    const sid = { id: 'ServiceId-grant', iamId: 'iam-ServiceId-grant', accountId: account.accountId, name: 'robot', description: null, groupId: null, uniqueInstanceCrns: [], locked: true, createdBy: account.iamId, createdAt: at(), modifiedAt: at(), entityTag: '1' };
    const key = apiKey(sid.iamId, 'serviceid');
    const orphan = apiKey('iam-ServiceId-gone', 'serviceid');
    await writer.write(async (w) => {
      await identity().insertServiceId(w.trx, sid);
      await identity().insertApiKey(w.trx, key, 'grant-hash-sid');
      await identity().insertApiKey(w.trx, orphan, 'grant-hash-orphan');
    });
    expect(await subjects().byKeyHash('grant-hash-sid')).toMatchObject({ serviceId: sid.id, serviceIdName: 'robot', serviceIdAccountId: account.accountId, userId: null, membership: null });
    expect(Number((await subjects().byKeyHash('grant-hash-sid'))!.serviceIdLocked)).toBe(1);
    expect(await subjects().byKeyHash('grant-hash-orphan')).toMatchObject({ serviceId: null, userId: null, membership: null });
  });

  it('byUser gives a signed-in user with their membership and the account settings, with no key; undefined for unknown users', async () => {
    await writer.write((w) => identity().saveSettings(w.trx, account.accountId, false, undefined, { settings: '{"mfa":"NONE"}', entityTag: 'tag-1', modifiedAt: at() }));
    expect(await subjects().byUser(account.iamId, account.accountId)).toMatchObject({
      keyId: '', iamId: account.iamId, accountId: account.accountId, ownerType: 'user', disabled: 0, locked: 0, expiresAt: null,
      userId: account.login, membership: 'ACTIVE', serviceId: null, settings: '{"mfa":"NONE"}',
    });
    expect(await subjects().byUser(account.iamId, 'no-such-account')).toMatchObject({ membership: null, settings: null });
    expect(await subjects().byUser('IBMid-nobody', account.accountId)).toBeUndefined();
  });

  it('recordActivity adds counts and sets the last authentication; keys deleted meanwhile are skipped', async () => {
    const key = apiKey(account.iamId, 'user');
    await writer.write((w) => identity().insertApiKey(w.trx, key, 'activity-hash'));
    await identity().recordActivity([{ apiKeyId: key.id, count: 2, lastAuthn: at(7) }, { apiKeyId: 'ApiKey-deleted', count: 1, lastAuthn: at(7) }]);
    await identity().recordActivity([{ apiKeyId: key.id, count: 3, lastAuthn: at(8) }]);
    expect(await identity().getApiKey(key.id)).toMatchObject({ authnCount: 5, lastAuthn: at(8) });
  });
});
