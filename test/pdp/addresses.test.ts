import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AddressReader, containsV4, hexGroups, containsV6, intersect, parseRange, parseSubnet, RangeBuilder, subtract, type RangeSet } from '../../src/pdp/addresses.js';

/**
 * The word-based address sets against a naive model on 128-bit integers: ranges and subnets of
 * either family (prefixes of every length, so masks fall inside and across the 32-bit words),
 * merged and subtracted, searched by a reader that parses dotted IPv4 by hand.
 */

/** An address as a bigint (the naive model): IPv4-mapped IPv6 as its IPv4 number, like the index. */
function naive(text: string): { family: 4 | 6; n: bigint } | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  let address = ipaddr.parse(text);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  const bytes = address.toByteArray();
  return { family: address.kind() === 'ipv4' ? 4 : 6, n: bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n) };
}

const toV6 = (n: bigint) => Array.from({ length: 8 }, (_, k) => ((n >> BigInt(112 - 16 * k)) & 0xffffn).toString(16)).join(':');
const toV4 = (n: bigint) => Array.from({ length: 4 }, (_, k) => String((n >> BigInt(24 - 8 * k)) & 0xffn)).join('.');

/** Addresses near a 32-bit word boundary of IPv6 (where carries and masks cross words), and IPv4 ones. */
const v6 = fc.tuple(fc.constantFrom(0n, 1n << 32n, 1n << 64n, 1n << 96n, (1n << 128n) - 1n), fc.bigInt({ min: -300n, max: 300n })).map(([base, d]) => {
  const n = base + d;
  return toV6(n < 0n ? 0n : n >= 1n << 128n ? (1n << 128n) - 1n : n);
});
const v4 = fc.tuple(fc.constantFrom(0n, 1n << 8n, 1n << 24n, 0xffffffffn), fc.bigInt({ min: -300n, max: 300n })).map(([base, d]) => {
  const n = base + d;
  return toV4(n < 0n ? 0n : n > 0xffffffffn ? 0xffffffffn : n);
});
const entry = fc.oneof(
  fc.tuple(v6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => ({ kind: 'subnet' as const, text: `${a}/${p}` })),
  fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => ({ kind: 'subnet' as const, text: `${a}/${p}` })),
  fc.tuple(v6, v6).map(([a, b]) => ({ kind: 'range' as const, text: `${a}-${b}` })),
  fc.tuple(v4, v4).map(([a, b]) => ({ kind: 'range' as const, text: `${a}-${b}` })),
);

/** The naive [start, end] of an entry, or undefined when the index must refuse it too. */
function naiveRange(e: { kind: 'subnet' | 'range'; text: string }): { family: 4 | 6; start: bigint; end: bigint } | undefined {
  if (e.kind === 'range') {
    const [a, b] = e.text.split('-').map(naive);
    if (!a || !b || a.family !== b.family || a.n > b.n) return undefined;
    return { family: a.family, start: a.n, end: b.n };
  }
  const [text, bits] = e.text.split('/');
  const base = naive(text!)!;
  const width = base.family === 4 ? 32 : 128;
  const prefix = Number(bits);
  if (prefix > width) return undefined;
  const host = (1n << BigInt(width - prefix)) - 1n;
  return { family: base.family, start: base.n & ~host, end: (base.n & ~host) | host };
}

type Entry = typeof entry extends fc.Arbitrary<infer E> ? E : never;

/** The set of some entries, each parsed (or refused) as the naive model does. */
function build(entries: readonly Entry[]): RangeSet {
  const builder = new RangeBuilder();
  for (const e of entries) {
    const range = e.kind === 'range' ? parseRange(e.text) : parseSubnet(e.text);
    expect(range !== undefined, e.text).toBe(naiveRange(e) !== undefined);
    if (range) builder.add(range[0], range[1]);
  }
  return builder.build();
}

/** Whether an entry of `entries` holds `a` (the naive model). */
const inAny = (entries: readonly Entry[], a: { family: 4 | 6; n: bigint }) =>
  entries.some((e) => {
    const r = naiveRange(e);
    return r !== undefined && r.family === a.family && r.start <= a.n && a.n <= r.end;
  });

/** Whether `set` holds `client`, read as decisions read it. */
function held(set: RangeSet, client: string): boolean {
  const reader = new AddressReader();
  const family = reader.read(client);
  expect(family).toBe(naive(client)!.family);
  return family === 4 ? containsV4(set.v4, reader.words[0]!) : containsV6(set.v6, reader.words);
}

const entries = (min: number, max: number) => fc.array(entry, { minLength: min, maxLength: max });
const clients = fc.array(fc.oneof(v4, v6), { minLength: 1, maxLength: 20 });

