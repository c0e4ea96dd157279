import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeFeed, type ChangeFeed } from '../../src/store/changes.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { openStore, type StoreFixture } from './support.js';

/** The change feed's reads (store/changes.ts); following it is in follower.test.ts, writing it in writer.test.ts. */

let fixture: StoreFixture;
let feed: ChangeFeed;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  feed = createChangeFeed(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

/** Commits one write publishing `n` changes (entity ids e<revision-local index>); returns its revision. */
const publish = (n: number, tag: string) =>
  writer
    .write(async (w) => {
      for (let i = 0; i < n; i++) w.changed({ entity: 'test', entityId: `${tag}-${i}`, accountId: i % 2 ? null : 'acct', op: 'update' });
    })
    .then((c) => c.revision);

describe('change feed', () => {
  it('head is 0 on a freshly migrated database, and since(0) is empty', async () => {
    expect(await feed.head()).toBe(0);
    expect(await feed.since(0)).toEqual([]);
  });

  it('since(after, max) returns whole revisions in (after, after + max], rows of a revision in publishing order', async () => {
    const r1 = await publish(3, 'a');
    const r2 = await publish(1, 'b');
    const r3 = await publish(2, 'c');
    expect(await feed.head()).toBe(r3);
    expect([r2, r3]).toEqual([r1 + 1, r1 + 2]);
    const window = await feed.since(r1 - 1, 2);
    expect(window.map((c) => `${c.revision}:${c.entityId}`)).toEqual([`${r1}:a-0`, `${r1}:a-1`, `${r1}:a-2`, `${r2}:b-0`]);
    expect(window[1]).toEqual({ revision: r1, entity: 'test', entityId: 'a-1', accountId: null, op: 'update' });
    expect((await feed.since(r2)).map((c) => c.entityId)).toEqual(['c-0', 'c-1']);
    expect(await feed.since(r3)).toEqual([]);
  });
});
