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
  /** The newest committed revision; 0 on a freshly migrated database. */
  head(): Promise<number>;
  /**
   * Changes with revision in (`after`, `after + maxRevisions`], in order. Revisions are consecutive
   * integers and a revision's rows commit together, so a batch never splits a revision. Within a
   * revision, rows come in the order the write published them. Commits become visible in revision
   * order, so a reader that sees revision r also sees every revision before it: no gaps, ever.
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
 * `apply`, in order. PostgreSQL deployments can call `poke()` on a LISTEN/NOTIFY wake-up; polling
 * remains the fallback.
 *
 * Contracts (enforced by test/conformance on SQLite and PostgreSQL):
 * - `apply` receives every change committed after `startAt` exactly once and in revision order
 *   (within a revision, in the order the write published them), as long as it does not throw. A batch
 *   holds whole revisions, never part of one. Calls never overlap.
 * - When `apply` throws, `revision` does not advance and the same batch is handed over again on the
 *   next poll (at-least-once for that batch; `apply` should be idempotent per revision). The error is
 *   kept and named in `waitFor` timeouts.
 * - `revision` is the last revision whose changes `apply` has completed.
 */
export interface FeedFollower {
  /** The last revision applied (starts at `startAt`). */
  readonly revision: number;
  /** Pulls now instead of at the next poll. A poke during a pull is not lost: another pull follows it. */
  poke(): void;
  /**
   * Resolves once `revision` has been applied (at once when it already has; read-your-writes for
   * callers that name a minimum revision). Pokes the follower. Rejects when that takes longer than
   * `timeoutMs` (default 5000), or when the follower is stopped before reaching it.
   */
  waitFor(revision: number, timeoutMs?: number): Promise<void>;
  /** Stops polling; no `apply` call starts after it returns. Pending `waitFor`s reject. */
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
  // A poke that arrived while a pull was running: that pull may have read the feed before the change
  // committed, so another pull must follow at once rather than at the next poll.
  let pokedWhileRunning = false;
  let lastError: unknown;
  let timer: NodeJS.Timeout | undefined;
  const waiters: { revision: number; resolve: () => void; reject: (error: Error) => void }[] = [];

  const release = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.revision <= revision) waiters.splice(i, 1)[0]!.resolve();
    }
  };

  // Revisions only advance with change rows (see Writer), so the rows alone carry the head.
  const pull = async () => {
    for (;;) {
      if (stopped) return;
      const batch = await feed.since(revision);
      if (batch.length === 0 || stopped) return;
      await apply(batch);
      lastError = undefined;
      revision = batch[batch.length - 1]!.revision;
      release();
    }
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    // Following never keeps the process alive by itself.
    timer.unref();
  };

  function tick() {
    if (stopped) return;
    if (running) {
      pokedWhileRunning = true;
      return;
    }
    pokedWhileRunning = false;
    running = pull()
      .catch((error: unknown) => {
        lastError = error;
      })
      .finally(() => {
        running = null;
        schedule(pokedWhileRunning ? 0 : pollMs);
      });
  }

  const poke = () => {
    if (timer) clearTimeout(timer);
    tick();
  };

  schedule(pollMs);

  return {
    get revision() {
      return revision;
    },
    poke,
    waitFor(target, timeoutMs = 5000) {
      if (target <= revision) return Promise.resolve();
      if (stopped) return Promise.reject(new Error(`revision ${target} not reached: the feed follower is stopped`));
      return new Promise((resolve, reject) => {
        const waiter = { revision: target, resolve, reject };
        waiters.push(waiter);
        poke();
        setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
            const cause = lastError === undefined ? '' : ` (last error applying changes: ${String((lastError as Error)?.message ?? lastError)})`;
            reject(new Error(`revision ${target} not reached within ${timeoutMs} ms${cause}`));
          }
        }, timeoutMs).unref();
      });
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const waiter of waiters.splice(0)) {
        waiter.reject(new Error(`revision ${waiter.revision} not reached: the feed follower is stopped`));
      }
    },
  };
}
