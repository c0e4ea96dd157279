import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Restrictions, type RestrictionRule, type RestrictionZone, type ZoneAddress } from '../../src/pdp/restrictions.js';
import type { DecisionRequest } from '../../src/pdp/types.js';
import { naiveRestriction } from './naive-restrictions.js';

/**
 * The restriction index against the naive evaluator on random worlds: zones of random IPv4/IPv6
 * addresses, ranges and subnets with exclusions, rules on services and instances in every mode
 * and endpoint type, and clients drawn near the zones' edges.
 */

const ACCOUNT = 'acct';
const octet = fc.integer({ min: 0, max: 7 });
const v4 = fc.tuple(octet, octet).map(([c, d]) => `10.0.${c}.${d * 32 + c}`);
const v6 = fc.tuple(octet, octet).map(([c, d]) => `2001:db8::${c}:${d * 32 + c}`);
const entry: fc.Arbitrary<ZoneAddress> = fc.oneof(
  v4.map((value) => ({ type: 'ipAddress' as const, value })),
  v6.map((value) => ({ type: 'ipAddress' as const, value })),
  fc.tuple(octet, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([c, a, b]) => ({ type: 'ipRange' as const, value: `10.0.${c}.${Math.min(a, b)}-10.0.${c}.${Math.max(a, b)}` })),
  fc.tuple(octet, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([c, a, b]) => ({ type: 'ipRange' as const, value: `2001:db8::${c}:${Math.min(a, b).toString(16)}-2001:db8::${c}:${Math.max(a, b).toString(16)}` })),
  fc.tuple(octet, fc.integer({ min: 24, max: 32 })).map(([c, bits]) => ({ type: 'subnet' as const, value: `10.0.${c}.0/${bits}` })),
  fc.tuple(octet, fc.integer({ min: 112, max: 128 })).map(([c, bits]) => ({ type: 'subnet' as const, value: `2001:db8::${c}:0/${bits}` })),
);
const zone = (id: string): fc.Arbitrary<RestrictionZone> =>
  fc.record({ addresses: fc.array(entry, { minLength: 1, maxLength: 5 }), excluded: fc.array(entry, { maxLength: 2 }) }).map((z) => ({ id, accountId: ACCOUNT, ...z }));
const SERVICES = ['kms', 'cloud-object-storage'];
/** A rule; `addressesOnly`: one that asks for nothing but a client address in its zones (no endpoint type). */
const rule = (id: string, addressesOnly = false): fc.Arbitrary<RestrictionRule> =>
  fc
    .record({
      mode: fc.constantFrom('enabled' as const, 'report' as const, 'disabled' as const),
      service: fc.constantFrom(...SERVICES),
      instance: fc.option(fc.constantFrom('i1', 'i2'), { nil: undefined }),
      zones: fc.subarray(['z0', 'z1', 'z2'], { minLength: 1 }),
      endpoint: addressesOnly ? fc.constant(undefined) : fc.option(fc.constantFrom('public', 'private'), { nil: undefined }),
    })
    .map((r) => ({
      id,
      accountId: ACCOUNT,
      enforcementMode: r.mode,
      resources: [
        {
          attributes: [{ name: 'accountId', value: ACCOUNT }, { name: 'serviceName', value: r.service }, ...(r.instance ? [{ name: 'serviceInstance', value: r.instance }] : [])],
          tags: [],
        },
      ],
      contexts: [{ attributes: [{ name: 'networkZoneId', value: r.zones.join(',') }, ...(r.endpoint ? [{ name: 'endpointType', value: r.endpoint }] : [])] }],
      apiTypes: [],
    }));
