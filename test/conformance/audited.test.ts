import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authorizer } from '../../src/kernel/authorizer.js';
import { DomainError, forbidden } from '../../src/kernel/errors.js';
import type { Actor } from '../../src/kernel/principal.js';
import { createAudited, type Audited, type AuditSubject } from '../../src/store/audited.js';
import type { Db } from '../../src/store/db.js';
import { createWriter } from '../../src/store/unit-of-work.js';
import { openStore, type StoreFixture } from './support.js';

/** The one audited mutation (store/audited.ts): success and failure events, none when the database is unavailable. */

let fixture: StoreFixture;
let db: Db;
let audited: Audited;

/** Allows everything except the action `x.refused`. */
const authorizer: Authorizer = {
  async authorize(_principal, action) {
    if (action === 'x.refused') throw forbidden();
  },
};

beforeAll(async () => {
  fixture = await openStore();
  db = fixture.database.db;
  audited = createAudited({ writer: createWriter(db), authorizer });
});
afterAll(async () => fixture.close());

let seq = 0;
const actor = (): Actor => ({
  principal: { iamId: 'IBMid-auditor', kind: 'user', accountId: 'acct-audited', name: 'auditor' },
  requestId: `req-audited-${process.pid}-${++seq}`,
});
const subject = (targetId: string): AuditSubject => ({ action: 'x.update', targetType: 'thing', targetId, accountId: 'acct-audited' });
const eventsOf = (a: Actor) => db.selectFrom('audit_events').selectAll().where('request_id', '=', a.requestId).execute();

describe('audited mutation', () => {
  it('records the success event with the commit, with the subject filled in by the run', async () => {
    const a = actor();
    const s = subject('');
    const value = await audited(a, s, async (commit, { authorize }) => {
      await authorize('x.update', { accountId: 'acct-audited', serviceName: 'x' });
      return commit(async () => {
        s.targetId = 'thing-1';
        return 42;
      }, (v) => ({ value: v }));
    });
    expect(value).toBe(42);
    const rows = await eventsOf(a);
    expect(rows.map((r) => [r.action, r.target_id, r.outcome, JSON.parse(r.detail)])).toEqual([['x.update', 'thing-1', 'success', { value: 42 }]]);
  });

  it('hands each committed write\'s revision to afterCommit before returning, and none for a write that fails', async () => {
    const revisions: number[] = [];
    const waiting = createAudited({ writer: createWriter(db), authorizer, afterCommit: async (revision) => void revisions.push(revision) });
    const a = actor();
    await waiting(a, subject('thing-after'), (commit) =>
      commit(async (w) => w.changed({ entity: 'thing', entityId: 'thing-after', accountId: 'acct-audited', op: 'create' })),
    );
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toBeGreaterThan(0);
    const failing = waiting(a, subject('thing-after-2'), (commit) =>
      commit(async () => {
        throw new Error('write failed');
      }),
    );
    await expect(failing).rejects.toThrow('write failed');
    expect(revisions).toHaveLength(1);
  });

  it('records a failure event with the code of a refused authorization, and rethrows the refusal', async () => {
    const a = actor();
    const refusal = audited(a, subject('thing-2'), async (commit, { authorize }) => {
      await authorize('x.refused', { accountId: 'acct-audited', serviceName: 'x' });
      return commit(async () => 'never');
    });
    await expect(refusal).rejects.toMatchObject({ kind: 'forbidden' });
    const rows = await eventsOf(a);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'x.update', target_id: 'thing-2', outcome: 'failure', initiator_iam_id: 'IBMid-auditor' });
    expect(JSON.parse(rows[0]!.detail).reason).toMatch(/^insufficent_permissions: /);
  });

  it('a write that fails leaves only the failure event, with the failure code', async () => {
    const a = actor();
    const failing = audited(a, subject('thing-3'), (commit) =>
      commit(async (w) => {
        w.changed({ entity: 'thing', entityId: 'thing-3', accountId: 'acct-audited', op: 'create' });
        throw new DomainError('conflict', 'thing_conflict', 'Taken.');
      }),
    );
    await expect(failing).rejects.toMatchObject({ code: 'thing_conflict' });
    const rows = await eventsOf(a);
    expect(rows.map((r) => [r.outcome, JSON.parse(r.detail).reason])).toEqual([['failure', 'thing_conflict: Taken.']]);
  });

  it('records no failure event when the database is unavailable (a typed unavailable error or a busy database)', async () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const unavailable = new DomainError('unavailable', 'service_unavailable', 'Try again later.');
    for (const error of [unavailable, busy]) {
      const a = actor();
      await expect(audited(a, subject('thing-4'), async () => { throw error; })).rejects.toBe(error);
      expect(await eventsOf(a)).toEqual([]);
    }
  });
});
