import type { Db } from './db.js';

export interface ChangeRecord {
  revision: number;
  entity: string;
  entityId: string;
  accountId: string | null;
  op: string;
}

/** Reads the change feed: the head revision, and everything committed after a revision. */
export interface ChangeFeed {
  head(): Promise<number>;
  /**
   * Changes with revision in (`after`, `after + maxRevisions`], in order. Revisions are consecutive
   * integers and a revision's rows commit together, so a batch never splits a revision.
   */
  since(after: number, maxRevisions?: number): Promise<ChangeRecord[]>;
}

export function createChangeFeed(db: Db): ChangeFeed {
  return {
    async head() {
      const row = await db.selectFrom('feed_head').select('revision').where('id', '=', 1).executeTakeFirstOrThrow();
      return Number(row.revision);
    },
    async since(after, maxRevisions = 1000) {
      const rows = await db
        .selectFrom('changes')
        .select(['revision', 'entity', 'entity_id', 'account_id', 'op'])
        .where('revision', '>', after)
        .where('revision', '<=', after + maxRevisions)
        .orderBy('revision')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        revision: Number(r.revision),
        entity: r.entity,
        entityId: r.entity_id,
        accountId: r.account_id,
        op: r.op,
      }));
    },
  };
}

/**
 * Follows the feed: polls for changes after the last revision seen and hands each batch to
 * `apply`, in order. `waitFor(revision)` resolves once that revision has been applied (read-your-
 * writes for callers that name a minimum revision). PostgreSQL deployments can call `poke()` on a
 * LISTEN/NOTIFY wake-up; polling remains the fallback.
 */
export interface FeedFollower {
  readonly revision: number;
  poke(): void;
  waitFor(revision: number, timeoutMs?: number): Promise<void>;
  stop(): void;
}

export function followFeed(
  feed: ChangeFeed,
  startAt: number,
  apply: (changes: ChangeRecord[]) => Promise<void> | void,
  pollMs = 200,
): FeedFollower {
  let revision = startAt;
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  const waiters: { revision: number; resolve: () => void }[] = [];

  const release = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.revision <= revision) waiters.splice(i, 1)[0]!.resolve();
    }
  };

  // Revisions only advance with change rows (see Writer), so the rows alone carry the head.
  const pull = async () => {
    for (;;) {
      const batch = await feed.since(revision);
      if (batch.length === 0) return;
      await apply(batch);
      revision = batch[batch.length - 1]!.revision;
      release();
    }
  };

  const tick = () => {
    if (stopped || running) return;
    running = pull()
      .catch(() => undefined)
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  timer = setTimeout(tick, pollMs);
  timer.unref();

  return {
    get revision() {
      return revision;
    },
    poke() {
      if (timer) clearTimeout(timer);
      tick();
    },
    waitFor(target, timeoutMs = 5000) {
      if (target <= revision) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = { revision: target, resolve };
        waiters.push(waiter);
        this.poke();
        setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`revision ${target} not reached within ${timeoutMs} ms`));
          }
        }, timeoutMs).unref();
      });
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
