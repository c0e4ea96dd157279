import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeFeed, followFeed, type ChangeRecord } from '../../src/store/changes.js';
import { createWriter, type Write } from '../../src/store/unit-of-work.js';
import type { Database } from '../../src/store/db.js';
import { at, openStore, type StoreFixture } from './support.js';

// 50 parallel writes per connection; on PostgreSQL they really overlap through the pool (10
// connections each) and contend on the feed_head row lock. SQLite runs them one writer at a time.
const PARALLEL = 50;

let fixture: StoreFixture;
beforeAll(async () => {
  fixture = await openStore();
});
afterAll(async () => fixture.close());

let seq = 0;
async function insertServiceId(w: Write, tag: string) {
  const id = `ServiceId-${tag}-${++seq}`;
  await w.trx
    .insertInto('service_ids')
    .values({
      id,
      iam_id: `iam-${id}`,
      account_id: 'acct',
      name: id,
      description: null,
      group_id: null,
      unique_instance_crns: '[]',
      locked: 0,
      created_by: 'test',
      created_at: at(),
      modified_at: at(),
      entity_tag: '1-x',
    })
    .execute();
  w.changed({ entity: 'serviceid', entityId: id, accountId: 'acct', op: 'create' });
  return id;
}

/** Consecutive integers from `from` + 1, `n` of them. */
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i + 1);

describe('concurrent writes', () => {
  beforeAll(async () => {
    await fixture.database.db
      .insertInto('accounts')
      .values({ id: 'acct', name: 'acct', owner_iam_id: 'IBMid-o', state: 'ACTIVE', created_at: at(), updated_at: at() })
      .execute();
  });

  it(`${PARALLEL} parallel writes get consecutive revisions, no gaps, no duplicates; a follower sees every change once, in order`, async () => {
    const { db } = fixture.database;
    const writer = createWriter(db);
    // The follower reads through its own connection, like another process would.
    const follower = fixture.reopen();
    const feed = createChangeFeed(follower.db);
    const start = await feed.head();
    const seen: ChangeRecord[] = [];
    const following = followFeed(feed, start, (batch) => void seen.push(...batch), 2);
    try {
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, async (_, i) =>
          writer.write(async (w) => {
            const a = await insertServiceId(w, `p${i}`);
            // Two changes per write: both must land under the one revision.
            w.changed({ entity: 'serviceid', entityId: `${a}/again`, accountId: 'acct', op: 'update' });
            return a;
          }),
        ),
      );
      const revisions = results.map((r) => r.revision).sort((a, b) => a - b);
      expect(revisions).toEqual(range(start, PARALLEL));
      expect(await feed.head()).toBe(start + PARALLEL);

      await following.waitFor(start + PARALLEL, 10_000);
      // Exactly once, in revision order, nothing from before the start.
      expect(seen).toHaveLength(2 * PARALLEL);
      expect(seen.map((c) => c.revision)).toEqual(range(start, PARALLEL).flatMap((r) => [r, r]));
      const byRevision = new Map(results.map((r) => [r.revision, r.value]));
      for (let i = 0; i < seen.length; i += 2) {
        const id = byRevision.get(seen[i]!.revision)!;
        expect([seen[i]!.entityId, seen[i + 1]!.entityId]).toEqual([id, `${id}/again`]);
      }
    } finally {
      following.stop();
    }
  });

  // PostgreSQL is shared by many processes: write through two pools at once. SQLite is one process's
  // embedded database (better-sqlite3 is synchronous, so a second in-process connection waiting on the
  // lock would block the very event loop that must release it): one connection there.
  it('writes from every pool interleave without gaps, and refused writes burn no revision', async () => {
    const pools: Database[] = fixture.test.dialect === 'postgres' ? [fixture.database, fixture.reopen()] : [fixture.database];
    const writers = pools.map((p) => createWriter(p.db));
    const feed = createChangeFeed(fixture.database.db);
    const start = await feed.head();
    const outcomes = await Promise.allSettled(
      Array.from({ length: PARALLEL }, async (_, i) =>
        writers[i % writers.length]!.write(async (w) => {
          const id = await insertServiceId(w, `two${i}`);
          if (i % 5 === 0) throw new Error(`refused ${i}`); // rolled back
          if (i % 7 === 0) w.changed({ entity: 'serviceid', entityId: `${id}/x`, accountId: 'acct', op: 'update' });
          return id;
        }),
      ),
    );
    const committed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failed = outcomes.filter((o) => o.status === 'rejected');
    expect(failed).toHaveLength(PARALLEL / 5);
    expect(failed.every((o) => /refused/.test(String((o as PromiseRejectedResult).reason)))).toBe(true);
    expect(committed.map((c) => c.revision).sort((a, b) => a - b)).toEqual(range(start, committed.length));
    const changes = await feed.since(start);
    expect([...new Set(changes.map((c) => c.revision))]).toEqual(range(start, committed.length));
    // Every committed write's rows are there; none of the refused writes' rows are.
    const ids = await fixture.database.db.selectFrom('service_ids').select('id').where('id', 'like', 'ServiceId-two%').execute();
    expect(ids.map((r) => r.id).sort()).toEqual(committed.map((c) => c.value).sort());
    for (const c of committed) {
      expect(changes.filter((x) => x.revision === c.revision).map((x) => x.entityId)[0]).toBe(c.value);
    }
  });
});
