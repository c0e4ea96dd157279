import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { DomainError } from '../../src/kernel/errors.js';
import { hashSecret } from '../../src/kernel/secrets.js';
import {
  apikeyForm,
  decodeJwt,
  openTokenDb,
  seedAccount,
  seedApiKey,
  seedServiceId,
  seedUser,
  setSettings,
  tokenStack,
  type TokenDb,
} from './fixtures.js';

/** The grant rules, through the token service (the HTTP shape is covered in api.test.ts). */
describe('token grants', () => {
  const clock = manualClock(new Date());
  let store: TokenDb;
  let stack: Awaited<ReturnType<typeof tokenStack>>;
  let owner: Awaited<ReturnType<typeof seedAccount>>;

  beforeAll(async () => {
    store = await openTokenDb();
    stack = await tokenStack(store.db, clock);
    owner = await seedAccount(store.db, { login: 'jane@example.com' });
  });
  afterAll(async () => {
    await stack.close();
    await store.close();
  });

  /** The DomainError a grant fails with, as {messageCode, message, more}. */
  async function failure(form: Record<string, unknown>) {
    try {
      await stack.token.grant(form);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { kind: error.kind, code: error.code, messageCode: error.details.messageCode, message: error.message, more: error.details.more };
    }
    throw new Error('the grant succeeded');
  }

  /** Refresh tokens are written behind, within 10 ms. */
  const written = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('issues a user token with IBM claims and a refresh token', async () => {
    const key = await seedApiKey(store.db, { ...owner, ownerType: 'user' });
    const response = await stack.token.grant(apikeyForm(key.value));
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(response).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^[\w-]{43}$/),
      token_type: 'Bearer',
      expires_in: 3600,
      expiration: now + 3600,
      scope: 'ibm openid',
    });
    const { header, payload } = decodeJwt(response.access_token);
    expect(header).toEqual({ kid: stack.signingKeys.current().kid, alg: 'RS256' });
    expect(payload).toEqual({
      iam_id: owner.iamId,
      id: owner.iamId,
      realmid: 'IBMid',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      identifier: owner.iamId.slice('IBMid-'.length),
      given_name: 'Jane',
      family_name: 'Doe',
      name: 'Jane Doe',
      email: 'jane@example.com',
      sub: 'jane@example.com',
      account: { valid: true, bss: owner.accountId },
      iat: now,
      exp: now + 3600,
      iss: 'http://portcullis.test/identity',
      grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
      scope: 'ibm openid',
      client_id: 'default',
      acr: 1,
      amr: ['pwd'],
    });
    await written();
    const stored = await store.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hashSecret(response.refresh_token!)).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ iam_id: owner.iamId, account_id: owner.accountId, api_key_id: key.id, client_id: 'default' });
  });

  it('issues a service ID token with sub_type, authn and account.frozen', async () => {
    const sid = await seedServiceId(store.db, owner.accountId, 'ci-bot');
    const key = await seedApiKey(store.db, { iamId: sid.iamId, accountId: owner.accountId, ownerType: 'serviceid' });
    const { payload } = decodeJwt((await stack.token.grant(apikeyForm(key.value))).access_token);
    expect(payload).toMatchObject({
      iam_id: sid.iamId,
      id: sid.iamId,
      realmid: 'iam',
      identifier: sid.id,
      name: 'ci-bot',
      sub: sid.id,
      sub_type: 'ServiceId',
      authn: { sub: sid.id, iam_id: sid.iamId, sub_type: 'ServiceId', name: 'ci-bot' },
      account: { valid: true, bss: owner.accountId, frozen: true },
      client_id: 'default',
    });
    expect(payload).not.toHaveProperty('email');
  });

  it('takes lifetimes from the account settings; NOT_SET and unusable values take the defaults', async () => {
    const account = await seedAccount(store.db);
    const key = await seedApiKey(store.db, { ...account, ownerType: 'user' });
    await setSettings(store.db, account.accountId, {
      system_access_token_expiration_in_seconds: '900',
      system_refresh_token_expiration_in_seconds: '1800',
    });
    const short = await stack.token.grant(apikeyForm(key.value));
    expect(short.expires_in).toBe(900);
    await written();
    const row = await store.db.selectFrom('refresh_tokens').select('expires_at').where('token_hash', '=', hashSecret(short.refresh_token!)).executeTakeFirstOrThrow();
    expect(Date.parse(row.expires_at) - clock.now().getTime()).toBe(1800_000);

    await setSettings(store.db, account.accountId, { system_access_token_expiration_in_seconds: 'NOT_SET' });
    expect((await stack.token.grant(apikeyForm(key.value))).expires_in).toBe(3600);
    await setSettings(store.db, account.accountId, { system_access_token_expiration_in_seconds: '999999' });
    expect((await stack.token.grant(apikeyForm(key.value))).expires_in).toBe(3600);
  });

  it('refuses missing or unsupported properties with BXNIM0109E / BXNIM0106E', async () => {
    expect(await failure({})).toMatchObject({ messageCode: 'BXNIM0109E', message: expect.stringContaining('grant_type') });
    expect(await failure({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey' })).toMatchObject({
      messageCode: 'BXNIM0109E',
      message: expect.stringContaining('apikey'),
    });
    expect(await failure({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: '' })).toMatchObject({ messageCode: 'BXNIM0109E' });
    expect(await failure({ grant_type: 'password', username: 'a', password: 'b' })).toMatchObject({ messageCode: 'BXNIM0106E' });
    expect(await failure(apikeyForm('whatever', { response_type: 'delegated_refresh_token' }))).toMatchObject({
      messageCode: 'BXNIM0106E',
      message: expect.stringContaining('response_type'),
    });
    expect(await failure({ grant_type: 'refresh_token' })).toMatchObject({ messageCode: 'BXNIM0109E', message: expect.stringContaining('refresh_token') });
  });

  it('refuses unknown, disabled and expired API keys with BXNIM0415E saying why', async () => {
    expect(await failure(apikeyForm('no-such-key'))).toMatchObject({ kind: 'invalid', messageCode: 'BXNIM0415E', message: 'Provided API key could not be found.' });
    const disabled = await seedApiKey(store.db, { ...owner, ownerType: 'user' }, { disabled: true });
    expect(await failure(apikeyForm(disabled.value))).toMatchObject({ messageCode: 'BXNIM0415E', message: 'Provided API key is disabled.' });
    const expired = await seedApiKey(store.db, { ...owner, ownerType: 'user' }, { expiresAt: new Date(clock.now().getTime() - 1000).toISOString() });
    expect(await failure(apikeyForm(expired.value))).toMatchObject({ messageCode: 'BXNIM0415E', message: 'Provided API key has expired.' });
    const future = await seedApiKey(store.db, { ...owner, ownerType: 'user' }, { expiresAt: new Date(clock.now().getTime() + 60_000).toISOString() });
    await expect(stack.token.grant(apikeyForm(future.value))).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('refuses a locked key, and any key of a locked service ID, until unlocked (BXNIM0415E)', async () => {
    const sid = await seedServiceId(store.db, owner.accountId, 'locked-bot');
    const lockedKey = await seedApiKey(store.db, { iamId: sid.iamId, accountId: owner.accountId, ownerType: 'serviceid' }, { locked: true });
    expect(await failure(apikeyForm(lockedKey.value))).toMatchObject({ messageCode: 'BXNIM0415E', message: 'Provided API key is locked.' });

    const key = await seedApiKey(store.db, { iamId: sid.iamId, accountId: owner.accountId, ownerType: 'serviceid' });
    await store.db.updateTable('service_ids').set({ locked: 1 }).where('id', '=', sid.id).execute();
    expect(await failure(apikeyForm(key.value))).toMatchObject({ messageCode: 'BXNIM0415E', message: 'The service ID of the provided API key is locked.' });
    await store.db.updateTable('service_ids').set({ locked: 0 }).where('id', '=', sid.id).execute();
    await expect(stack.token.grant(apikeyForm(key.value))).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('refuses the key of a user no longer in the account (BXNIM0141E) or of a deleted service ID (BXNIM0415E)', async () => {
    const member = await seedUser(store.db, owner.accountId);
    const memberKey = await seedApiKey(store.db, { iamId: member.iamId, accountId: owner.accountId, ownerType: 'user' });
    await expect(stack.token.grant(apikeyForm(memberKey.value))).resolves.toBeDefined();
    await store.db.deleteFrom('account_users').where('iam_id', '=', member.iamId).execute();
    expect(await failure(apikeyForm(memberKey.value))).toMatchObject({ messageCode: 'BXNIM0141E' });

    const sid = await seedServiceId(store.db, owner.accountId, 'doomed');
    const sidKey = await seedApiKey(store.db, { iamId: sid.iamId, accountId: owner.accountId, ownerType: 'serviceid' });
    await store.db.deleteFrom('service_ids').where('id', '=', sid.id).execute();
    expect(await failure(apikeyForm(sidKey.value))).toMatchObject({ messageCode: 'BXNIM0415E' });
  });

  it('gives a user API key tokens only in the account it was created in, even where its user is an ACTIVE member', async () => {
    const other = await seedAccount(store.db);
    const key = await seedApiKey(store.db, { ...owner, ownerType: 'user' });
    const refused = { kind: 'invalid', code: 'apikey_other_account', messageCode: 'BXNIM0141E' };
    expect(await failure(apikeyForm(key.value, { account: other.accountId }))).toMatchObject(refused);
    await store.db.insertInto('account_users').values({ account_id: other.accountId, iam_id: owner.iamId, state: 'ACTIVE', added_on: new Date().toISOString() }).execute();
    expect(await failure(apikeyForm(key.value, { account: other.accountId }))).toMatchObject(refused);
    // Naming its own account is what omitting `account` does.
    const { payload } = decodeJwt((await stack.token.grant(apikeyForm(key.value, { account: owner.accountId }))).access_token);
    expect(payload.account).toEqual({ valid: true, bss: owner.accountId });
    // A key made for the user in the other account works there, and only there.
    const there = await seedApiKey(store.db, { iamId: owner.iamId, accountId: other.accountId, ownerType: 'user' });
    expect(decodeJwt((await stack.token.grant(apikeyForm(there.value))).access_token).payload.account).toEqual({ valid: true, bss: other.accountId });
    expect(await failure(apikeyForm(there.value, { account: owner.accountId }))).toMatchObject(refused);
  });

  it('refresh_token grant: new access and refresh tokens (rotation); a refresh token works once, and its reuse revokes the whole chain', async () => {
    const key = await seedApiKey(store.db, { ...owner, ownerType: 'user' });
    const first = await stack.token.grant(apikeyForm(key.value));
    clock.advance(60_000);
    const second = await stack.token.grant({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).payload).toMatchObject({ iam_id: owner.iamId, iat: decodeJwt(first.access_token).payload.iat as number + 60 });
    const third = await stack.token.grant({ grant_type: 'refresh_token', refresh_token: second.refresh_token });
    // The first token again (a stolen copy): refused, and every token descended from it with it.
    const reused = await failure({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reused).toMatchObject({ messageCode: 'BXNIM0407E' });
    expect(reused.more).toMatch(/already used/);
    const after = await failure({ grant_type: 'refresh_token', refresh_token: third.refresh_token });
    expect(after).toMatchObject({ messageCode: 'BXNIM0407E' });
    expect(after.more).toMatch(/revoked after one of them was reused/);
    // Another sign-in's chain is not affected.
    const other = await stack.token.grant(apikeyForm(key.value));
    await expect(stack.token.grant({ grant_type: 'refresh_token', refresh_token: other.refresh_token })).resolves.toBeDefined();
  });

  it('a refresh token presented concurrently is honoured exactly once', async () => {
    const key = await seedApiKey(store.db, { ...owner, ownerType: 'user' });
    const { refresh_token } = await stack.token.grant(apikeyForm(key.value));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => stack.token.grant({ grant_type: 'refresh_token', refresh_token })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses expired refresh tokens (BXNIM0408E), other clients, and identities no longer usable (BXNIM0407E)', async () => {
    const account = await seedAccount(store.db);
    await setSettings(store.db, account.accountId, { system_refresh_token_expiration_in_seconds: '900' });
    const key = await seedApiKey(store.db, { ...account, ownerType: 'user' });
    const old = await stack.token.grant(apikeyForm(key.value));
    clock.advance(901_000);
    expect(await failure({ grant_type: 'refresh_token', refresh_token: old.refresh_token })).toMatchObject({ messageCode: 'BXNIM0408E' });

    const fresh = await stack.token.grant(apikeyForm(key.value));
    await expect(stack.token.grant({ grant_type: 'refresh_token', refresh_token: fresh.refresh_token }, { clientId: 'bx', clientSecret: 'bx' })).rejects.toMatchObject({
      details: { messageCode: 'BXNIM0407E', more: 'It was issued to another client.' },
    });

    const again = await stack.token.grant(apikeyForm(key.value));
    await store.db.updateTable('api_keys').set({ disabled: 1 }).where('id', '=', key.id).execute();
    expect(await failure({ grant_type: 'refresh_token', refresh_token: again.refresh_token })).toMatchObject({
      messageCode: 'BXNIM0407E',
      more: 'The API key it was issued for is disabled.',
    });
  });

  it('records API-key activity behind the grant', async () => {
    const account = await seedAccount(store.db);
    const key = await seedApiKey(store.db, { ...account, ownerType: 'user' });
    for (let i = 0; i < 3; i++) await stack.token.grant(apikeyForm(key.value));
    const deadline = Date.now() + 3000;
    let row = await store.db.selectFrom('api_keys').select(['authn_count', 'last_authn']).where('id', '=', key.id).executeTakeFirstOrThrow();
    while (Number(row.authn_count) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      row = await store.db.selectFrom('api_keys').select(['authn_count', 'last_authn']).where('id', '=', key.id).executeTakeFirstOrThrow();
    }
    expect(Number(row.authn_count)).toBe(3);
    expect(row.last_authn).toBe(clock.now().toISOString());
  });
});
