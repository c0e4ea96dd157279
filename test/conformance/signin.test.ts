import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsStore } from '../../src/accounts/store.js';
import { ALL_ACCOUNTS, createSignInStore, type PasskeyRow, type SignInStore } from '../../src/signin/store.js';
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

  it('keeps one authenticator per user: a pending one is replaced, a confirmed one is not, and confirming happens once', async () => {
    expect(await store.totpOf('IBMid-2')).toBeUndefined();
    expect((await writer.write((w) => store.putPendingTotp(w.trx, 'IBMid-2', 'sealed-1', at(1)))).value).toBe(true);
    expect((await writer.write((w) => store.putPendingTotp(w.trx, 'IBMid-2', 'sealed-2', at(2)))).value).toBe(true);
    expect(await store.totpOf('IBMid-2')).toEqual({ sealedSecret: 'sealed-2', confirmedAt: null, lastUsedAt: null });
    expect((await writer.write((w) => store.confirmTotp(w.trx, 'IBMid-2', at(3)))).value).toBe(true);
    expect((await writer.write((w) => store.confirmTotp(w.trx, 'IBMid-2', at(4)))).value).toBe(false);
    expect((await writer.write((w) => store.putPendingTotp(w.trx, 'IBMid-2', 'sealed-3', at(5)))).value).toBe(false);
    expect(await store.totpOf('IBMid-2')).toEqual({ sealedSecret: 'sealed-2', confirmedAt: at(3), lastUsedAt: at(3) });
  });

  it('accepts each time step once per user, also under concurrent uses, and forgets old steps', async () => {
    const uses = await Promise.all([1, 2, 3, 4].map(() => writer.write((w) => store.useTotpStep(w.trx, 'IBMid-2', 1000, at(10)))));
    expect(uses.map((u) => u.value).filter(Boolean)).toEqual([true]);
    expect((await writer.write((w) => store.useTotpStep(w.trx, 'IBMid-3', 1000, at(10)))).value).toBe(true);
    expect((await writer.write((w) => store.useTotpStep(w.trx, 'IBMid-2', 1001, at(11)))).value).toBe(true);
    expect((await store.totpOf('IBMid-2'))?.lastUsedAt).toBe(at(11));
    // A step far later drops the ones that can no longer validate.
    await writer.write((w) => store.useTotpStep(w.trx, 'IBMid-2', 2000, at(12)));
    const steps = await fixture.database.db.selectFrom('mfa_totp_steps').select('step').where('iam_id', '=', 'IBMid-2').execute();
    expect(steps.map((s) => Number(s.step))).toEqual([2000]);
  });

  it('spends each recovery code once, and counts the unused ones of enrolled users', async () => {
    await writer.write((w) => store.replaceRecoveryCodes(w.trx, 'IBMid-2', ['c1', 'c2', 'c3'], at(20)));
    const spent = await Promise.all([1, 2, 3].map(() => writer.write((w) => store.useRecoveryCode(w.trx, 'IBMid-2', 'c1', at(21)))));
    expect(spent.map((s) => s.value).filter(Boolean)).toEqual([true]);
    expect((await writer.write((w) => store.useRecoveryCode(w.trx, 'IBMid-3', 'c2', at(21)))).value).toBe(false);
    const enrolled = await store.enrolments(['IBMid-1', 'IBMid-2', 'IBMid-3']);
    expect([...enrolled]).toEqual([['IBMid-2', { totp: true, passkeys: 0, lastUsedAt: at(12), recoveryCodesLeft: 2 }]]);
    // New codes replace the old ones; removal takes everything.
    await writer.write((w) => store.replaceRecoveryCodes(w.trx, 'IBMid-2', ['d1'], at(22)));
    expect((await writer.write((w) => store.useRecoveryCode(w.trx, 'IBMid-2', 'c2', at(23)))).value).toBe(false);
    await writer.write((w) => store.deleteMfa(w.trx, 'IBMid-2'));
    expect(await store.totpOf('IBMid-2')).toBeUndefined();
    expect((await store.enrolments(['IBMid-2'])).size).toBe(0);
  });

  it('touches a session only while it is live, not expired and not idle, and ends it once for its own user', async () => {
    const row = {
      id: 's-1', secret_hash: 'sh-1', csrf_hash: 'ch-1', iam_id: 'IBMid-1', account_id: 'acct-a', authn: '{}',
      created_at: at(0), last_seen_at: at(0), expires_at: at(100),
    };
    await writer.write((w) => store.insertSession(w.trx, row));
    await writer.write((w) => store.insertSession(w.trx, { ...row, id: 's-2', secret_hash: 'sh-2', created_at: at(1), last_seen_at: at(1) }));
    expect(await store.sessionAccount('sh-1')).toBe('acct-a');
    // Idle since before its last activity: live, and marked seen.
    expect(await store.touchSession('sh-1', at(10), at(-1))).toMatchObject({ id: 's-1', last_seen_at: at(10) });
    // Idle for longer than allowed, or past its expiry: nothing.
    expect(await store.touchSession('sh-1', at(50), at(20))).toBeUndefined();
    expect(await store.touchSession('sh-2', at(100), at(0))).toBeUndefined();
    expect((await store.liveSessionsOf('IBMid-1', at(60))).map((s) => s.id)).toEqual(['s-2', 's-1']);
    // Only its own user ends a session, once.
    expect((await writer.write((w) => store.endSession(w.trx, 'IBMid-2', 's-1', at(61), 'revoked'))).value).toBe(false);
    expect((await writer.write((w) => store.endSession(w.trx, 'IBMid-1', 's-1', at(61), 'logout'))).value).toBe(true);
    expect((await writer.write((w) => store.endSession(w.trx, 'IBMid-1', 's-1', at(62), 'logout'))).value).toBe(false);
    expect(await store.touchSession('sh-1', at(63), at(0))).toBeUndefined();
    expect(await store.sessionAccount('sh-1')).toBeUndefined();
    expect((await store.liveSessionsOf('IBMid-1', at(60))).map((s) => s.id)).toEqual(['s-2']);
  });

  it('ends a stale session once with why (expired before idle), and every live session of a user (in one account or all)', async () => {
    const base = { csrf_hash: 'c', iam_id: 'IBMid-2', authn: '{}', created_at: at(0), last_seen_at: at(0), expires_at: at(100) };
    await writer.write(async (w) => {
      await store.insertSession(w.trx, { ...base, id: 'st-1', secret_hash: 'st-1', account_id: 'acct-a' });
      await store.insertSession(w.trx, { ...base, id: 'st-2', secret_hash: 'st-2', account_id: 'acct-a', expires_at: at(10) });
      await store.insertSession(w.trx, { ...base, id: 'st-3', secret_hash: 'st-3', account_id: 'acct-a' });
      await store.insertSession(w.trx, { ...base, id: 'st-4', secret_hash: 'st-4', account_id: 'acct-b' });
    });
    // Live (seen after idleSince, not expired): not ended.
    expect(await store.endStaleSession('st-1', at(5), at(-1))).toBeUndefined();
    expect(await store.endStaleSession('st-2', at(20), at(-1))).toMatchObject({ id: 'st-2', end_reason: 'expired' });
    expect(await store.endStaleSession('st-2', at(21), at(-1))).toBeUndefined();
    expect(await store.endStaleSession('st-1', at(30), at(0))).toMatchObject({ id: 'st-1', end_reason: 'idle' });
    const inA = (await writer.write((w) => store.endSessionsOf(w.trx, 'IBMid-2', 'acct-a', at(31)))).value;
    expect(inA.map((r) => r.id)).toEqual(['st-3']);
    const everywhere = (await writer.write((w) => store.endSessionsOf(w.trx, 'IBMid-2', undefined, at(32)))).value;
    expect(everywhere.map((r) => r.id)).toEqual(['st-4']);
    expect(await store.liveSessionsOf('IBMid-2', at(33))).toEqual([]);
  });

  it('keeps the latest revocation instant per identity and account, everywhere (*) applying to every account', async () => {
    expect(await store.revokedBefore('IBMid-3', 'acct-a')).toBeUndefined();
    await writer.write((w) => store.revokeBefore(w.trx, 'IBMid-3', 'acct-a', at(10)));
    await writer.write((w) => store.revokeBefore(w.trx, 'IBMid-3', 'acct-a', at(5)));
    expect(await store.revokedBefore('IBMid-3', 'acct-a')).toBe(at(10));
    expect(await store.revokedBefore('IBMid-3', 'acct-b')).toBeUndefined();
    await writer.write((w) => store.revokeBefore(w.trx, 'IBMid-3', ALL_ACCOUNTS, at(20)));
    expect(await store.revokedBefore('IBMid-3', 'acct-a')).toBe(at(20));
    expect(await store.revokedBefore('IBMid-3', 'acct-b')).toBe(at(20));
  });

  it('counts failures per key in a window, locks at the limit, restarts after the window, and is race-safe', async () => {
    const count = (now: number) => writer.write((w) => store.countFailure(w.trx, 'k-1', at(now), at(now + 10), 3, at(now + 20)));
    expect((await count(0)).value).toEqual({ failures: 1, locked: false });
    expect((await count(1)).value).toEqual({ failures: 2, locked: false });
    expect((await count(2)).value).toEqual({ failures: 3, locked: true });
    expect(await store.lockedUntil(['k-1', 'k-2'], at(3))).toBe(at(22));
    expect(await store.lockedUntil(['k-1'], at(22))).toBeUndefined();
    // A new window starts at 1 (the old lock stays until it ends).
    expect((await count(12)).value).toMatchObject({ failures: 1 });
    await writer.write((w) => store.clearFailures(w.trx, 'k-1'));
    expect(await store.lockedUntil(['k-1'], at(13))).toBeUndefined();
    // Concurrent failures are all counted (on PostgreSQL each write takes its own pooled connection).
    await Promise.all(Array.from({ length: 6 }, () => writer.write((w) => store.countFailure(w.trx, 'k-race', at(0), at(100), 100, at(200)))));
    expect((await writer.write((w) => store.countFailure(w.trx, 'k-race', at(1), at(100), 100, at(200)))).value.failures).toBe(7);
  });

  it('spends a WebAuthn challenge once, only for its user and purpose and before it expires', async () => {
    await writer.write((w) => store.putChallenge(w.trx, { challenge: 'ch-1', purpose: 'authenticate', iamId: 'IBMid-1', accountId: 'acct-a', expiresAt: at(10) }, at(0)));
    await writer.write((w) => store.putChallenge(w.trx, { challenge: 'ch-2', purpose: 'register', iamId: 'IBMid-1', accountId: null, expiresAt: at(10) }, at(0)));
    const spend = (challenge: string, purpose: 'register' | 'authenticate', iamId: string, now: number) =>
      writer.write((w) => store.spendChallenge(w.trx, challenge, purpose, iamId, at(now))).then((c) => c.value);
    expect(await spend('ch-1', 'register', 'IBMid-1', 1)).toBeUndefined();
    expect(await spend('ch-1', 'authenticate', 'IBMid-2', 1)).toBeUndefined();
    expect(await spend('ch-2', 'register', 'IBMid-1', 10)).toBeUndefined();
    const racing = await Promise.all([1, 2, 3].map(() => spend('ch-1', 'authenticate', 'IBMid-1', 1)));
    expect(racing.filter((r) => r !== undefined)).toEqual([{ accountId: 'acct-a' }]);
  });

  it('stores passkeys unique by credential and by name per user, moves a counter once, and removes only its own user\'s', async () => {
    const passkey = (over: Partial<PasskeyRow>): PasskeyRow => ({
      id: 'pk-1', credential_id: 'cred-1', iam_id: 'IBMid-1', name: 'laptop', public_key: 'pub', counter: 0, transports: '[]', created_at: at(0), last_used_at: null, ...over,
    });
    await writer.write((w) => store.insertPasskey(w.trx, passkey({})));
    await expect(writer.write((w) => store.insertPasskey(w.trx, passkey({ id: 'pk-2', credential_id: 'cred-2' })))).rejects.toThrow();
    await expect(writer.write((w) => store.insertPasskey(w.trx, passkey({ id: 'pk-3', name: 'phone' })))).rejects.toThrow();
    await writer.write((w) => store.insertPasskey(w.trx, passkey({ id: 'pk-4', credential_id: 'cred-4', iam_id: 'IBMid-2' })));
    expect((await store.passkeysOf('IBMid-1')).map((p) => p.id)).toEqual(['pk-1']);
    expect(await store.passkeyByCredential('IBMid-2', 'cred-1')).toBeUndefined();
    const moves = await Promise.all([1, 2].map(() => writer.write((w) => store.usePasskey(w.trx, 'pk-1', 0, 5, at(1)))));
    expect(moves.map((m) => m.value).filter(Boolean)).toEqual([true]);
    expect(await store.passkeyByCredential('IBMid-1', 'cred-1')).toMatchObject({ counter: 5, last_used_at: at(1) });
    expect([...(await store.enrolments(['IBMid-1', 'IBMid-3']))]).toEqual([['IBMid-1', { totp: false, passkeys: 1, lastUsedAt: at(1), recoveryCodesLeft: 0 }]]);
    expect((await writer.write((w) => store.deletePasskey(w.trx, 'IBMid-2', 'pk-1'))).value).toBe(false);
    expect((await writer.write((w) => store.deletePasskey(w.trx, 'IBMid-1', 'pk-1'))).value).toBe(true);
    expect(await store.passkeysOf('IBMid-1')).toEqual([]);
  });

  it('refuses a second session with the same secret (unique)', async () => {
    const row = {
      id: 's-3', secret_hash: 'sh-3', csrf_hash: 'c', iam_id: 'IBMid-1', account_id: 'acct-a', authn: '{}',
      created_at: at(0), last_seen_at: at(0), expires_at: at(100),
    };
    await writer.write((w) => store.insertSession(w.trx, row));
    await expect(writer.write((w) => store.insertSession(w.trx, { ...row, id: 's-4' }))).rejects.toThrow();
  });
});
