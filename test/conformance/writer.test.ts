import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeFeed, type ChangeFeed } from '../../src/store/changes.js';
import { createWriter, type AuditEvent, type Write, type Writer } from '../../src/store/unit-of-work.js';
import type { Db } from '../../src/store/db.js';
import { at, openStore, type StoreFixture } from './support.js';
import { isUniqueViolation } from '../../src/store/conflicts.js';

let fixture: StoreFixture;
let db: Db;
let writer: Writer;
let feed: ChangeFeed;
const now = new Date('2025-02-03T04:05:06.789Z');

beforeAll(async () => {
  fixture = await openStore();
  db = fixture.database.db;
  writer = createWriter(db, () => now);
  feed = createChangeFeed(db);
});
afterAll(async () => fixture.close());

let seq = 0;
const uniqueId = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

/** Inserts an account and publishes its change and audit event, the way a service does. */
async function createAccount(w: Write, id = uniqueId('acct')) {
  await w.trx
    .insertInto('accounts')
    .values({ id, name: id, owner_iam_id: 'IBMid-owner', state: 'ACTIVE', created_at: at(), updated_at: at() })
    .execute();
  w.changed({ entity: 'account', entityId: id, accountId: id, op: 'create' });
  w.audit(auditOf(id));
  return id;
}

const auditOf = (id: string): Omit<AuditEvent, 'outcome'> => ({
  requestId: `req-${id}`,
  initiatorIamId: 'IBMid-owner',
  initiatorAccountId: null,
  accountId: id,
  action: 'account.create',
  targetType: 'account',
  targetId: id,
});

const count = async (table: 'accounts' | 'changes' | 'audit_events') =>
  Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

const snapshot = async () => ({
  head: await feed.head(),
  accounts: await count('accounts'),
  changes: await count('changes'),
  audit: await count('audit_events'),
});

describe('writer: all or nothing', () => {
  it('a throw inside write leaves no rows, no change rows and no audit rows, and rethrows that error', async () => {
    const before = await snapshot();
    const boom = new Error('boom');
    let written = '';
    await expect(
      writer.write(async (w) => {
        written = await createAccount(w);
        await createAccount(w);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await snapshot()).toEqual(before);
    expect(await db.selectFrom('accounts').select('id').where('id', '=', written).executeTakeFirst()).toBeUndefined();
  });

  it('a failing statement (constraint violation) rolls back the writes before it', async () => {
    const existing = (await writer.write((w) => createAccount(w))).value;
    const before = await snapshot();
    await expect(
      writer.write(async (w) => {
        await createAccount(w);
        await createAccount(w, existing); // duplicate primary key
      }),
    ).rejects.toSatisfy(isUniqueViolation);
    expect(await snapshot()).toEqual(before);
  });

  it('a committed write leaves its rows, its changes under one new revision, and its audit events', async () => {
    const before = await snapshot();
    const { value: id, revision } = await writer.write(async (w) => {
      const id = await createAccount(w);
      w.changed({ entity: 'user', entityId: `user-of-${id}`, accountId: id, op: 'update' });
      return id;
    });
    expect(revision).toBe(before.head + 1);
    expect(await feed.head()).toBe(revision);
    expect(await feed.since(before.head)).toEqual([
      { revision, entity: 'account', entityId: id, accountId: id, op: 'create' },
      { revision, entity: 'user', entityId: `user-of-${id}`, accountId: id, op: 'update' },
    ]);
    const audit = await db.selectFrom('audit_events').selectAll().where('target_id', '=', id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      at: now.toISOString(),
      request_id: `req-${id}`,
      initiator_iam_id: 'IBMid-owner',
      initiator_account_id: null,
      account_id: id,
      action: 'account.create',
      target_type: 'account',
      target_id: id,
      outcome: 'success',
    });
    expect(JSON.parse(audit[0]!.detail)).toEqual({});
    // The change rows carry the same instant as the audit event.
    const changeRows = await db.selectFrom('changes').select('at').where('revision', '=', revision).execute();
    expect(changeRows.map((r) => r.at)).toEqual([now.toISOString(), now.toISOString()]);
  });
});

describe('writer: revisions', () => {
  it('strictly increase and are consecutive across sequential writes', async () => {
    const start = await feed.head();
    const revisions: number[] = [];
    for (let i = 0; i < 5; i++) revisions.push((await writer.write((w) => createAccount(w))).revision);
    expect(revisions).toEqual([start + 1, start + 2, start + 3, start + 4, start + 5]);
    expect(await feed.head()).toBe(start + 5);
    expect((await feed.since(start)).map((c) => c.revision)).toEqual(revisions);
  });

  it('a write with no changes does not advance the head; it reports the current head', async () => {
    await writer.write((w) => createAccount(w));
    const before = await snapshot();
    const result = await writer.write(async (w) => {
      await w.trx.selectFrom('accounts').select('id').execute();
      return 'read only';
    });
    expect(result).toEqual({ value: 'read only', revision: before.head });
    expect(await snapshot()).toEqual(before);
  });

  it('audit events of a write with no feed changes are still recorded, without a new revision', async () => {
    const before = await snapshot();
    const id = uniqueId('audited');
    const { revision } = await writer.write(async (w) => w.audit(auditOf(id)));
    expect(revision).toBe(before.head);
    expect(await snapshot()).toEqual({ ...before, audit: before.audit + 1 });
  });

  it('a rolled-back write does not burn a revision', async () => {
    const start = await feed.head();
    await expect(
      writer.write(async (w) => {
        await createAccount(w);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const { revision } = await writer.write((w) => createAccount(w));
    expect(revision).toBe(start + 1);
  });

  it('auditFailure records a failure event with the reason, outside any write', async () => {
    const before = await snapshot();
    const id = uniqueId('refused');
    await writer.auditFailure({ ...auditOf(id), detail: { name: 'x' } }, 'forbidden');
    const rows = await db.selectFrom('audit_events').selectAll().where('target_id', '=', id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe('failure');
    expect(JSON.parse(rows[0]!.detail)).toEqual({ name: 'x', reason: 'forbidden' });
    expect(await feed.head()).toBe(before.head);
  });
});

describe('change feed: since', () => {
  it('returns whole revisions in (after, after + maxRevisions], in order', async () => {
    const start = await feed.head();
    for (let i = 0; i < 4; i++) {
      await writer.write(async (w) => {
        await createAccount(w);
        await createAccount(w);
      });
    }
    const two = await feed.since(start, 2);
    expect(two.map((c) => c.revision)).toEqual([start + 1, start + 1, start + 2, start + 2]);
    const rest = await feed.since(start + 2, 1000);
    expect(rest.map((c) => c.revision)).toEqual([start + 3, start + 3, start + 4, start + 4]);
    expect(await feed.since(start + 4)).toEqual([]);
  });
});
