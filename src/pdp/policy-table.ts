import type { CompiledPolicy } from './compile.js';
import type { Decision } from './types.js';

/**
 * The ints of a policy's record, RECORD_SIZE apart in `PolicyTable.records`: what a decision
 * reads of a policy before it needs the policy itself.
 */
export const Field = {
  /** The slot of the next policy filed under the same pair; -1: none. */
  Next: 0,
  /** The index key of the policy's service; -1: none (any service). */
  ServiceKey: 1,
  /** FAST, or NEEDS_POLICY. */
  Flags: 2,
  /** Catalog role ordinals of a FAST policy's one or two roles; -1: none. */
  Role0: 3,
  Role1: 4,
  /** The pair the policy is filed under. */
  Subject: 5,
  Key: 6,
} as const;
export const RECORD_SIZE = 8;
/** A policy with no subject, resource or tag tests left to run, no rule, and at most two roles. */
export const FAST = 0;
/** Any other policy: a decision evaluates the CompiledPolicy. */
export const NEEDS_POLICY = 1;

/** What a policy's record says besides where it is filed (see Field). */
export interface RecordFields {
  serviceKey: number;
  flags: typeof FAST | typeof NEEDS_POLICY;
  role0: number;
  role1: number;
}

/**
 * The policies of one account, filed by (subject id, index key), laid out for decisions that read
 * as little memory as they can: every policy has a slot, and its record (Field) in one Int32Array;
 * the policies of one pair are chained through their records.
 *
 * An open-addressing hash map finds a pair's first slot. A map slot is one control byte (0: empty,
 * else 7 bits of the pair's hash) and the chain's first policy slot, so a probe for an absent pair
 * (most probes of a decision) reads a byte array that stays in cache even with millions of
 * policies. Linear probing, load factor at most ½, deletion by backward shift (no tombstones), so
 * lookups stay short under any sequence of updates.
 */
export class PolicyTable {
  /** The policy in each slot (undefined: free). */
  policies: Array<CompiledPolicy | undefined> = [];
  /**
   * The decisions when the first or the second role of the policy in each slot grants, so that a
   * permit by a FAST policy reads nothing of the policy object.
   */
  firstPermits: Array<Decision | undefined> = [];
  secondPermits: Array<Decision | undefined> = [];
  records = new Int32Array(RECORD_SIZE * 16);
  private readonly freeSlots: number[] = [];

  private control = new Uint8Array(16);
  private heads = new Int32Array(16);
  private mask = 15;
  private count = 0;

