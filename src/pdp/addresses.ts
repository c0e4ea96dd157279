import { isIPv4, isIPv6 } from 'node:net';

/**
 * Network addresses as 32-bit words, and sets of them as sorted disjoint ranges, for context-based
 * restrictions. An IPv4 address is one word, an IPv6 address four (most significant first), so a
 * decision compares numbers in typed arrays and never builds a bigint. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`) is its IPv4 address, so zones written in IPv4 match it.
 */

export interface Address {
  readonly family: 4 | 6;
  /** One word (IPv4) or four (IPv6), each 0 … 2³²−1. */
  readonly words: readonly number[];
}

/**
 * Ranges of both families: starts and ends (inclusive) of disjoint ranges, in ascending order.
 * IPv4: [start0, end0, start1, end1, …]; IPv6: the same with four words for each address.
 */
export interface RangeSet {
  readonly v4: Uint32Array;
  readonly v6: Uint32Array;
}

export const EMPTY_RANGES: RangeSet = { v4: new Uint32Array(0), v6: new Uint32Array(0) };

/** Every address of both families. */
export const ALL_ADDRESSES: RangeSet = { v4: Uint32Array.of(0, 0xffffffff), v6: Uint32Array.of(0, 0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff) };

function v4Number(text: string): number {
  const [a, b, c, d] = text.split('.').map(Number) as [number, number, number, number];
  return a * 16_777_216 + b * 65_536 + c * 256 + d;
}

/** The 16-bit groups of one side of an IPv6 text (an embedded IPv4 tail is two groups). */
function groupsOf(side: string): number[] {
  if (side === '') return [];
  return side.split(':').flatMap((g) => {
    if (!g.includes('.')) return [Number.parseInt(g, 16)];
    const n = v4Number(g);
    return [Math.floor(n / 65_536), n % 65_536];
  });
}

/**
 * The address of `text` (IPv4 four-part decimal, as node:net accepts it, or IPv6, a zone index
 * ignored), or undefined when it is not one. IPv4-mapped IPv6 is its IPv4 address.
 */
export function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) return { family: 4, words: [v4Number(text)] };
  if (!isIPv6(text)) return undefined;
  const bare = text.split('%')[0]!;
  const gap = bare.indexOf('::');
  const left = groupsOf(gap >= 0 ? bare.slice(0, gap) : bare);
  const right = gap >= 0 ? groupsOf(bare.slice(gap + 2)) : [];
  const g = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const words = [0, 1, 2, 3].map((k) => g[2 * k]! * 65_536 + g[2 * k + 1]!);
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return { family: 4, words: [words[3]!] };
  return { family: 6, words };
}

/** `a-b` (both of one family, a ≤ b) as [start, end], or undefined when it is not a range. */
export function parseRange(text: string): [Address, Address] | undefined {
  const parts = text.split('-');
  if (parts.length !== 2) return undefined;
  const start = parseAddress(parts[0]!);
  const end = parseAddress(parts[1]!);
  if (!start || !end || start.family !== end.family || compare(start.words, end.words) > 0) return undefined;
  return [start, end];
}

/** `address/prefix` as [first, last] address of the subnet, or undefined when it is not a subnet. */
export function parseSubnet(text: string): [Address, Address] | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const base = parseAddress(text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  if (!base || prefix > base.words.length * 32) return undefined;
  const first: number[] = [];
  const last: number[] = [];
  base.words.forEach((word, k) => {
    // The prefix bits that fall in this word, as a mask of its high bits.
    const bits = Math.min(32, Math.max(0, prefix - 32 * k));
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    first.push((word & mask) >>> 0);
    last.push((word | ~mask) >>> 0);
  });
  return [{ family: base.family, words: first }, { family: base.family, words: last }];
}

/** Sign of a − b, two addresses of one family. */
function compare(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! < b[k]! ? -1 : 1;
  return 0;
}

/** a + delta (±1), or undefined past the family's first or last address. */
function step(a: readonly number[], delta: 1 | -1): number[] | undefined {
  const out = [...a];
  for (let k = out.length - 1; k >= 0; k--) {
    const v = out[k]! + delta;
    if (v >= 0 && v <= 0xffffffff) {
      out[k] = v;
      return out;
    }
    out[k] = delta > 0 ? 0 : 0xffffffff;
  }
  return undefined;
}

type Range = [readonly number[], readonly number[]];

/** Collects ranges of both families and merges them into a RangeSet. */
export class RangeBuilder {
  private readonly v4: Range[] = [];
  private readonly v6: Range[] = [];

  add(start: Address, end: Address): void {
    if (start.family !== end.family) return;
    (start.family === 4 ? this.v4 : this.v6).push([start.words, end.words]);
  }

