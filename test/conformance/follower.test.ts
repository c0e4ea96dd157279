import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChangeFeed, followFeed, type ChangeFeed, type ChangeRecord, type FeedFollower } from '../../src/store/changes.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let writer: Writer;
let feed: ChangeFeed;
const followers: FeedFollower[] = [];
const NEVER = 60_000; // a poll interval no test waits for: only pokes and waitFor drive these followers

beforeAll(async () => {
  fixture = await openStore();
  writer = createWriter(fixture.database.db);
  feed = createChangeFeed(fixture.database.db);
});
afterEach(() => {
  for (const f of followers.splice(0)) f.stop();
});
afterAll(async () => fixture.close());

let seq = 0;
/** Commits one write with one change; returns its revision. */
const commit = async (entity = 'thing') => (await writer.write(async (w) => w.changed({ entity, entityId: `e${++seq}`, accountId: null, op: 'create' }))).revision;

function follow(start: number, apply: (batch: ChangeRecord[]) => Promise<void> | void, pollMs = NEVER, source = feed) {
  const f = followFeed(source, start, apply, pollMs);
  followers.push(f);
  return f;
}

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

describe('followFeed', () => {
  it('delivers only changes after its start revision, each once and in order', async () => {
    const before = await commit();
    const r1 = await commit();
    const r2 = await commit();
    const seen: number[] = [];
    const f = follow(before, (batch) => void seen.push(...batch.map((c) => c.revision)), 5);
    await f.waitFor(r2);
    const r3 = await commit();
    await f.waitFor(r3);
    await new Promise((resolve) => setTimeout(resolve, 30)); // a few more polls deliver nothing again
    expect(seen).toEqual([r1, r2, r3]);
    expect(f.revision).toBe(r3);
  });

  it('waitFor resolves only after apply has finished with that revision (it pokes; no poll needed)', async () => {
    const start = await feed.head();
    const r = await commit();
    const applied: number[] = [];
    const f = follow(start, async (batch) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      applied.push(...batch.map((c) => c.revision));
    });
    const t0 = Date.now();
    await f.waitFor(r, 5000);
    expect(applied).toContain(r);
    expect(f.revision).toBe(r);
    expect(Date.now() - t0).toBeLessThan(NEVER / 2);
  });

  it('waitFor resolves at once for a revision already applied', async () => {
    const r = await commit();
    const f = follow(r, () => undefined);
    await expect(f.waitFor(r, 1)).resolves.toBeUndefined();
    await expect(f.waitFor(r - 1, 1)).resolves.toBeUndefined();
  });

  it('waitFor rejects on timeout when the revision never comes, and the follower keeps working', async () => {
    const head = await feed.head();
    const f = follow(head, () => undefined, 5);
    const t0 = Date.now();
    await expect(f.waitFor(head + 1000, 100)).rejects.toThrow(`revision ${head + 1000} not reached within 100 ms`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    const r = await commit();
    await f.waitFor(r, 5000);
  });

  it('a poke that arrives while a pull is running is not lost', async () => {
    // The pull reads the feed, then (held by the gate) hands back its empty result only after the
    // change has committed and waitFor has poked. The follower must pull again at once, not after a poll.
    const start = await feed.head();
    const held = gate();
    let reads = 0;
    const slowFeed: ChangeFeed = {
      head: () => feed.head(),
      async since(after, max) {
        const rows = await feed.since(after, max);
        if (++reads === 1) await held.opened;
        return rows;
      },
    };
    const f = follow(start, () => undefined, NEVER, slowFeed);
    f.poke(); // first pull: reads nothing, then waits at the gate
    await new Promise((resolve) => setTimeout(resolve, 20));
    const r = await commit();
    const waiting = f.waitFor(r, 2000);
    held.open();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('when apply throws, the batch is delivered again and the revision does not advance past it', async () => {
    const start = await feed.head();
    const r = await commit();
    const deliveries: number[][] = [];
    let failures = 1;
    const f = follow(
      start,
      (batch) => {
        deliveries.push(batch.map((c) => c.revision));
        if (failures-- > 0) throw new Error('snapshot busy');
      },
      5,
    );
    await f.waitFor(r, 5000);
    expect(deliveries.slice(0, 2)).toEqual([[r], [r]]);
    expect(f.revision).toBe(r);
  });

  it('a waitFor timeout names the error that keeps apply from advancing', async () => {
    const start = await feed.head();
    const r = await commit();
    const f = follow(start, () => {
      throw new Error('index corrupt');
    }, 5);
    await expect(f.waitFor(r, 150)).rejects.toThrow(/not reached within 150 ms.*index corrupt/);
    expect(f.revision).toBe(start);
  });

  it('stop: no apply starts afterwards, and pending waitFors reject at once', async () => {
    const start = await feed.head();
    let calls = 0;
    const f = follow(start, () => void calls++, 5);
    const pending = f.waitFor(start + 1000, 10_000);
    f.stop();
    await expect(pending).rejects.toThrow(/stopped/);
    const before = calls;
    await commit();
    await new Promise((resolve) => setTimeout(resolve, 40));
    f.poke();
    expect(calls).toBe(before);
    await expect(f.waitFor(start + 1000, 10)).rejects.toThrow(/stopped/);
  });
});