const request: fc.Arbitrary<DecisionRequest> = fc
  .record({ ip: fc.oneof(v4, v6, fc.tuple(octet, fc.integer({ min: 0, max: 255 })).map(([c, d]) => `10.0.${c}.${d}`)), service: fc.constantFrom(...SERVICES), instance: fc.constantFrom('i1', 'i2', undefined), endpoint: fc.constantFrom('public', 'private') })
  .map((r) => ({
    subject: { id: 'IBMid-X' },
    action: `${r.service}.thing.read`,
    resource: { accountId: ACCOUNT, serviceName: r.service, ...(r.instance ? { serviceInstance: r.instance } : {}) },
    environment: { ip: r.ip, attributes: { ipAddress: r.ip, networkType: r.endpoint } },
  }));

/** Random rules over random zones, checked one by one against the naive evaluator. */
const agreesOnRandomWorlds = (ruleOf: (id: string) => fc.Arbitrary<RestrictionRule>) =>
  fc.assert(
    fc.property(fc.tuple(zone('z0'), zone('z1'), zone('z2')), fc.array(ruleOf('r'), { minLength: 1, maxLength: 4 }), fc.array(request, { minLength: 1, maxLength: 20 }), (zones, rawRules, requests) => {
      const rules = rawRules.map((r, i) => ({ ...r, id: `r${i}` }));
      const index = new Restrictions();
      // Rules first, zones after: a zone change must reach the rules that name it.
      for (const r of rules) index.upsertRule(r);
      for (const z of zones) index.upsertZone(z);
      for (const req of requests) {
        const verdict = index.check(req, req.resource.serviceName!, undefined, false);
        const naive = naiveRestriction(zones, rules, req, req.resource.serviceName!, () => undefined);
        expect(verdict?.rule?.mode === 'enabled', JSON.stringify(req)).toBe(naive.refusedBy !== undefined);
        if (naive.refusedBy === undefined) expect(verdict?.rule?.mode === 'report').toBe(naive.reportedBy !== undefined);
      }
    }),
    { numRuns: 300 },
  );

describe('the restriction index agrees with the naive evaluator', () => {
  it('on random zones, rules and clients', () => agreesOnRandomWorlds((id) => rule(id)));

  // Rules that ask only for an address are passed by their plan's and list's gates (the addresses
  // all of them admit) without being read: a client in every rule's zones but one must still be refused.
  it('on rules that ask only for an address, which gates pass unread', () => agreesOnRandomWorlds((id) => rule(id, true)));

  it('through the plans and accounts it keeps for decisions, while rules come and go', () => {
    // What the decision point passes: each service's catalog grants (an ordinal each) and the account index's ordinal.
    const services = new Map(SERVICES.map((name, ordinal) => [name, { groupId: undefined, ordinal }]));
    const ACCOUNT_ORDINAL = 0;
    const step = fc.oneof(rule('r').map((r) => ({ upsert: r })), fc.nat(3).map((n) => ({ remove: `r${n}` })));
    fc.assert(
      fc.property(fc.tuple(zone('z0'), zone('z1'), zone('z2')), fc.array(fc.tuple(step, fc.nat(3)), { minLength: 1, maxLength: 8 }), fc.array(request, { minLength: 1, maxLength: 10 }), (zones, steps, requests) => {
        const index = new Restrictions();
        for (const z of zones) index.upsertZone(z);
        const rules = new Map<string, RestrictionRule>();
        for (const [change, n] of steps) {
          if ('upsert' in change) {
            const r = { ...change.upsert, id: `r${n}` };
            rules.set(r.id, r);
            index.upsertRule(r);
          } else {
            rules.delete(change.remove);
            index.removeRule(change.remove);
          }
          for (const req of requests) {
            const name = req.resource.serviceName!;
            const verdict = index.check(req, name, services.get(name), false, ACCOUNT_ORDINAL);
            const naive = naiveRestriction(zones, [...rules.values()], req, name, () => undefined);
            expect(verdict?.rule?.mode === 'enabled', JSON.stringify(req)).toBe(naive.refusedBy !== undefined);
            if (naive.refusedBy === undefined) expect(verdict?.rule?.mode === 'report').toBe(naive.reportedBy !== undefined);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});