  addSet(set: RangeSet): void {
    this.v4.push(...rangesOf(set.v4, 1));
    this.v6.push(...rangesOf(set.v6, 4));
  }

  build(): RangeSet {
    return { v4: flatten(merge(this.v4)), v6: flatten(merge(this.v6)) };
  }
}

function rangesOf(flat: Uint32Array, width: number): Range[] {
  const out: Range[] = [];
  for (let i = 0; i < flat.length; i += 2 * width) out.push([Array.from(flat.subarray(i, i + width)), Array.from(flat.subarray(i + width, i + 2 * width))]);
  return out;
}

function flatten(ranges: Range[]): Uint32Array {
  return Uint32Array.from(ranges.flatMap(([s, e]) => [...s, ...e]));
}

function merge(ranges: Range[]): Range[] {
  ranges.sort((a, b) => compare(a[0], b[0]));
  const out: Range[] = [];
  for (const [s, e] of ranges) {
    const last = out[out.length - 1];
    // Overlapping or adjacent ranges (end + 1 = next start) merge.
    const next = last && step(last[1], 1);
    if (last && (next === undefined || compare(s, next) <= 0)) {
      if (compare(e, last[1]) > 0) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
}

/** `set` without the addresses of `minus`. */
export function subtract(set: RangeSet, minus: RangeSet): RangeSet {
  return { v4: flatten(subtractFamily(rangesOf(set.v4, 1), rangesOf(minus.v4, 1))), v6: flatten(subtractFamily(rangesOf(set.v6, 4), rangesOf(minus.v6, 4))) };
}

/** The addresses in both `a` and `b`. */
export function intersect(a: RangeSet, b: RangeSet): RangeSet {
  return { v4: intersectFamily(a.v4, b.v4, 1), v6: intersectFamily(a.v6, b.v6, 4) };
}

/**
 * The overlaps of two flat range lists of one family (`width` words an address), walking both in
 * order: each step keeps the overlap of the current two ranges, if any, and leaves the one that
 * ends first.
 */
function intersectFamily(a: Uint32Array, b: Uint32Array, width: number): Uint32Array {
  const out: number[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const aStartsLast = compareAt(a, i, b, j, width) >= 0;
    const aEndsFirst = compareAt(a, i + width, b, j + width, width) <= 0;
    const [starts, startAt] = aStartsLast ? [a, i] : [b, j];
    const [ends, endAt] = aEndsFirst ? [a, i + width] : [b, j + width];
    if (compareAt(starts, startAt, ends, endAt, width) <= 0) {
      for (let k = 0; k < width; k++) out.push(starts[startAt + k]!);
      for (let k = 0; k < width; k++) out.push(ends[endAt + k]!);
    }
    if (aEndsFirst) i += 2 * width;
    else j += 2 * width;
  }
  return Uint32Array.from(out);
}

/** Sign of the address at `x[xAt]` − the one at `y[yAt]` (`width` words each). */
function compareAt(x: Uint32Array, xAt: number, y: Uint32Array, yAt: number, width: number): number {
  for (let k = 0; k < width; k++) if (x[xAt + k] !== y[yAt + k]) return x[xAt + k]! < y[yAt + k]! ? -1 : 1;
  return 0;
}

function subtractFamily(set: Range[], minus: Range[]): Range[] {
  const out: Range[] = [];
  let m = 0;
  for (const [first, end] of set) {
    let start: readonly number[] | undefined = first;
    while (m < minus.length && compare(minus[m]![1], start) < 0) m++;
    for (let k = m; start !== undefined && k < minus.length && compare(minus[k]![0], end) <= 0 && compare(start, end) <= 0; k++) {
      const [ms, me] = minus[k]!;
      if (compare(ms, start) > 0) out.push([start, step(ms, -1)!]);
      start = step(me, 1);
    }
    if (start !== undefined && compare(start, end) <= 0) out.push([start, end]);
  }
  return out;
}

/**
 * How many ranges a search scans rather than halves: a scan's compares are mostly predicted (not
 * yet, not yet, then found or passed), each halving's is a coin toss the processor pays ~15 cycles
 * for losing, and a zone set is usually a handful of ranges.
 */
const SCAN = 8;

/** Whether the IPv4 ranges of a set hold `n`: halved down to SCAN ranges, then scanned. */
export function containsV4(ranges: Uint32Array, n: number): boolean {
  // Invariant: the last range starting at or before n (the only one that can hold it) is in [lo, hi).
  let lo = 0;
  let hi = ranges.length >> 1;
  while (hi - lo > SCAN) {
    const mid = (lo + hi) >> 1;
    if (n < ranges[mid * 2]!) hi = mid;
    else lo = mid;
  }
  for (let i = lo * 2; i < hi * 2; i += 2) {
    if (n < ranges[i]!) return false;
    if (n <= ranges[i + 1]!) return true;
  }
  return false;
}

/** Whether the IPv6 ranges of a set hold the address in `a` (four words), as containsV4 does, comparing 128 bits word by word. */
export function containsV6(ranges: Uint32Array, a: Uint32Array): boolean {
  let lo = 0;
  let hi = ranges.length >> 3;
  while (hi - lo > SCAN) {
    const mid = (lo + hi) >> 1;
    if (compareAt(a, 0, ranges, mid * 8, 4) < 0) hi = mid;
    else lo = mid;
  }
  for (let i = lo * 8; i < hi * 8; i += 8) {
    if (compareAt(a, 0, ranges, i, 4) < 0) return false;
    if (compareAt(a, 0, ranges, i + 4, 4) <= 0) return true;
  }
  return false;
}

/** Whether `set` holds `address` (zone compilation and tests; decisions read through an AddressReader). */
export function contains(set: RangeSet, address: Address): boolean {
  return address.family === 4 ? containsV4(set.v4, address.words[0]!) : containsV6(set.v6, Uint32Array.from(address.words));
}

const READER_CACHE = 10_000;

/**
 * Reads client addresses for decisions without allocating: dotted-decimal IPv4 and IPv6 written in
 * hexadecimal groups (with at most one `::`) are read character by character; any other text (an
 * IPv6 address with an IPv4 tail or a zone index, or text that is no address) goes through
 * parseAddress once and is then kept in a bounded cache (PEPs ask about the same clients again and
 * again). The words land in `words`, valid until the next read.
 */
export class AddressReader {
  readonly words = new Uint32Array(4);
  private readonly parsed = new Map<string, Address | null>();

  /** The family of `text` (0: not an address); its words are then in `words`. */
  read(text: string | undefined): 0 | 4 | 6 {
    if (text === undefined) return 0;
    const n = dottedQuad(text);
    if (n >= 0) {
      this.words[0] = n;
      return 4;
    }
    const family = hexGroups(text, this.words);
    if (family !== 0) return family;
    let address = this.parsed.get(text);
    if (address === undefined) {
      address = parseAddress(text) ?? null;
      if (this.parsed.size >= READER_CACHE) this.parsed.clear();
      this.parsed.set(text, address);
    }
    if (address === null) return 0;
    for (let k = 0; k < address.words.length; k++) this.words[k] = address.words[k]!;
    return address.family;
  }
}

/** The 16-bit groups of the IPv6 text hexGroups is reading (decisions are synchronous). */
const GROUPS = new Uint32Array(8);

/**
 * IPv6 as eight groups of 1–4 hex digits, or fewer around one `::` (at most seven then), exactly as
 * node:net's isIPv6 accepts that form, read into `words` as parseAddress would (an IPv4-mapped
 * address is its IPv4 word); 0 for any other text, which the caller then gives parseAddress.
 */
export function hexGroups(text: string, words: Uint32Array): 0 | 4 | 6 {
  const n = text.length;
  if (n < 2 || n > 39) return 0;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return 0;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    const start = i;
    let value = 0;
    let c = 0;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (c <= 57) {
        if (c < 48) break;
        value = value * 16 + (c - 48);
      } else {
        const lower = c | 32;
        if (lower < 97 || lower > 102) break;
        value = value * 16 + (lower - 87);
      }
    }
    const digits = i - start;
    if (digits === 0 || digits > 4 || count === 8) return 0;
    GROUPS[count++] = value;
    if (i === n) break;
    if (c !== 58) return 0;
    if (++i === n) return 0;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return 0;
      gap = count;
      i++;
    }
  }
  if (gap < 0) {
    if (count !== 8) return 0;
  } else {
    if (count > 7) return 0;
    // The groups written after the gap move to the end; the gap is zeros.
    const missing = 8 - count;
    for (let at = 7; at >= gap + missing; at--) GROUPS[at] = GROUPS[at - missing]!;
    for (let at = gap; at < gap + missing; at++) GROUPS[at] = 0;
  }
  for (let k = 0; k < 4; k++) words[k] = GROUPS[2 * k]! * 65_536 + GROUPS[2 * k + 1]!;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
    words[0] = words[3]!;
    return 4;
  }
  return 6;
}

/**
 * `text` as an IPv4 number when it is four decimal parts of 0–255 without leading zeros (exactly
 * what node:net's isIPv4 accepts), else −1 (the caller then asks parseAddress).
 */
function dottedQuad(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) {
      // A part of more than one digit may not start with 0; one above 255 is refused at its end.
      if (digits !== 0 && part === 0) return -1;
      part = part * 10 + d;
      digits++;
    } else if (d === -2) {
      if (digits === 0 || part > 255 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else return -1;
  }
  return dots === 3 && digits !== 0 && part <= 255 ? n * 256 + part : -1;
}
