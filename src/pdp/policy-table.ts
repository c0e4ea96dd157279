import { roleClass } from './grants.js';
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
/** A map entry: a chain's first record, then its summary at SUMMARY, then one int of padding (two entries a cache line). */
export const ENTRY_SIZE = 8;
const SUMMARY = RECORD_SIZE;
/** The Subject of a free map entry (subject ids are never negative). */
const EMPTY = -1;
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
 * An open-addressing hash map finds a pair: an entry (ENTRY_SIZE ints) is a copy of the record of
 * its chain's first policy and the chain's summary, so finding a pair, checking it and reading its
 * first policy is one memory access. Linear probing, load factor at most MAX_LOAD, deletion by
 * backward shift (no tombstones), so probe sequences stay short under any sequence of updates.
 *
 * In front of the map, a Bloom filter of 8 bits per map entry, small enough to stay in a core's
 * cache up to a few hundred thousand pairs, answers for the absent pairs, most pairs of a
 * decision, so that a decision reads the map, which outgrows the caches long before that, only for
 * the pairs it will find and the filter's rare false positives.
 */
export class PolicyTable {
  /** The policy in each slot (undefined: free). */
  policies: Array<CompiledPolicy | undefined> = [];
  /** The id of the policy in each slot, so that a permit by a FAST policy reads nothing of the policy object. */
  policyIds: Array<string | undefined> = [];
  /** By slot, the record of every policy. */
  records = new Int32Array(RECORD_SIZE * 16);
  /** The map: by entry, the first record of a chain and its summary (Subject EMPTY: a free entry). */
  entries = emptyEntries(16);
  private readonly freeSlots: number[] = [];
  private count = 0;

  /** The filter's words (a power of two of them), each holding three bits of every pair hashed to it. */
  private bloom = new Int32Array(2);
  private bloomShift = 31;
  /** Pairs unfiled since the filter was built: their bits stay set (harmless) until it is rebuilt. */
  private stalePairs = 0;

  /**
   * Finds the chains of every pair (subjects[s], keys[k]) for s < subjectCount, k < keyCount, into
   * `search` (see ChainSearch): the filter first, for every pair, then the map for the pairs it
   * lets through.
   *
   * With `grantClasses` (RoleClass bits of the roles that grant the action; -1: defer nothing), a
   * chain whose summary shows only FAST policies, none with a role of those classes, cannot grant:
   * it goes to the deferred list, read only if the decision needs to know whether a policy matched
   * the resource.
   */
  findChains(subjects: readonly number[], subjectCount: number, keys: readonly number[], keyCount: number, grantClasses: number, search: ChainSearch): void {
    const { bloom, bloomShift, entries } = this;
    let passed = 0;
    for (let s = 0; s < subjectCount; s++) {
      const subject = subjects[s]!;
      for (let k = 0; k < keyCount; k++) {
        const h = hashOf(subject, keys[k]!);
        const bits = bloomBits(h);
        // Written for every pair, kept (passed advances) only for those the filter lets through: no branch.
        passedHashes[passed] = h;
        passedPairs[passed] = s * keyCount + k;
        passed += (bloom[bloomWord(h, bloomShift)]! & bits) === bits ? 1 : 0;
      }
    }
    const capacity = entries.length / ENTRY_SIZE;
    let found = 0;
    let deferred = 0;
    for (let v = 0; v < passed; v++) {
      const pair = passedPairs[v]!;
      const k = pair % keyCount;
      const subject = subjects[(pair - k) / keyCount]!;
      const key = keys[k]!;
      for (let i = homeOf(passedHashes[v]!, capacity); ; i = after(i, capacity)) {
        const at = i * ENTRY_SIZE;
        const filed = entries[at + Field.Subject]!;
        if (filed === EMPTY) break;
        if (filed !== subject || entries[at + Field.Key] !== key) continue;
        if (grantClasses >= 0 && (entries[at + SUMMARY]! & (MUST_READ | grantClasses)) === 0) {
          search.deferredEntries[deferred] = i;
          search.deferredPairs[deferred] = pair;
          deferred++;
        } else {
          search.entries[found] = i;
          search.pairs[found] = pair;
          found++;
        }
        break;
      }
    }
    search.found = found;
    search.deferred = deferred;
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
    const next = i >= 0 ? this.entries[i * ENTRY_SIZE + Field.Slot]! : -1;
    records[at + Field.Link] = linkOf(next, fast);
    if (i >= 0) {
      this.copyHead(i, slot);
      this.entries[i * ENTRY_SIZE + SUMMARY]! |= summaryOf(records, at);
      return slot;
    }
    if (this.count + 1 > MAX_LOAD * this.capacity) this.resize(Math.ceil(GROWTH * this.capacity));
    this.place(records, at, summaryOf(records, at));
    this.count++;
    return slot;
  }

