import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import {
  apikeyForm,
  decodeJwt,
  foreignToken,
  openTokenDb,
  reencode,
  seedAccount,
  seedApiKey,
  seedServiceId,
  seedUser,
  tokenStack,
  type TokenDb,
} from './fixtures.js';

/** The bearer-token Authenticator, directly (the HTTP 401s are in api.test.ts). */
describe('bearer token authentication', () => {
  const clock = manualClock(new Date());
  let store: TokenDb;
  let stack: Awaited<ReturnType<typeof tokenStack>>;
  let owner: Awaited<ReturnType<typeof seedAccount>>;
  let token: string;

  beforeAll(async () => {
    store = await openTokenDb();
    stack = await tokenStack(store.db, clock);
    owner = await seedAccount(store.db);
    const key = await seedApiKey(store.db, { ...owner, ownerType: 'user' });
    token = (await stack.token.grant(apikeyForm(key.value))).access_token;
  });
  afterAll(async () => {
    await stack.close();
    await store.close();
  });

  const refusal = (jwt: string) => stack.authenticator.authenticate(jwt).then(
    () => undefined,
    (error: { kind?: string; message: string }) => ({ kind: error.kind, message: error.message }),
  );

  it('accepts a token it issued and returns the principal', async () => {
    await expect(stack.authenticator.authenticate(token)).resolves.toEqual({
      iamId: owner.iamId,
      kind: 'user',
      accountId: owner.accountId,
      name: 'Jane Doe',
    });
  });

  it('refuses a tampered payload or signature, also once the genuine token is cached', async () => {
    // Verified tokens are cached by their signature's tail: a forgery that keeps the signature must still be refused.
    await stack.authenticator.authenticate(token);
    const { payload } = decodeJwt(token);
    expect(await refusal(reencode(token, { payload: { ...payload, iam_id: 'IBMid-EVIL000000' } }))).toEqual({
      kind: 'unauthenticated',
      message: 'The access token signature is invalid.',
    });
    const signature = token.split('.')[2]!;
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect(await refusal(reencode(token, { signature: flipped }))).toMatchObject({ kind: 'unauthenticated' });
  });

  it('refuses alg none and HS256 signed with the public key', async () => {
    const { header, payload } = decodeJwt(token);
    expect(await refusal(reencode(token, { header: { ...header, alg: 'none' }, signature: '' }))).toEqual({
      kind: 'unauthenticated',
      message: 'The access token must be signed with RS256.',
    });
    const jwk = stack.signingKeys.jwks().keys[0]!;
    for (const secret of [JSON.stringify(jwk), jwk.n]) {
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ kid: jwk.kid, alg: 'HS256' })
        .sign(new TextEncoder().encode(secret));
      expect(await refusal(forged)).toEqual({ kind: 'unauthenticated', message: 'The access token must be signed with RS256.' });
    }
  });

  it('refuses a token signed by another RSA key, with an unknown or a known kid', async () => {
    const { payload } = decodeJwt(token);
    const unknown = await foreignToken('202001010000-deadbeef', payload);
    expect(await refusal(unknown.jwt)).toEqual({ kind: 'unauthenticated', message: 'The access token was signed with an unknown key.' });
    const known = await foreignToken(stack.signingKeys.current().kid, payload);
    expect(await refusal(known.jwt)).toEqual({ kind: 'unauthenticated', message: 'The access token signature is invalid.' });
  });

  it('refuses an expired token, a wrong issuer, a token without kid, and garbage', async () => {
    const { payload } = decodeJwt(token);
    const { kid, key } = stack.signingKeys.current();
    const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = { kid, alg: 'RS256' }) =>
      new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(await refusal(await sign({ ...payload, iat: now - 7200, exp: now - 3600 }))).toEqual({
      kind: 'unauthenticated',
      message: 'The access token is expired.',
    });
    expect(await refusal(await sign({ ...payload, iss: 'https://iam.cloud.ibm.com/identity' }))).toEqual({
      kind: 'unauthenticated',
      message: 'The access token was not issued by this server.',
    });
    expect(await refusal(await sign(payload, { alg: 'RS256' }))).toMatchObject({ message: 'The access token header has no kid.' });
    expect(await refusal(await sign({ ...payload, iat: now + 3600, exp: now + 7200 }))).toMatchObject({ message: 'The access token is issued in the future.' });
    expect(await refusal('not-a-jwt')).toEqual({ kind: 'unauthenticated', message: 'The access token is malformed.' });
  });

  it('an issued token expires with the clock', async () => {
    const key = await seedApiKey(store.db, { ...owner, ownerType: 'user' });
    const fresh = (await stack.token.grant(apikeyForm(key.value))).access_token;
    const local = manualClock(clock.now());
    const later = await tokenStack(store.db, local);
    try {
      await expect(later.authenticator.authenticate(fresh)).resolves.toBeDefined();
      local.advance(3600_000);
      expect(await later.authenticator.authenticate(fresh).catch((e: Error) => e.message)).toBe('The access token is expired.');
    } finally {
      await later.close();
    }
  });

  it('refuses the token of a deleted service ID and of a user removed from the account, after at most the cache period', async () => {
    const sid = await seedServiceId(store.db, owner.accountId);
    const sidKey = await seedApiKey(store.db, { iamId: sid.iamId, accountId: owner.accountId, ownerType: 'serviceid' });
    const sidToken = (await stack.token.grant(apikeyForm(sidKey.value))).access_token;
    const member = await seedUser(store.db, owner.accountId);
    const memberKey = await seedApiKey(store.db, { iamId: member.iamId, accountId: owner.accountId, ownerType: 'user' });
    const memberToken = (await stack.token.grant(apikeyForm(memberKey.value))).access_token;
    await expect(stack.authenticator.authenticate(sidToken)).resolves.toMatchObject({ kind: 'serviceid', iamId: sid.iamId, name: sid.name });
    await expect(stack.authenticator.authenticate(memberToken)).resolves.toMatchObject({ kind: 'user' });

    // A locked service ID's tokens stop working until it is unlocked.
    await store.db.updateTable('service_ids').set({ locked: 1 }).where('id', '=', sid.id).execute();
    clock.advance(1001);
    expect(await refusal(sidToken)).toEqual({ kind: 'unauthenticated', message: 'The service ID of the access token is locked.' });
    await store.db.updateTable('service_ids').set({ locked: 0 }).where('id', '=', sid.id).execute();
    await expect(stack.authenticator.authenticate(sidToken)).resolves.toBeDefined();

    await store.db.deleteFrom('service_ids').where('id', '=', sid.id).execute();
    await store.db.deleteFrom('account_users').where('iam_id', '=', member.iamId).execute();
    clock.advance(1001);
    expect(await refusal(sidToken)).toEqual({ kind: 'unauthenticated', message: 'The service ID of the access token no longer exists.' });
    expect(await refusal(memberToken)).toEqual({
      kind: 'unauthenticated',
      message: 'The user of the access token is no longer a member of its account.',
    });
  });
});
