import { describe, expect, it } from 'vitest';
import { createPermitLog, type PermitCount } from '../../src/authz/permits.js';

describe('PermitLog', () => {
  it('adds up permits per policy, keeping the latest time, and saves each count once', async () => {
    const saved: PermitCount[][] = [];
    const log = createPermitLog({ save: async (p) => void saved.push(p), intervalMs: 60_000 });
    log.record('p1', 1_000);
    log.record('p2', 1_500);
    log.record('p1', 3_000);
    log.record('p1', 2_000);
    await log.flush();
    await log.flush(); // nothing new: nothing saved
    expect(saved).toEqual([[{ policyId: 'p1', count: 3, lastAtMs: 3_000 }, { policyId: 'p2', count: 1, lastAtMs: 1_500 }]]);
  });

  it('keeps the counts of a failed save for the next flush', async () => {
    let fail = true;
    const saved: PermitCount[][] = [];
    const errors: string[] = [];
    const log = createPermitLog({
      save: async (p) => {
        if (fail) throw new Error('database unavailable');
        saved.push(p);
      },
      intervalMs: 60_000,
      log: (message) => errors.push(message),
    });
    log.record('p1', 1_000);
    await log.flush();
    expect(errors).toHaveLength(1);
    fail = false;
    log.record('p1', 2_000);
    await log.stop();
    expect(saved).toEqual([[{ policyId: 'p1', count: 2, lastAtMs: 2_000 }]]);
  });
});
