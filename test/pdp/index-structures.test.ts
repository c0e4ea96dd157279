import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledPolicy } from '../../src/pdp/compile.js';
import { roleClass } from '../../src/pdp/grants.js';
import { ChainSearch, ENTRY_SIZE, Field, isFast, nextOf, NO_ROLE, PolicyTable, RECORD_SIZE } from '../../src/pdp/policy-table.js';
import { Reach, ReachTable } from '../../src/pdp/reach.js';

/**
 * Model-based tests of the decision index's own data structures: after any sequence of updates
 * they hold exactly what a plain Map would.
 */

type Op = { add: true; subject: number; key: number; role: number } | { add: false; pick: number };

const ops = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ add: fc.constant(true as const), subject: fc.nat(40), key: fc.nat(60), role: fc.integer({ min: -1, max: 70_000 }) }) },
    { weight: 2, arbitrary: fc.record({ add: fc.constant(false as const), pick: fc.nat() }) },
  ),
  { maxLength: 400 },
);

const fakePolicy = (id: number) => ({ id: `p${id}`, firstPermit: undefined, permits: [] }) as unknown as CompiledPolicy;

/** The chain of (subject, key) as slots, read the way a decision reads it. */
function chainOf(table: PolicyTable, subject: number, key: number): number[] {
  const search = new ChainSearch();
  table.findChains([subject], 1, [key], 1, -1, search);
  if (search.found === 0) return [];
  const slots: number[] = [];
  for (let from = table.entries, at = search.entries[0]! * ENTRY_SIZE; at >= 0; at = nextOf(from[at + Field.Link]!) * RECORD_SIZE, from = table.records) {
    expect([from[at + Field.Subject], from[at + Field.Key]]).toEqual([subject, key]);
    slots.push(from[at + Field.Slot]!);
  }
  return slots;
}

