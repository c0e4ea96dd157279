import { roleClass } from '../catalog/catalog.js';
import type { CompiledPolicy } from './compile.js';
import { doubled } from './typed-arrays.js';

/**
 * The ints of a policy's record, RECORD_SIZE apart: what a decision reads of a policy before it
 * needs the policy itself.
 */
export const Field = {
  /** The pair the policy is filed under. */
  Subject: 0,
  Key: 1,
  /** The policy's slot. */
  Slot: 2,
  /** The index key of the policy's service; -1: none (any service). */
  ServiceKey: 3,
  /** A FAST policy's role ordinals: the first in the low 16 bits, the second in the high; NO_ROLE: none. */
  Roles: 4,
  /** The slot of the next policy filed under the same pair (-1: none) × 2, + 1 unless the policy is FAST. */
  Link: 5,
} as const;
export const RECORD_SIZE = 6;
export const NO_ROLE = 0xffff;

/**
 * What a policy's record says besides where it is filed. A policy is FAST when it has no subject,
 * resource or tag tests left to run, no rule, and at most two roles, with role ordinals below
 * NO_ROLE: then its record alone decides whether it grants.
 */
export interface RecordFields {
  serviceKey: number;
  fast: boolean;
  /** Catalog role ordinals of the policy's first two roles; -1: none. */
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
 * first policy's record. Linear probing, load factor at most MAX_LOAD, deletion by backward shift (no
 * tombstones), so lookups stay short under any sequence of updates.
 */
export class PolicyTable {
  /** The policy in each slot (undefined: free). */
  policies: Array<CompiledPolicy | undefined> = [];
  /** The id of the policy in each slot, so that a permit by a FAST policy reads nothing of the policy object. */
  policyIds: Array<string | undefined> = [];
  /** By slot, the record of every policy. */
  records = new Int32Array(RECORD_SIZE * 16);
  /** By map entry, a copy of the record of the first policy of its chain. */
  heads = new Int32Array(RECORD_SIZE * 16);
  private readonly freeSlots: number[] = [];

  /** By map entry: 0 if empty, else OCCUPIED, the tag (TAG_MASK) and the chain's summary (RoleClass bits, MUST_READ). */
  private control = new Uint16Array(16);
  private count = 0;

  /**
   * Finds the chains of every pair (subjects[s], keys[k]) for s < subjectCount, k < keyCount, into
   * `search` (see ChainSearch): the control words of every pair are read first, then the entries
   * of the candidates, each phase with no branch on what it reads, so that the reads of a phase
   * overlap instead of each waiting for the last.
   *
   * With `grantClasses` (RoleClass bits of the roles that grant the action; -1: defer nothing), a
   * chain whose control word shows only FAST policies, none with a role of those classes, is not
   * read: it cannot grant. It goes to the deferred list, to be read only if the decision needs to
   * know whether a policy matched the resource.
   */
  findChains(subjects: readonly number[], subjectCount: number, keys: readonly number[], keyCount: number, grantClasses: number, search: ChainSearch): void {
    const { control, heads } = this;
    const capacity = this.control.length;
    let pairCount = 0;
    let touched = 0;
    for (let s = 0; s < subjectCount; s++) {
      const subject = subjects[s]!;
      for (let k = 0; k < keyCount; k++) {
        const h = hashOf(subject, keys[k]!);
        const home = homeOf(h, capacity);
        pairHashes[pairCount] = h;
        pairHomes[pairCount] = home;
        pairCount++;
        touched |= control[home]!;
      }
    }
    let candidates = 0;
    let deferred = 0;
    for (let pair = 0; pair < pairCount && touched !== 0; pair++) {
      const tag = tagOf(pairHashes[pair]!);
      for (let i = pairHomes[pair]!; control[i] !== 0; i = after(i, capacity)) {
        const word = control[i]!;
        if ((word & TAG_MASK) !== tag) continue;
        if (grantClasses >= 0 && (word & (MUST_READ | grantClasses)) === 0) {
          search.deferredEntries[deferred] = i;
          search.deferredPairs[deferred] = pair;
          deferred++;
          continue;
        }
        candidateEntries[candidates] = i;
        candidatePairs[candidates] = pair;
        candidates++;
      }
    }
    for (let c = 0; c < candidates; c++) candidateSubjects[c] = heads[candidateEntries[c]! * RECORD_SIZE + Field.Subject]!;
    let found = 0;
    for (let c = 0; c < candidates; c++) {
      const pair = candidatePairs[c]!;
      const k = pair % keyCount;
      const i = candidateEntries[c]!;
      if (candidateSubjects[c] !== subjects[(pair - k) / keyCount] || heads[i * RECORD_SIZE + Field.Key] !== keys[k]) continue;
      search.entries[found] = i;
      search.pairs[found] = pair;
      found++;
    }
    search.found = found;
    search.deferred = deferred;
  }

