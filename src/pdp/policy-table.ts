import type { CompiledPolicy } from './compile.js';
import { doubled } from './typed-arrays.js';
import type { Decision } from './types.js';

/**
 * The ints of a policy's record, RECORD_SIZE apart: what a decision reads of a policy before it
 * needs the policy itself.
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
  /** The policy's slot. */
  Slot: 7,
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
 * as little memory as they can. Every policy has a slot, and a record (Field) in `records`; the
 * policies of one pair are chained through their records.
 *
 * An open-addressing hash map finds a pair. A map entry is one control byte (0: empty, else 7 bits
 * of the pair's hash) and a copy of the record of the chain's first policy (`heads`). A probe for
 * an absent pair, most probes of a decision, reads only the byte array, which stays in cache even
 * with millions of policies; a pair that is present costs one more read, which also yields its
 * first policy's record. Linear probing, load factor at most ½, deletion by backward shift (no
 * tombstones), so lookups stay short under any sequence of updates.
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
  /** By slot, the record of every policy. */
  records = new Int32Array(RECORD_SIZE * 16);
  /** By map entry, a copy of the record of the first policy of its chain. */
  heads = new Int32Array(RECORD_SIZE * 16);
  private readonly freeSlots: number[] = [];

  private control = new Uint8Array(16);
  private mask = 15;
  private count = 0;

  /**
   * Finds the chains of every pair (subjects[s], keys[k]) for s < subjectCount, k < keyCount;
   * writes the map entry of each found chain to `entries` and its pair's number, s × keyCount + k,
   * to `pairs`; returns how many it found. The control bytes of every pair are read first, with no
   * branch on what is read, so that those reads overlap instead of each waiting for the last.
   */
  findChains(subjects: readonly number[], subjectCount: number, keys: readonly number[], keyCount: number, entries: number[], pairs: number[]): number {
    const { control, heads } = this;
    const mask = this.mask;
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
    let found = 0;
    for (let pair = 0; pair < pairCount && touched !== 0; pair++) {
      const h = pairHashes[pair]!;
      const tag = tagOf(h);
      for (let i = h & mask; control[i] !== 0; i = (i + 1) & mask) {
        if (control[i] !== tag) continue;
        const k = pair % keyCount;
        const at = i * RECORD_SIZE;
        if (heads[at + Field.Subject] !== subjects[(pair - k) / keyCount] || heads[at + Field.Key] !== keys[k]) continue;
        entries[found] = i;
        pairs[found] = pair;
        found++;
        break;
      }
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
    records[at + Field.Slot] = slot;
    const i = this.entryOf(subject, key);
    if (i >= 0) {
      records[at + Field.Next] = this.heads[i * RECORD_SIZE + Field.Slot]!;
      this.copyHead(i, slot);
      return slot;
    }
    records[at + Field.Next] = -1;
    if (2 * (this.count + 1) > this.mask + 1) this.resize(2 * (this.mask + 1));
    this.place(records, at);
    this.count++;
    return slot;
  }

  /** Unfiles the policy in `slot` and frees the slot. */
  remove(slot: number): void {
    const records = this.records;
    const at = slot * RECORD_SIZE;
    const i = this.entryOf(records[at + Field.Subject]!, records[at + Field.Key]!);
    if (i < 0) throw new Error(`policy slot ${slot} is not filed`);
    const next = records[at + Field.Next]!;
    const head = this.heads[i * RECORD_SIZE + Field.Slot]!;
    if (head === slot) {
      if (next < 0) this.vacate(i);
      else this.copyHead(i, next);
    } else {
      let previous = head;
      while (records[previous * RECORD_SIZE + Field.Next] !== slot) previous = records[previous * RECORD_SIZE + Field.Next]!;
      records[previous * RECORD_SIZE + Field.Next] = next;
      if (previous === head) this.heads[i * RECORD_SIZE + Field.Next] = next;
    }
    this.policies[slot] = undefined;
    this.firstPermits[slot] = undefined;
    this.secondPermits[slot] = undefined;
    this.freeSlots.push(slot);
  }

  private allocate(policy: CompiledPolicy): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.policies.length;
      this.policies.push(undefined);
      this.firstPermits.push(undefined);
      this.secondPermits.push(undefined);
      if ((slot + 1) * RECORD_SIZE > this.records.length) this.records = doubled(this.records);
    }
    this.policies[slot] = policy;
    this.firstPermits[slot] = policy.firstPermit;
    this.secondPermits[slot] = policy.permits[1];
    return slot;
  }

  /** The map entry of (subject, key), or -1. */
  private entryOf(subject: number, key: number): number {
    const mask = this.mask;
    const h = hashOf(subject, key);
    const tag = tagOf(h);
    for (let i = h & mask; this.control[i] !== 0; i = (i + 1) & mask) {
      const at = i * RECORD_SIZE;
      if (this.control[i] === tag && this.heads[at + Field.Subject] === subject && this.heads[at + Field.Key] === key) return i;
    }
    return -1;
  }

  /** Makes the policy in `slot` the first of map entry i's chain. */
  private copyHead(i: number, slot: number): void {
    this.heads.set(this.records.subarray(slot * RECORD_SIZE, (slot + 1) * RECORD_SIZE), i * RECORD_SIZE);
  }

  /** Puts the chain whose first record is `from[at…]` in the first free map entry from its home. */
  private place(from: Int32Array, at: number): void {
    const mask = this.mask;
    const h = hashOf(from[at + Field.Subject]!, from[at + Field.Key]!);
    let i = h & mask;
    while (this.control[i] !== 0) i = (i + 1) & mask;
    this.control[i] = tagOf(h);
    this.heads.set(from.subarray(at, at + RECORD_SIZE), i * RECORD_SIZE);
  }

  /** Empties map entry `hole`, moving back the entries after it that would no longer be found. */
  private vacate(hole: number): void {
    const { control, heads } = this;
    const mask = this.mask;
    this.count--;
    for (let j = (hole + 1) & mask; control[j] !== 0; j = (j + 1) & mask) {
      const at = j * RECORD_SIZE;
      const home = hashOf(heads[at + Field.Subject]!, heads[at + Field.Key]!) & mask;
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const reachable = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (reachable) continue;
      control[hole] = control[j]!;
      heads.copyWithin(hole * RECORD_SIZE, at, at + RECORD_SIZE);
      hole = j;
    }
    control[hole] = 0;
  }

  private resize(capacity: number): void {
    const { control, heads } = this;
    this.control = new Uint8Array(capacity);
    this.heads = new Int32Array(capacity * RECORD_SIZE);
    this.mask = capacity - 1;
    for (let i = 0; i < control.length; i++) if (control[i] !== 0) this.place(heads, i * RECORD_SIZE);
  }
}

/** Scratch space of findChains (decisions run one at a time on a thread). */
const pairHashes: number[] = [];

/** A well-mixed hash of (subject, key): both are small dense integers, so they need mixing. */
function hashOf(subject: number, key: number): number {
  let h = Math.imul(subject, 0x9e3779b1) ^ Math.imul(key, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h;
}

/** A map entry's control byte: 1 and the hash's top 7 bits, which the entry index (low bits) does not use below 2^24 entries. */
const tagOf = (h: number) => 0x80 | (h >>> 25);