describe('PolicyTable', () => {
  it('files and unfiles like a map of lists, through growth and deletions', () => {
    fc.assert(
      fc.property(ops, (sequence) => {
        const table = new PolicyTable();
        const model = new Map<string, number[]>();
        const live: Array<{ slot: number; subject: number; key: number; role: number }> = [];
        const bySlot = new Map<number, { fast: boolean; role: number }>();
        let nextId = 0;
        for (const op of sequence) {
          if (op.add) {
            const slot = table.add(op.subject, op.key, fakePolicy(nextId++), { serviceKey: op.key % 7, fast: op.role % 2 === 0, role0: op.role, role1: -1 });
            const pair = `${op.subject}/${op.key}`;
            model.set(pair, [slot, ...(model.get(pair) ?? [])]);
            live.push({ slot, subject: op.subject, key: op.key, role: op.role });
            bySlot.set(slot, { fast: op.role % 2 === 0 && op.role < NO_ROLE, role: op.role });
          } else if (live.length > 0) {
            const [gone] = live.splice(op.pick % live.length, 1);
            table.remove(gone!.slot);
            const pair = `${gone!.subject}/${gone!.key}`;
            const rest = model.get(pair)!.filter((s) => s !== gone!.slot);
            if (rest.length === 0) model.delete(pair);
            else model.set(pair, rest);
          }
        }
        for (const [pair, slots] of model) {
          const [subject, key] = pair.split('/').map(Number) as [number, number];
          expect(chainOf(table, subject, key)).toEqual(slots);
          // A chain is deferred exactly when all its policies are FAST and none has a role of the asked classes.
          const policies = slots.map((slot) => bySlot.get(slot)!);
          for (const asked of [roleClass(3), roleClass(4) | roleClass(5), 0]) {
            const search = new ChainSearch();
            table.findChains([subject], 1, [key], 1, asked, search);
            const cannotGrant = policies.every((p) => p.fast && (p.role < 0 || (roleClass(p.role) & asked) === 0));
            expect({ pair, asked, deferred: search.deferred, found: search.found }).toEqual({ pair, asked, deferred: cannotGrant ? 1 : 0, found: cannotGrant ? 0 : 1 });
          }
        }
        for (const { slot, key, role } of live) {
          const at = slot * RECORD_SIZE;
          expect(table.records[at + Field.ServiceKey]).toBe(key % 7);
          const fast = role % 2 === 0 && role < NO_ROLE;
          expect(isFast(table.records[at + Field.Link]!)).toBe(fast);
          if (fast) expect(table.records[at + Field.Roles]! & NO_ROLE).toBe(role < 0 ? NO_ROLE : role);
        }
        // Pairs never filed, or emptied, are not found.
        for (let subject = 0; subject <= 40; subject += 7) {
          for (let key = 0; key <= 60; key += 11) if (!model.has(`${subject}/${key}`)) expect(chainOf(table, subject, key)).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('finds the chains of many pairs at once, each with its pair number', () => {
    const table = new PolicyTable();
    const a = table.add(1, 10, fakePolicy(1), { serviceKey: -1, fast: true, role0: 3, role1: -1 });
    const b = table.add(2, 20, fakePolicy(2), { serviceKey: -1, fast: true, role0: 3, role1: 4 });
    const search = new ChainSearch();
    table.findChains([1, 2, 3], 3, [10, 20], 2, -1, search);
    expect(search.found).toBe(2);
    const pairs = search.pairs.slice(0, 2);
    expect([...pairs].sort()).toEqual([0, 3]); // (1, 10) is pair 0 × 2 + 0; (2, 20) is 1 × 2 + 1
    const slots = search.entries.slice(0, 2).map((e) => table.entries[e * ENTRY_SIZE + Field.Slot]);
    expect(slots.sort()).toEqual([a, b].sort());
    expect(table.entries[search.entries[pairs.indexOf(3)]! * ENTRY_SIZE + Field.Roles]! >>> 16).toBe(4);
    // Role 3 (class 3) grants: the chain of (2, 20), with roles 3 and 4, is read; (1, 10) with role 3 too.
    table.findChains([1, 2, 3], 3, [10, 20], 2, roleClass(4), search);
    expect(search.found).toBe(1);
    expect(search.deferred).toBe(1);
    expect(table.entries[search.deferredEntries[0]! * ENTRY_SIZE + Field.Slot]).toBe(a);
    expect(search.deferredPairs[0]).toBe(0);
    // Asked to defer nothing, it reads both.
    table.findChains([1, 2, 3], 3, [10, 20], 2, -1, search);
    expect({ found: search.found, deferred: search.deferred }).toEqual({ found: 2, deferred: 0 });
  });

  it('still finds every pair after its filter is rebuilt for removals, at any size', () => {
    // Scattered but deterministic pairs and removal order (multiplicative hashing of a counter).
    const scatter = (n: number, range: number) => (Math.imul(n, 0x9e3779b1) >>> 0) % range;
    const table = new PolicyTable();
    const live = new Map<number, [number, number]>();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3000; i++) {
        const n = round * 3000 + i;
        const subject = scatter(n, 500);
        const key = scatter(n + 7_777_777, 2000);
        live.set(table.add(subject, key, fakePolicy(n), { serviceKey: -1, fast: true, role0: 1, role1: -1 }), [subject, key]);
      }
      // Remove most of them, scattered: the filter is rebuilt several times on the way.
      const slots = [...live.keys()].sort((x, y) => scatter(x, 1 << 30) - scatter(y, 1 << 30));
      for (const slot of slots.slice(0, Math.floor(slots.length * 0.9))) {
        table.remove(slot);
        live.delete(slot);
      }
      const search = new ChainSearch();
      for (const [slot, [subject, key]] of live) {
        table.findChains([subject], 1, [key], 1, -1, search);
        expect(search.found).toBe(1);
        expect(chainOf(table, subject, key)).toContain(slot);
      }
    }
  });
});

describe('ReachTable', () => {
  it('keeps every identity\'s block through rewrites, drops and compaction', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ who: fc.nat(30), own: fc.integer({ min: -1, max: 50 }), ends: fc.boolean(), groups: fc.array(fc.nat(1000), { maxLength: 12 }), drop: fc.boolean() }), { maxLength: 300 }),
        (writes) => {
          const table = new ReachTable();
          const model = new Map<string, { own: number; ends: boolean; groups: number[] }>();
          for (const w of writes) {
            const iamId = `IBMid-${w.who}`;
            if (w.drop) {
              table.drop(iamId);
              model.delete(iamId);
            } else {
              table.write(iamId, w.own, w.ends, w.groups);
              if (w.own < 0 && w.groups.length === 0) model.delete(iamId);
              else model.set(iamId, { own: w.own, ends: w.ends, groups: w.groups });
            }
          }
          expect([...table.offsets.keys()].sort()).toEqual([...model.keys()].sort());
          for (const [iamId, block] of model) {
            const at = table.offsets.get(iamId)!;
            const count = table.data[at + Reach.Count]!;
            expect({
              own: table.data[at + Reach.Own],
              ends: table.data[at + Reach.Ends] === 1,
              groups: [...table.data.subarray(at + Reach.Groups, at + Reach.Groups + count)],
            }).toEqual(block);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
