/** Permits one policy granted since the last flush: how many, and when the latest was (epoch ms). */
export interface PermitCount {
  policyId: string;
  count: number;
  lastAtMs: number;
}

/**
 * Counts the permits this node's decision point grants, per policy, in memory, and adds them to
 * the policies' usage (`last_permit_at`, `last_permit_frequency`) every `intervalMs`, on demand
 * and at stop. A decision only bumps a counter; a failed save keeps its counts for the next flush,
 * and a crash loses at most one interval of counts.
 */
export function createPermitLog(deps: {
  save: (permits: PermitCount[]) => Promise<void>;
  intervalMs: number;
  log?: (message: string, error?: unknown) => void;
}) {
  let pending = new Map<string, PermitCount>();
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  async function save(batch: Map<string, PermitCount>): Promise<void> {
    if (batch.size === 0) return;
    try {
      await deps.save([...batch.values()]);
    } catch (error) {
      deps.log?.('saving policy permit counts failed; they are kept for the next flush', error);
      for (const p of batch.values()) record(p.policyId, p.lastAtMs, p.count);
    }
  }

  function record(policyId: string, atMs: number, count = 1): void {
    const entry = pending.get(policyId);
    if (entry === undefined) pending.set(policyId, { policyId, count, lastAtMs: atMs });
    else {
      entry.count += count;
      if (atMs > entry.lastAtMs) entry.lastAtMs = atMs;
    }
  }

  /** Saves what was counted so far; resolves once it (and any flush before it) is saved. */
  function flush(): Promise<void> {
    const batch = pending;
    pending = new Map();
    flushing = flushing.then(() => save(batch));
    return flushing;
  }

  return {
    /** One permit by `policyId` at `atMs`. */
    record: (policyId: string, atMs: number) => record(policyId, atMs),
    flush,
    start(): void {
      timer = setInterval(() => void flush(), deps.intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      await flush();
    },
  };
}

export type PermitLog = ReturnType<typeof createPermitLog>;