describe('address sets', () => {
  it('hold exactly the addresses of their ranges and subnets, minus exclusions', () => {
    fc.assert(
      fc.property(entries(1, 6), entries(0, 3), clients, (included, excluded, addresses) => {
        const set = subtract(build(included), build(excluded));
        for (const client of addresses) {
          const a = naive(client)!;
          expect(held(set, client), `${client} in ${JSON.stringify(included)} minus ${JSON.stringify(excluded)}`).toBe(inAny(included, a) && !inAny(excluded, a));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('intersect to exactly the addresses both hold', () => {
    fc.assert(
      fc.property(entries(0, 6), entries(0, 6), clients, (left, right, addresses) => {
        const set = intersect(build(left), build(right));
        for (const client of addresses) {
          const a = naive(client)!;
          expect(held(set, client), `${client} in ${JSON.stringify(left)} and ${JSON.stringify(right)}`).toBe(inAny(left, a) && inAny(right, a));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('are searched right however many ranges they hold (halved to a few, then scanned)', () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    const range = fc.tuple(word, fc.integer({ min: 0, max: 5_000 }));
    fc.assert(
      fc.property(fc.array(range, { maxLength: 80 }), fc.array(word, { maxLength: 10 }), fc.boolean(), (ranges, probes, asV6) => {
        const builder = new RangeBuilder();
        const spans = ranges.map(([start, length]) => [start, Math.min(0xffffffff, start + length)] as const);
        // IPv6: the same spans in the third word, under a fixed prefix, so 128-bit compares decide.
        const v6Of = (n: number) => [0x20010db8, 7, n, 0];
        for (const [start, end] of spans) builder.add(asV6 ? { family: 6, words: v6Of(start) } : { family: 4, words: [start] }, asV6 ? { family: 6, words: v6Of(end) } : { family: 4, words: [end] });
        const set = builder.build();
        // Probes at and around every range's ends as well as random words.
        const near = spans.flatMap(([start, end]) => [start - 1, start, end, end + 1]).filter((n) => n >= 0 && n <= 0xffffffff);
        for (const n of [...probes, ...near]) {
          const held = spans.some(([start, end]) => start <= n && n <= end);
          expect(asV6 ? containsV6(set.v6, Uint32Array.from(v6Of(n))) : containsV4(set.v4, n), `${n} in ${JSON.stringify(spans)}`).toBe(held);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('read dotted IPv4 text exactly as node:net accepts it', () => {
    const reader = new AddressReader();
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9.]{0,16}$/), (text) => {
        const family = reader.read(text);
        expect(family === 4, text).toBe(isIPv4(text));
        if (family === 4) expect(BigInt(reader.words[0]!)).toBe(naive(text)!.n);
      }),
      { numRuns: 2_000 },
    );
    for (const text of ['01.2.3.4', '1.2.3.04', '256.0.0.1', '1.2.3', '1..2.3', '1.2.3.4.', ' 1.2.3.4', '']) expect(reader.read(text), text).toBe(0);
    expect(reader.read('::ffff:192.0.2.10')).toBe(4);
    expect(reader.words[0]).toBe(0xc000020a);
    expect(reader.read(undefined)).toBe(0);
  });

  it('read IPv6 hex groups by hand exactly as node:net accepts them, and leave every other form to the parser', () => {
    const words = new Uint32Array(4);
    const check = (text: string) => {
      const family = hexGroups(text, words);
      // Without an IPv4 tail or a zone index, the hand reader takes exactly the addresses node:net does.
      expect(family !== 0, text).toBe(isIPv6(text) && !/[.%]/.test(text));
      if (family === 0) return;
      const a = naive(text)!;
      expect(family, text).toBe(a.family);
      const read = family === 4 ? BigInt(words[0]!) : words.reduce((n, w) => (n << 32n) | BigInt(w), 0n);
      expect(read, text).toBe(a.n);
    };
    // Text near the form: any of its characters, colons over-represented.
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-fA-F:]{0,42}$/), check), { numRuns: 3_000 });
    // Valid addresses, each run of zero groups compressed or not, in either case.
    const compressed = fc
      .tuple(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), fc.nat(8), fc.nat(8), fc.boolean())
      .map(([groups, from, length, upper]) => {
        const text = groups.map((g) => g.toString(16)).join(':');
        const start = Math.min(from, 7);
        const end = Math.min(8, start + Math.max(1, length));
        const squeezed = `${groups.slice(0, start).map((g) => g.toString(16)).join(':')}::${groups.slice(end).map((g) => g.toString(16)).join(':')}`;
        const chosen = length === 0 ? text : squeezed;
        return upper ? chosen.toUpperCase() : chosen;
      });
    fc.assert(fc.property(compressed, check), { numRuns: 3_000 });
    for (const text of ['::', '::1', '1::', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8', '::ffff:c000:20a', '1:2:3:4:5:6:7:8::', '1::2::3', ':1::', '1:::2', '12345::', '::ffff:1.2.3.4', 'fe80::1%eth0']) check(text);
    // The forms it leaves (IPv4 tail, zone index) the reader still reads through the parser.
    const reader = new AddressReader();
    expect(reader.read('::ffff:192.0.2.10')).toBe(4);
    expect(reader.read('fe80::1%eth0')).toBe(6);
    expect(reader.words[0]).toBe(0xfe800000);
  });
});