  /** Unfiles the policy in `slot` and frees the slot. */
  remove(slot: number): void {
    const { records, entries } = this;
    const at = slot * RECORD_SIZE;
    const i = this.entryOf(records[at + Field.Subject]!, records[at + Field.Key]!);
    if (i < 0) throw new Error(`policy slot ${slot} is not filed`);
    const next = nextOf(records[at + Field.Link]!);
    const head = entries[i * ENTRY_SIZE + Field.Slot]!;
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
      if (previous === head) entries[i * ENTRY_SIZE + Field.Link] = records[link]!;
      this.resummarize(i);
    }
    this.policies[slot] = undefined;
    this.policyIds[slot] = undefined;
    this.freeSlots.push(slot);
  }

  private get capacity(): number {
    return this.entries.length / ENTRY_SIZE;
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
    const { entries, capacity } = this;
    for (let i = homeOf(hashOf(subject, key), capacity); entries[i * ENTRY_SIZE + Field.Subject] !== EMPTY; i = after(i, capacity)) {
      if (entries[i * ENTRY_SIZE + Field.Subject] === subject && entries[i * ENTRY_SIZE + Field.Key] === key) return i;
    }
    return -1;
  }

  /** Recomputes the summary of map entry i's chain from its records. */
  private resummarize(i: number): void {
    let summary = 0;
    for (let from = this.entries, at = i * ENTRY_SIZE; at >= 0; at = nextOf(from[at + Field.Link]!) * RECORD_SIZE, from = this.records) {
      summary |= summaryOf(from, at);
    }
    this.entries[i * ENTRY_SIZE + SUMMARY] = summary;
  }

  /** Makes the policy in `slot` the first of map entry i's chain. */
  private copyHead(i: number, slot: number): void {
    this.entries.set(this.records.subarray(slot * RECORD_SIZE, (slot + 1) * RECORD_SIZE), i * ENTRY_SIZE);
  }

  /** Puts the chain whose first record is `from[at…]`, with its summary, in the first free map entry from its home. */
  private place(from: Int32Array, at: number, summary: number): void {
    const { entries, capacity } = this;
    const h = hashOf(from[at + Field.Subject]!, from[at + Field.Key]!);
    let i = homeOf(h, capacity);
    while (entries[i * ENTRY_SIZE + Field.Subject] !== EMPTY) i = after(i, capacity);
    entries.set(from.subarray(at, at + RECORD_SIZE), i * ENTRY_SIZE);
    entries[i * ENTRY_SIZE + SUMMARY] = summary;
    this.addToFilter(h);
  }

  /** Empties map entry `hole`, moving back the entries after it that would no longer be found. */
  private vacate(hole: number): void {
    const { entries, capacity } = this;
    this.count--;
    for (let j = after(hole, capacity); entries[j * ENTRY_SIZE + Field.Subject] !== EMPTY; j = after(j, capacity)) {
      const at = j * ENTRY_SIZE;
      const home = homeOf(hashOf(entries[at + Field.Subject]!, entries[at + Field.Key]!), capacity);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const reachable = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (reachable) continue;
      entries.copyWithin(hole * ENTRY_SIZE, at, at + ENTRY_SIZE);
      hole = j;
    }
    entries[hole * ENTRY_SIZE + Field.Subject] = EMPTY;
    // Rebuilding the filter costs a pass over the map: done once stale pairs outnumber a quarter of the live ones.
    if (++this.stalePairs > this.count / 4 + STALE_SLACK) this.rebuildBloom();
  }

  private resize(capacity: number): void {
    const old = this.entries;
    this.entries = emptyEntries(capacity);
    this.sizeBloom(capacity);
    for (let at = 0; at < old.length; at += ENTRY_SIZE) if (old[at + Field.Subject] !== EMPTY) this.place(old, at, old[at + SUMMARY]!);
  }

  private rebuildBloom(): void {
    const entries = this.entries;
    this.sizeBloom(this.capacity);
    for (let at = 0; at < entries.length; at += ENTRY_SIZE) {
      if (entries[at + Field.Subject] === EMPTY) continue;
      this.addToFilter(hashOf(entries[at + Field.Subject]!, entries[at + Field.Key]!));
    }
  }

  private addToFilter(h: number): void {
    this.bloom[bloomWord(h, this.bloomShift)]! |= bloomBits(h);
  }

  /** An empty filter for a map of `capacity` entries: a power of two of words, about one per BLOOM_ENTRIES_PER_WORD entries. */
  private sizeBloom(capacity: number): void {
    const log2Words = Math.max(1, Math.ceil(Math.log2(capacity / BLOOM_ENTRIES_PER_WORD)));
    this.bloom = new Int32Array(2 ** log2Words);
    this.bloomShift = 32 - log2Words;
    this.stalePairs = 0;
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

/** Scratch space of findChains (decisions run one at a time on a thread): the pairs the filter let through. */
const passedHashes: number[] = [];
const passedPairs: number[] = [];

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

/**
 * A chain's summary (its entry's SUMMARY int): the RoleClass bits of the roles of its FAST
 * policies, and MUST_READ when it has a policy that is not FAST. No role of a chain can grant an
 * action when none of its classes is one of the action's granting roles' classes.
 */
const MUST_READ = 0x80;

function summaryOf(records: Int32Array, at: number): number {
  if (!isFast(records[at + Field.Link]!)) return MUST_READ;
  const roles = records[at + Field.Roles]!;
  const role0 = roles & NO_ROLE;
  const role1 = roles >>> 16;
  return (role0 === NO_ROLE ? 0 : roleClass(role0)) | (role1 === NO_ROLE ? 0 : roleClass(role1));
}

/**
 * The map keeps at most this share of its entries in use (linear probing: a present pair is then
 * found within about 1.8 entries on average), and grows by GROWTH when full.
 */
const MAX_LOAD = 0.625;
const GROWTH = 1.5;

/** A map of `capacity` free entries. */
const emptyEntries = (capacity: number) => new Int32Array(capacity * ENTRY_SIZE).fill(EMPTY);

/**
 * The filter has one 32-bit word per BLOOM_ENTRIES_PER_WORD map entries (rounded to a power of
 * two: 1 MB at a million entries) and sets three bits of one word per pair, so that a test is one
 * read. At the map's load factors a word holds the bits of about two pairs, and an absent pair
 * passes about once in 100–300 tests.
 */
const BLOOM_ENTRIES_PER_WORD = 4;
/** Stale pairs always tolerated, so that a map emptied far below its capacity is not rebuilt at every removal. */
const STALE_SLACK = 64;
const bloomWord = (h: number, shift: number) => Math.imul(h, 0x2c1b3c6d) >>> shift;
const bloomBits = (h: number) => (1 << (h & 31)) | (1 << ((h >>> 5) & 31)) | (1 << ((h >>> 10) & 31));

/** A record's Link field: the next slot (-1: none) and whether the policy is FAST. */
const linkOf = (next: number, fast: boolean) => next * 2 + (fast ? 0 : 1);
export const nextOf = (link: number) => link >> 1;
export const isFast = (link: number) => (link & 1) === 0;