  /** Whether map entry i holds the chain of (subject, key). */
  isChainOf(i: number, subject: number, key: number): boolean {
    return this.heads[i * RECORD_SIZE + Field.Subject] === subject && this.heads[i * RECORD_SIZE + Field.Key] === key;
  }

  /** Files `policy` under (subject, key), before the policies already there; returns its slot. */
  add(subject: number, key: number, policy: CompiledPolicy, fields: RecordFields): number {
    const slot = this.allocate(policy);
    const at = slot * RECORD_SIZE;
    const records = this.records;
    const role = (ordinal: number) => (ordinal < 0 ? NO_ROLE : ordinal);
    const fast = fields.fast && fields.role0 < NO_ROLE && fields.role1 < NO_ROLE;
    records[at + Field.Subject] = subject;
    records[at + Field.Key] = key;
    records[at + Field.Slot] = slot;
    records[at + Field.ServiceKey] = fields.serviceKey;
    records[at + Field.Roles] = fast ? role(fields.role0) | (role(fields.role1) << 16) : -1;
    const i = this.entryOf(subject, key);
    const next = i >= 0 ? this.heads[i * RECORD_SIZE + Field.Slot]! : -1;
    records[at + Field.Link] = linkOf(next, fast);
    if (i >= 0) {
      this.copyHead(i, slot);
      this.control[i]! |= summaryOf(records, at);
      return slot;
    }
    if (this.count + 1 > MAX_LOAD * this.control.length) this.resize(Math.ceil(GROWTH * this.control.length));
    this.place(records, at, summaryOf(records, at));
    this.count++;
    return slot;
  }

  /** Unfiles the policy in `slot` and frees the slot. */
  remove(slot: number): void {
    const records = this.records;
    const at = slot * RECORD_SIZE;
    const i = this.entryOf(records[at + Field.Subject]!, records[at + Field.Key]!);
    if (i < 0) throw new Error(`policy slot ${slot} is not filed`);
    const next = nextOf(records[at + Field.Link]!);
    const head = this.heads[i * RECORD_SIZE + Field.Slot]!;
    if (head === slot) {
      if (next < 0) this.vacate(i);
      else {
        this.copyHead(i, next);
        this.resummarize(i);
      }
    } else {
      let previous = head;
      while (nextOf(records[previous * RECORD_SIZE + Field.Link]!) !== slot) previous = nextOf(records[previous * RECORD_SIZE + Field.Link]!);
      const link = previous * RECORD_SIZE + Field.Link;
      records[link] = linkOf(next, isFast(records[link]!));
      if (previous === head) this.heads[i * RECORD_SIZE + Field.Link] = records[link]!;
      this.resummarize(i);
    }
    this.policies[slot] = undefined;
    this.policyIds[slot] = undefined;
    this.freeSlots.push(slot);
  }

