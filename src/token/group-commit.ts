/**
 * Group commit: rows added while a write is being prepared or is in flight are written together by
 * the next single call of `write`. Each `add` resolves once its row is durably written (or rejects
 * with the write's error), so callers keep write-before-reply semantics while many concurrent
 * callers share one statement and one commit.
 */
export function groupCommit<T>(write: (rows: T[]) => Promise<void>) {
  let pending: { row: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let scheduled = false;
  let writing = false;

  async function drain(): Promise<void> {
    scheduled = false;
    writing = true;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await write(batch.map((p) => p.row));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    writing = false;
  }

  return {
    add(row: T): Promise<void> {
      return new Promise((resolve, reject) => {
        pending.push({ row, resolve, reject });
        if (!scheduled && !writing) {
          scheduled = true;
          // Let the other requests of this turn of the event loop join the batch.
          setImmediate(() => void drain());
        }
      });
    },
  };
}
