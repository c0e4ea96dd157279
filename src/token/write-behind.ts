/**
 * Write-behind of rows no caller waits for: `add` queues a row, and rows queued within `delayMs`
 * are written together by one call of `write` (one statement, one commit). Writes run one at a
 * time, in order. `flush` writes everything queued so far and resolves when it is stored.
 *
 * A failed write drops its rows (the caller chose write-behind because the rows are expendable);
 * a process that dies loses at most the rows of the last `delayMs`.
 */
export function writeBehind<T>(write: (rows: T[]) => Promise<void>, delayMs: number) {
  let pending: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let last: Promise<void> = Promise.resolve();

  function drain(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length > 0) last = last.then(() => write(batch)).catch(() => undefined);
    return last;
  }

  return {
    add(row: T): void {
      pending.push(row);
      if (!timer) {
        timer = setTimeout(() => void drain(), delayMs);
        timer.unref();
      }
    },
    flush: drain,
  };
}