  private allocate(policy: CompiledPolicy): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.policies.length;
      this.policies.push(undefined);
      this.policyIds.push(undefined);
      if ((slot + 1) * RECORD_SIZE > this.records.length) this.records = doubled(this.records);
    }
    this.policies[slot] = policy;
    this.policyIds[slot] = policy.id;
    return slot;
  }

  /** The map entry of (subject, key), or -1. */
  private entryOf(subject: number, key: number): number {
    const capacity = this.control.length;
    const h = hashOf(subject, key);
    const tag = tagOf(h);
    for (let i = homeOf(h, capacity); this.control[i] !== 0; i = after(i, capacity)) {
      if ((this.control[i]! & TAG_MASK) === tag && this.isChainOf(i, subject, key)) return i;
    }
    return -1;
  }

  /** Recomputes the summary of map entry i's chain from its records. */
  private resummarize(i: number): void {
    let summary = 0;
    for (let from = this.heads, at = i * RECORD_SIZE; at >= 0; at = nextOf(from[at + Field.Link]!) * RECORD_SIZE, from = this.records) {
      summary |= summaryOf(from, at);
    }
    this.control[i] = (this.control[i]! & ~SUMMARY_MASK) | summary;
  }

  /** Makes the policy in `slot` the first of map entry i's chain. */
  private copyHead(i: number, slot: number): void {
    copyRecord(this.records, slot * RECORD_SIZE, this.heads, i * RECORD_SIZE);
  }

  /** Puts the chain whose first record is `from[at…]`, with its summary, in the first free map entry from its home. */
  private place(from: Int32Array, at: number, summary: number): void {
    const capacity = this.control.length;
    const h = hashOf(from[at + Field.Subject]!, from[at + Field.Key]!);
    let i = homeOf(h, capacity);
    while (this.control[i] !== 0) i = after(i, capacity);
    this.control[i] = tagOf(h) | summary;
    copyRecord(from, at, this.heads, i * RECORD_SIZE);
  }

  /** Empties map entry `hole`, moving back the entries after it that would no longer be found. */
  private vacate(hole: number): void {
    const { control, heads } = this;
    const capacity = this.control.length;
    this.count--;
    for (let j = after(hole, capacity); control[j] !== 0; j = after(j, capacity)) {
      const at = j * RECORD_SIZE;
      const home = homeOf(hashOf(heads[at + Field.Subject]!, heads[at + Field.Key]!), capacity);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const reachable = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (reachable) continue;
      control[hole] = control[j]!;
      copyRecord(heads, at, heads, hole * RECORD_SIZE);
      hole = j;
    }
    control[hole] = 0;
  }

  private resize(capacity: number): void {
    const { control, heads } = this;
    this.control = new Uint16Array(capacity);
    this.heads = new Int32Array(capacity * RECORD_SIZE);
    for (let i = 0; i < control.length; i++) if (control[i] !== 0) this.place(heads, i * RECORD_SIZE, control[i]! & SUMMARY_MASK);
  }
}

/**
 * What PolicyTable.findChains found: the map entries of the chains to read, with their pairs'
 * numbers (s × keyCount + k), and those of the deferred chains (which cannot grant).
 */
export class ChainSearch {
  readonly entries: number[] = [];
  readonly pairs: number[] = [];
  found = 0;
  readonly deferredEntries: number[] = [];
  readonly deferredPairs: number[] = [];
  deferred = 0;
}

/** Scratch space of findChains (decisions run one at a time on a thread). */
const pairHashes: number[] = [];
const pairHomes: number[] = [];
const candidateEntries: number[] = [];
const candidatePairs: number[] = [];
const candidateSubjects: number[] = [];

/** A well-mixed hash of (subject, key): both are small dense integers, so they need mixing. */
function hashOf(subject: number, key: number): number {
  let h = Math.imul(subject, 0x9e3779b1) ^ Math.imul(key, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h;
}

/** The entry probed after entry i (linear probing wraps around). */
const after = (i: number, capacity: number) => (i + 1 === capacity ? 0 : i + 1);

/** The entry a hash belongs at: its high bits scaled to the capacity (which need not be a power of two). */
const homeOf = (h: number, capacity: number) => Math.floor((h >>> 0) * capacity * 2 ** -32);

/** A map entry's tag: OCCUPIED and the hash's low 7 bits, which homeOf hardly uses. */
const OCCUPIED = 0x8000;
const TAG_MASK = 0xff00;
const tagOf = (h: number) => OCCUPIED | ((h & 0x7f) << 8);

/**
 * A chain's summary, in its control word's low byte: the RoleClass bits of the roles of its FAST
 * policies, and MUST_READ when it has a policy that is not FAST. No role of a chain can grant an
 * action when none of its classes is one of the action's granting roles' classes.
 */
const SUMMARY_MASK = 0xff;
const MUST_READ = 0x80;

function summaryOf(records: Int32Array, at: number): number {
  if (!isFast(records[at + Field.Link]!)) return MUST_READ;
  const roles = records[at + Field.Roles]!;
  const role0 = roles & NO_ROLE;
  const role1 = roles >>> 16;
  return (role0 === NO_ROLE ? 0 : roleClass(role0)) | (role1 === NO_ROLE ? 0 : roleClass(role1));
}

/**
 * The map keeps at most this share of its entries in use (linear probing: an absent pair then
 * scans about 3.6 control bytes on average), and grows by GROWTH when full.
 */
const MAX_LOAD = 0.625;
const GROWTH = 1.5;

function copyRecord(from: Int32Array, at: number, to: Int32Array, offset: number): void {
  for (let f = 0; f < RECORD_SIZE; f++) to[offset + f] = from[at + f]!;
}

/** A record's Link field: the next slot (-1: none) and whether the policy is FAST. */
const linkOf = (next: number, fast: boolean) => next * 2 + (fast ? 0 : 1);
export const nextOf = (link: number) => link >> 1;
export const isFast = (link: number) => (link & 1) === 0;
