import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/kernel/errors.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { columnsOf, createFederationStore, type FederationStore } from '../../src/federation/store.js';
import { DEFAULT_CLAIM_MAPPING, type IdentityProvider } from '../../src/federation/types.js';
import { at, openStore, type StoreFixture } from './support.js';

/** The contracts of src/federation/store.ts, on the suite's database. */

let fixture: StoreFixture;
let store: FederationStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createFederationStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

let n = 0;
const idp = (overrides: Partial<IdentityProvider> = {}): IdentityProvider => {
  n++;
  return {
    id: `IdP-${n}`,
    accountId: 'acct-1',
    name: `idp ${n}`,
    description: null,
    protocol: 'oidc',
    issuer: `https://idp-${n}.example.com`,
    ssoUrl: null,
    certificates: [],
    nameIdFormat: null,
    clientId: 'client',
    hasClientSecret: true,
    scopes: ['openid'],
    claimMapping: DEFAULT_CLAIM_MAPPING,
    createdBy: 'IBMid-1',
    createdAt: at(n),
    modifiedAt: at(n),
    entityTag: '1-a',
    ...overrides,
  };
};

const write = <T>(fn: Parameters<Writer['write']>[0] extends (w: infer W) => Promise<unknown> ? (w: W) => Promise<T> : never) => writer.write(fn).then((c) => c.value);

describe('federation store', () => {
  it('stores an IdP with its sealed secret and refuses a second with the same issuer in one account (409)', async () => {
    const first = idp();
    await write((w) => store.insertIdp(w.trx, first, 'sealed-secret'));
    expect(await store.getIdp(first.id)).toEqual({ idp: first, sealedSecret: 'sealed-secret' });
    const twin = idp({ issuer: first.issuer });
    await expect(write((w) => store.insertIdp(w.trx, twin, null))).rejects.toMatchObject({ kind: 'conflict' });
    // Another account may trust the same IdP.
    await write((w) => store.insertIdp(w.trx, idp({ issuer: first.issuer, accountId: 'acct-2' }), null));
    expect((await store.listIdps('acct-1')).map((i) => i.id)).toContain(first.id);
  });

  it('updates only while the tag matches, and maps a taken issuer to a conflict', async () => {
    const a = idp();
    const b = idp();
    await write(async (w) => {
      await store.insertIdp(w.trx, a, null);
      await store.insertIdp(w.trx, b, null);
    });
    const renamed = { ...a, name: 'renamed', entityTag: '2-b' };
    expect(await write((w) => store.updateIdp(w.trx, a.id, 'stale', columnsOf(renamed, null)))).toBe(false);
    expect(await write((w) => store.updateIdp(w.trx, a.id, a.entityTag, columnsOf(renamed, null)))).toBe(true);
    expect((await store.getIdp(a.id))?.idp.name).toBe('renamed');
    const error = await write((w) => store.updateIdp(w.trx, b.id, undefined, columnsOf({ ...b, issuer: a.issuer }, null))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(await write((w) => store.deleteIdp(w.trx, b.id))).toBe(true);
    expect(await write((w) => store.deleteIdp(w.trx, b.id))).toBe(false);
  });

  it('spends a pending request once, only for its IdP and before it expires, also between racing takers', async () => {
    const now = at(100);
    const request = { id: 'state-1', idpId: 'IdP-x', nonce: 'n', sealedVerifier: 'v', createdAt: now, expiresAt: at(200) };
    await write((w) => store.putRequest(w.trx, request));
    expect(await store.peekRequest('IdP-other', 'state-1', now)).toBeUndefined();
    expect(await store.peekRequest('IdP-x', 'state-1', at(200))).toBeUndefined();
    expect(await store.peekRequest('IdP-x', 'state-1', now)).toEqual(request);
    expect(await write((w) => store.takeRequest(w.trx, 'IdP-other', 'state-1', now))).toBe(false);
    const taken = await Promise.all([0, 1, 2].map(() => write((w) => store.takeRequest(w.trx, 'IdP-x', 'state-1', now))));
    expect(taken.filter(Boolean)).toHaveLength(1);
    // Expired requests are purged by the next put.
    await write((w) => store.putRequest(w.trx, { ...request, id: 'state-2', createdAt: at(300), expiresAt: at(400) }));
    await write((w) => store.putRequest(w.trx, { ...request, id: 'state-3', createdAt: at(500), expiresAt: at(600) }));
    const left = await fixture.database.db.selectFrom('federation_requests').select('id').where('idp_id', '=', 'IdP-x').execute();
    expect(left.map((r) => r.id)).toEqual(['state-3']);
  });

  it('accepts an assertion id once per IdP until it expires', async () => {
    expect(await write((w) => store.acceptAssertion(w.trx, 'IdP-y', 'A-1', at(100), at(200)))).toBe(true);
    expect(await store.assertionSeen('IdP-y', 'A-1', at(150))).toBe(true);
    const racing = await Promise.all([0, 1].map(() => write((w) => store.acceptAssertion(w.trx, 'IdP-y', 'A-1', at(150), at(200)))));
    expect(racing).toEqual([false, false]);
    expect(await write((w) => store.acceptAssertion(w.trx, 'IdP-z', 'A-1', at(150), at(200)))).toBe(true);
    // Expired: purged, the id is free again.
    expect(await store.assertionSeen('IdP-y', 'A-1', at(200))).toBe(false);
    expect(await write((w) => store.acceptAssertion(w.trx, 'IdP-y', 'A-1', at(250), at(300)))).toBe(true);
  });

  it('spends a ticket once and not after it expired', async () => {
    const ticket = { idpId: 'IdP-t', accountId: 'acct-1', subject: 's', memberIamId: null, claims: { groups: ['a'] }, authn: '{}', createdAt: at(100), expiresAt: at(200) };
    await write((w) => store.putTicket(w.trx, 'hash-1', ticket));
    await write((w) => store.putTicket(w.trx, 'hash-2', ticket));
    expect(await store.peekTicket('hash-1', at(150))).toEqual(ticket);
    expect(await store.peekTicket('hash-1', at(200))).toBeUndefined();
    const taken = await Promise.all([0, 1].map(() => write((w) => store.takeTicket(w.trx, 'hash-1', at(150)))));
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await write((w) => store.takeTicket(w.trx, 'hash-2', at(200)))).toBe(false);
  });
});
