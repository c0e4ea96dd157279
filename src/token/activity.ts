import type { ActivityUpdate, IdentityStore } from '../identity/store.js';

/**
 * API-key activity (`last_authn`, `authn_count`), written behind: grants only count in memory and
 * a flush adds the counts to the keys in one transaction. A grant therefore never waits for (or
 * contends on) an UPDATE of its key's row. The trade-off: activity is up to one flush interval
 * stale, and the counts of the last interval are lost if the process dies or the write fails.
 */
export function createActivityRecorder(store: Pick<IdentityStore, 'recordActivity'>) {
  let pending = new Map<string, ActivityUpdate>();

  return {
    /** Counts one authentication with the key at `at` (ISO-8601). */
    record(apiKeyId: string, at: string): void {
      const known = pending.get(apiKeyId);
      if (known) {
        known.count += 1;
        if (at > known.lastAuthn) known.lastAuthn = at;
      } else {
        pending.set(apiKeyId, { apiKeyId, count: 1, lastAuthn: at });
      }
    },
    /** Writes the counted activity; resolves when it is stored. */
    async flush(): Promise<void> {
      if (pending.size === 0) return;
      const updates = [...pending.values()];
      pending = new Map();
      await store.recordActivity(updates);
    },
  };
}
