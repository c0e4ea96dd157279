import { isIPv4, isIPv6 } from 'node:net';

/**
 * Network addresses as numbers, and sets of them as sorted disjoint ranges, for context-based
 * restrictions. IPv4 addresses are numbers (0 … 2³²−1) and IPv6 addresses bigints; an IPv4-mapped
 * IPv6 address (`::ffff:192.0.2.1`) is its IPv4 address, so zones written in IPv4 match it.
 */

export type ParsedAddress = { readonly v6: false; readonly n: number } | { readonly v6: true; readonly n: bigint };

/** Ranges of one family: starts and ends (inclusive) of disjoint ranges, in ascending order. */
export interface RangeSet {
  /** IPv4: [start0, end0, start1, end1, …]. */
  readonly v4: Float64Array;
  /** IPv6: the same layout, as bigints. */
  readonly v6: readonly bigint[];
}

export const EMPTY_RANGES: RangeSet = { v4: new Float64Array(0), v6: [] };

const IPV4_MAPPED = 0xffffn;

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
export function parseAddress(text: string): ParsedAddress | undefined {
  if (isIPv4(text)) return { v6: false, n: v4Number(text) };
  if (!isIPv6(text)) return undefined;
  const bare = text.split('%')[0]!;
  const gap = bare.indexOf('::');
  const left = groupsOf(gap >= 0 ? bare.slice(0, gap) : bare);
  const right = gap >= 0 ? groupsOf(bare.slice(gap + 2)) : [];
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  if (n >> 32n === IPV4_MAPPED) return { v6: false, n: Number(n & 0xffffffffn) };
  return { v6: true, n };
}

/** `a-b` (both of one family, a ≤ b) as [start, end], or undefined when it is not a range. */
export function parseRange(text: string): [ParsedAddress, ParsedAddress] | undefined {
  const parts = text.split('-');
  if (parts.length !== 2) return undefined;
  const start = parseAddress(parts[0]!);
  const end = parseAddress(parts[1]!);
  if (!start || !end || start.v6 !== end.v6 || start.n > end.n) return undefined;
  return [start, end];
}

/** `address/prefix` as [first, last] address of the subnet, or undefined when it is not a subnet. */
export function parseSubnet(text: string): [ParsedAddress, ParsedAddress] | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const base = parseAddress(text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  if (!base) return undefined;
  if (base.v6) {
    if (prefix > 128) return undefined;
    const host = (1n << BigInt(128 - prefix)) - 1n;
    const first = base.n & ~host & ((1n << 128n) - 1n);
    return [{ v6: true, n: first }, { v6: true, n: first | host }];
  }
  if (prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = base.n - (base.n % size);
  return [{ v6: false, n: first }, { v6: false, n: first + size - 1 }];
}

/** Collects ranges of both families and merges them into a RangeSet. */
export class RangeBuilder {
  private readonly v4: Array<[number, number]> = [];
  private readonly v6: Array<[bigint, bigint]> = [];

  add(start: ParsedAddress, end: ParsedAddress): void {
    if (start.v6 && end.v6) this.v6.push([start.n, end.n]);
    else if (!start.v6 && !end.v6) this.v4.push([start.n, end.n]);
  }

  addSet(set: RangeSet): void {
    for (let i = 0; i < set.v4.length; i += 2) this.v4.push([set.v4[i]!, set.v4[i + 1]!]);
    for (let i = 0; i < set.v6.length; i += 2) this.v6.push([set.v6[i]!, set.v6[i + 1]!]);
  }

  build(): RangeSet {
    return { v4: Float64Array.from(merge(this.v4, 1).flat()), v6: merge(this.v6, 1n).flat() };
  }
}

function merge<T extends number | bigint>(ranges: Array<[T, T]>, one: T): Array<[T, T]> {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[T, T]> = [];
  for (const [s, e] of ranges) {
    const last = out[out.length - 1];
    // Adjacent ranges (end + 1 = next start) merge too.
    if (last && s <= ((last[1] as number) + (one as number)) as unknown as T) {
      if (e > last[1]) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
}

/** `set` without the addresses of `minus`. */
export function subtract(set: RangeSet, minus: RangeSet): RangeSet {
  return { v4: Float64Array.from(subtractFamily(Array.from(set.v4), Array.from(minus.v4), 1)), v6: subtractFamily([...set.v6], [...minus.v6], 1n) };
}

function subtractFamily<T extends number | bigint>(set: T[], minus: T[], one: T): T[] {
  const add = (a: T, b: T) => ((a as number) + (b as number)) as unknown as T;
  const sub = (a: T, b: T) => ((a as number) - (b as number)) as unknown as T;
  const out: T[] = [];
  let m = 0;
  for (let i = 0; i < set.length; i += 2) {
    let start = set[i]!;
    const end = set[i + 1]!;
    while (m < minus.length && minus[m + 1]! < start) m += 2;
    let k = m;
    while (k < minus.length && minus[k]! <= end && start <= end) {
      if (minus[k]! > start) out.push(start, sub(minus[k]!, one));
      start = add(minus[k + 1]!, one);
      k += 2;
    }
    if (start <= end) out.push(start, end);
  }
  return out;
}

/** Whether `set` holds `address`: a binary search over its ranges. */
export function contains(set: RangeSet, address: ParsedAddress): boolean {
  const ranges = address.v6 ? set.v6 : set.v4;
  const n = address.n;
  let lo = 0;
  let hi = (ranges.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (n < ranges[mid * 2]!) hi = mid - 1;
    else if (n > ranges[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}