  /** The first slot filed under (subject, key), or -1. */
  head(subject: number, key: number): number {
    const control = this.control;
    const mask = this.mask;
    const h = hashOf(subject, key);
    const tag = tagOf(h);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const c = control[i]!;
      if (c === 0) return -1;
      if (c === tag) {
        const slot = this.heads[i]!;
        const at = slot * RECORD_SIZE;
        if (this.records[at + Field.Subject] === subject && this.records[at + Field.Key] === key) return slot;
      }
    }
  }

  /**
   * Finds the chains of every pair (subjects[s], keys[k]) for s < subjectCount, k < keyCount;
   * writes each found chain's first slot to `heads` and its pair's number, s × keyCount + k, to
   * `pairs`; returns how many it found. The probes go phase by phase (control bytes of every pair,
   * then the heads of the candidates, then their records) so that the memory reads of one phase
   * are independent of each other and overlap, instead of each probe waiting for the last.
   */
  findChains(subjects: readonly number[], subjectCount: number, keys: readonly number[], keyCount: number, heads: number[], pairs: number[]): number {
    const { control, records } = this;
    const mask = this.mask;
    // Every pair's home control byte first, with no branch on what is read: a branch on a byte
    // still in flight would make each read wait for the one before.
    let pairCount = 0;
    let touched = 0;
    for (let s = 0; s < subjectCount; s++) {
      const subject = subjects[s]!;
      for (let k = 0; k < keyCount; k++) {
        const h = hashOf(subject, keys[k]!);
        pairHashes[pairCount++] = h;
        touched |= control[h & mask]!;
      }
    }
    let candidates = 0;
    for (let pair = 0; pair < pairCount && touched !== 0; pair++) {
      const h = pairHashes[pair]!;
      const tag = tagOf(h);
      for (let i = h & mask; control[i] !== 0; i = (i + 1) & mask) {
        if (control[i] !== tag) continue;
        candidateSlots[candidates] = i;
        candidatePairs[candidates] = pair;
        candidates++;
      }
    }
    for (let c = 0; c < candidates; c++) candidateSlots[c] = this.heads[candidateSlots[c]!]!;
    let found = 0;
    for (let c = 0; c < candidates; c++) {
      const slot = candidateSlots[c]!;
      const pair = candidatePairs[c]!;
      const k = pair % keyCount;
      const at = slot * RECORD_SIZE;
      if (records[at + Field.Subject] !== subjects[(pair - k) / keyCount] || records[at + Field.Key] !== keys[k]) continue;
      heads[found] = slot;
      pairs[found] = pair;
      found++;
    }
    return found;
  }

  /** Files `policy` under (subject, key), before the policies already there; returns its slot. */
  add(subject: number, key: number, policy: CompiledPolicy, fields: RecordFields): number {
    const slot = this.allocate(policy);
    const at = slot * RECORD_SIZE;
    const records = this.records;
    records[at + Field.ServiceKey] = fields.serviceKey;
    records[at + Field.Flags] = fields.flags;
    records[at + Field.Role0] = fields.role0;
    records[at + Field.Role1] = fields.role1;
    records[at + Field.Subject] = subject;
    records[at + Field.Key] = key;
    const i = this.find(subject, key);
    if (i >= 0) {
      records[at + Field.Next] = this.heads[i]!;
      this.heads[i] = slot;
      return slot;
    }
    records[at + Field.Next] = -1;
    if (2 * (this.count + 1) > this.mask + 1) this.resize(2 * (this.mask + 1));
    this.place(slot);
    this.count++;
    return slot;
  }

  /** Unfiles the policy in `slot` and frees the slot. */
  remove(slot: number): void {
    const records = this.records;
    const at = slot * RECORD_SIZE;
    const i = this.find(records[at + Field.Subject]!, records[at + Field.Key]!);
    if (i < 0) throw new Error(`policy slot ${slot} is not filed`);
    const next = records[at + Field.Next]!;
    if (this.heads[i] === slot) {
      this.heads[i] = next;
      if (next < 0) this.vacate(i);
    } else {
      let previous = this.heads[i]!;
      while (records[previous * RECORD_SIZE + Field.Next] !== slot) previous = records[previous * RECORD_SIZE + Field.Next]!;
      records[previous * RECORD_SIZE + Field.Next] = next;
    }
    this.policies[slot] = undefined;
    this.firstPermits[slot] = undefined;
    this.secondPermits[slot] = undefined;
    this.freeSlots.push(slot);
  }

  private allocate(policy: CompiledPolicy): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) {
      this.policies[free] = policy;
      this.firstPermits[free] = policy.firstPermit;
      this.secondPermits[free] = policy.permits[1];
      return free;
    }
    const slot = this.policies.length;
    this.policies.push(policy);
    this.firstPermits.push(policy.firstPermit);
    this.secondPermits.push(policy.permits[1]);
    if ((slot + 1) * RECORD_SIZE > this.records.length) {
      const grown = new Int32Array(2 * this.records.length);
      grown.set(this.records);
      this.records = grown;
    }
    return slot;
  }

  /** The map slot of (subject, key), or -1. */
  private find(subject: number, key: number): number {
    const head = this.head(subject, key);
    if (head < 0) return -1;
    const mask = this.mask;
    for (let i = hashOf(subject, key) & mask; ; i = (i + 1) & mask) if (this.control[i] !== 0 && this.heads[i] === head) return i;
  }

  /** Puts the chain that starts at policy slot `head` in the first free map slot from its home. */
  private place(head: number): void {
    const mask = this.mask;
    const h = hashOf(this.records[head * RECORD_SIZE + Field.Subject]!, this.records[head * RECORD_SIZE + Field.Key]!);
    let i = h & mask;
    while (this.control[i] !== 0) i = (i + 1) & mask;
    this.control[i] = tagOf(h);
    this.heads[i] = head;
  }

  /** Empties map slot `hole`, moving back the chains after it that would no longer be found. */
  private vacate(hole: number): void {
    const { control, heads, records } = this;
    const mask = this.mask;
    this.count--;
    for (let j = (hole + 1) & mask; control[j] !== 0; j = (j + 1) & mask) {
      const at = heads[j]! * RECORD_SIZE;
      const home = hashOf(records[at + Field.Subject]!, records[at + Field.Key]!) & mask;
      // The chain at j may fill the hole unless its home lies cyclically in (hole, j].
      const reachable = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (reachable) continue;
      control[hole] = control[j]!;
      heads[hole] = heads[j]!;
      hole = j;
    }
    control[hole] = 0;
  }

  private resize(capacity: number): void {
    const { control, heads } = this;
    this.control = new Uint8Array(capacity);
    this.heads = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < control.length; i++) if (control[i] !== 0) this.place(heads[i]!);
  }
}

/** Scratch space of findChains (decisions run one at a time on a thread). */
const pairHashes: number[] = [];
const candidateSlots: number[] = [];
const candidatePairs: number[] = [];

/** A well-mixed hash of (subject, key): both are small dense integers, so they need mixing. */
function hashOf(subject: number, key: number): number {
  let h = Math.imul(subject, 0x9e3779b1) ^ Math.imul(key, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h;
}

/** A map slot's control byte: 1 and the hash's top 7 bits, which the slot index (low bits) does not use below 2^24 slots. */
const tagOf = (h: number) => 0x80 | (h >>> 25);
