import { describe, expect, it } from 'vitest';
import { FailureCounts } from '../../src/http/rate-limit.js';

describe('FailureCounts', () => {
  it('reaches the limit, tells how long to wait, and starts over with the next window', () => {
    let now = 1_000_000;
    const counts = new FailureCounts(60_000, () => now);
    for (let i = 0; i < 3; i++) counts.add('a');
    expect(counts.retryAfter('a', 3)).toBe(60);
    expect(counts.retryAfter('a', 4)).toBe(0);
    now += 59_001;
    expect(counts.retryAfter('a', 3)).toBe(1);
    now += 1_000;
    expect(counts.retryAfter('a', 3)).toBe(0);
    counts.add('a');
    expect(counts.retryAfter('a', 2)).toBe(0);
  });

  it('hands back an attempt only in the window it was counted in', () => {
    let now = 0;
    const counts = new FailureCounts(1_000, () => now);
    const first = counts.add('k');
    counts.add('k');
    counts.remove(first);
    expect(counts.retryAfter('k', 1)).toBe(1);
    expect(counts.retryAfter('k', 2)).toBe(0);
    now = 1_000;
    const stale = first;
    counts.add('k');
    counts.remove(stale);
    expect(counts.retryAfter('k', 1)).toBe(1);
  });

  it('keeps at most its bound of counters, dropping the oldest', () => {
    const counts = new FailureCounts(60_000, () => 0, 3);
    for (const key of ['a', 'b', 'c', 'd']) counts.add(key);
    expect(counts.retryAfter('a', 1)).toBe(0);
    expect(counts.retryAfter('d', 1)).toBe(60);
  });
});
