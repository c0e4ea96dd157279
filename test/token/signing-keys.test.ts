import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { createWriter } from '../../src/store/unit-of-work.js';
import { createSigningKeys } from '../../src/token/signing-keys.js';
import { apikeyForm, decodeJwt, openTokenDb, seedAccount, seedApiKey, testKeyEncryption, tokenStack, type TokenDb } from './fixtures.js';

const HOUR = 3600_000;

describe('signing keys', () => {
  let store: TokenDb;
  beforeEach(async () => {
    store = await openTokenDb();
  });
  afterEach(async () => {
    await store.close();
  });

  const keysOf = (db = store.db) => db.selectFrom('signing_keys').selectAll().execute();

  it('creates one RS256 key on first start, with an IBM-style kid, published without "use"', async () => {
    const clock = manualClock(new Date('2025-03-04T05:06:07Z'));
    const keys = createSigningKeys({ db: store.db, writer: createWriter(store.db), clock, rotationSeconds: 86_400, keyEncryption: testKeyEncryption });
    await keys.start();
    keys.stop();
    const { kid } = keys.current();
    expect(kid).toMatch(/^202503040506-[0-9a-f]{8}$/);
    const jwks = keys.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toEqual({ kty: 'RSA', n: expect.any(String), e: 'AQAB', alg: 'RS256', kid });
    expect(Buffer.from(jwks.keys[0]!.n, 'base64url').length).toBe(256);
    expect(await keysOf()).toHaveLength(1);
  });

  it('two nodes starting at once create a single key and both sign with it', async () => {
    const clock = manualClock(new Date());
    const node = () => createSigningKeys({ db: store.db, writer: createWriter(store.db), clock, rotationSeconds: 86_400, keyEncryption: testKeyEncryption });
    const a = node();
    const b = node();
    await Promise.all([a.start(), b.start()]);
    a.stop();
    b.stop();
    expect(await keysOf()).toHaveLength(1);
    expect(a.current().kid).toBe(b.current().kid);
  });

  it('rotate(): new tokens carry the new kid, old tokens still verify, the old key leaves the JWKS after its tokens expire', async () => {
    const clock = manualClock(new Date());
    const stack = await tokenStack(store.db, clock);
    try {
      const owner = await seedAccount(store.db);
      const key = await seedApiKey(store.db, { ...owner, ownerType: 'user' });
      const before = await stack.token.grant(apikeyForm(key.value));
      const oldKid = decodeJwt(before.access_token).header.kid as string;

      await stack.signingKeys.rotate();
      const after = await stack.token.grant(apikeyForm(key.value));
      const newKid = decodeJwt(after.access_token).header.kid as string;
      expect(newKid).not.toBe(oldKid);
      expect(stack.signingKeys.jwks().keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
      await expect(stack.authenticator.authenticate(before.access_token)).resolves.toMatchObject({ iamId: owner.iamId });
      await expect(stack.authenticator.authenticate(after.access_token)).resolves.toMatchObject({ iamId: owner.iamId });

      // Still published just before the longest token signed by it has expired…
      clock.advance(HOUR - 1000);
      expect(stack.signingKeys.jwks().keys.map((k) => k.kid)).toContain(oldKid);
      // …and gone once it (and the one-period grace for other nodes) has passed.
      clock.advance(2 * 60_000);
      expect(stack.signingKeys.jwks().keys.map((k) => k.kid)).toEqual([newKid]);
      expect(stack.signingKeys.verificationKey(oldKid)).toBeUndefined();
      // Its row is deleted by the next rotation.
      await stack.signingKeys.rotate();
      expect((await keysOf()).map((k) => k.kid)).not.toContain(oldKid);
    } finally {
      await stack.close();
    }
  });

  it('a node learns of a key another node rotated to when it sees the unknown kid', async () => {
    const clock = manualClock(new Date());
    const a = await tokenStack(store.db, clock);
    const b = await tokenStack(store.db, clock);
    try {
      const owner = await seedAccount(store.db);
      const key = await seedApiKey(store.db, { ...owner, ownerType: 'user' });
      await a.signingKeys.rotate();
      const issuedByA = await a.token.grant(apikeyForm(key.value));
      const kid = decodeJwt(issuedByA.access_token).header.kid as string;
      expect(b.signingKeys.verificationKey(kid)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 1100)); // past the unknown-kid reload rate limit of b's start
      await expect(b.authenticator.authenticate(issuedByA.access_token)).resolves.toMatchObject({ iamId: owner.iamId });
      expect(b.signingKeys.jwks().keys.map((k) => k.kid)).toContain(kid);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('rotates on schedule: once the signing period has passed a new key signs', async () => {
    const clock = manualClock(new Date());
    const keys = createSigningKeys({ db: store.db, writer: createWriter(store.db), clock, rotationSeconds: 4, keyEncryption: testKeyEncryption });
    await keys.start();
    try {
      const first = keys.current().kid;
      clock.advance(5000);
      const deadline = Date.now() + 5000;
      while (keys.current().kid === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(keys.current().kid).not.toBe(first);
      expect(keys.jwks().keys.map((k) => k.kid)).toContain(first);
      expect(await keysOf()).toHaveLength(2);
    } finally {
      keys.stop();
    }
  });
});
