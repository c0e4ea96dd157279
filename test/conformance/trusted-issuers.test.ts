import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/kernel/errors.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { columnsOf, createIssuerStore, type IssuerStore } from '../../src/workload/store.js';
import type { TrustedIssuer } from '../../src/workload/types.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: IssuerStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createIssuerStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

let n = 0;
const issuer = (overrides: Partial<TrustedIssuer> = {}): TrustedIssuer => {
  n++;
  return {
    id: `TrustedIssuer-${n}`,
    accountId: 'acct-1',
    name: `issuer ${n}`,
    description: null,
    type: 'kubernetes',
    issuer: `https://k8s-${n}.example.com`,
    audiences: ['portcullis', 'other'],
    jwksUrl: `https://k8s-${n}.example.com/openid/v1/jwks`,
    jwks: null,
    algorithms: ['RS256'],
    maxClockSkewSeconds: 30,
    resourceCrn: null,
    createdBy: 'IBMid-1',
    createdAt: at(n),
    modifiedAt: at(n),
    entityTag: '1-a',
    ...overrides,
  };
};
const insert = (i: TrustedIssuer) => writer.write((w) => store.insertIssuer(w.trx, i));
const conflictOf = async (p: Promise<unknown>) => {
  const error = await p.then(() => undefined, (e: unknown) => e);
  return error instanceof DomainError ? error.kind : error;
};

describe('trusted issuer store', () => {
  it('round-trips every field, JSON columns included', async () => {
    const i = issuer({ jwksUrl: null, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'a' }] }, description: 'd', resourceCrn: 'crn:v1:x' });
    await insert(i);
    expect(await store.getIssuer(i.id)).toEqual(i);
    expect(await store.getIssuer('TrustedIssuer-none')).toBeUndefined();
  });

  it('keeps one issuer URL per account: a duplicate is a 409, also when writers race; another account may trust it too', async () => {
    const url = 'https://race.example.com';
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => insert(issuer({ issuer: url }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DomainError);
    expect(await conflictOf(insert(issuer({ issuer: url })))).toBe('conflict');
    await insert(issuer({ issuer: url, accountId: 'acct-2' }));
    const trusting = await store.issuersByUrl(url);
    expect(trusting.map((i) => i.accountId)).toEqual(['acct-1', 'acct-2']);
  });

  it('updates only while the tag matches, and refuses a URL another issuer of the account has', async () => {
    const a = issuer();
    const b = issuer();
    await insert(a);
    await insert(b);
    const changed = { ...a, name: 'renamed', audiences: ['z'], modifiedAt: at(99), entityTag: '2-b' };
    expect((await writer.write((w) => store.updateIssuer(w.trx, a.id, '9-stale', columnsOf(changed)))).value).toBe(false);
    expect((await writer.write((w) => store.updateIssuer(w.trx, a.id, '1-a', columnsOf(changed)))).value).toBe(true);
    expect(await store.getIssuer(a.id)).toEqual(changed);
    expect((await writer.write((w) => store.updateIssuer(w.trx, a.id, undefined, columnsOf({ ...changed, entityTag: '3-c' })))).value).toBe(true);
    expect(await conflictOf(writer.write((w) => store.updateIssuer(w.trx, a.id, undefined, columnsOf({ ...changed, issuer: b.issuer }))))).toBe('conflict');
    expect((await store.getIssuer(a.id))?.issuer).toBe(a.issuer);
  });

  it('lists an account\'s issuers oldest first, and deletes once', async () => {
    const listed = await store.listIssuers('acct-1');
    expect(listed.map((i) => i.createdAt)).toEqual([...listed.map((i) => i.createdAt)].sort());
    expect(listed.every((i) => i.accountId === 'acct-1')).toBe(true);
    const id = listed[0]!.id;
    expect((await writer.write((w) => store.deleteIssuer(w.trx, id))).value).toBe(true);
    expect((await writer.write((w) => store.deleteIssuer(w.trx, id))).value).toBe(false);
    expect(await store.getIssuer(id)).toBeUndefined();
  });
});
