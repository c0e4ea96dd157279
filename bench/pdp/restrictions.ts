import type { RestrictionRule, RestrictionZone, ZoneAddress } from '../../src/pdp/restrictions.js';
import { ACCOUNT, random, type BenchRequest, type Model } from './model.js';

/**
 * Context-based restrictions for the decision benchmark: 1,000 zones of 10 addresses each (IPv4
 * addresses, ranges and subnets; IPv6 subnets and ranges) and 1,000 enabled rules of the benchmark
 * account — one per service, the rest on single instances (each naming its service's zone too) —
 * and the requests with a client address: mostly from a zone of the resource's service, so its
 * permits stay permits, 5% from nowhere (refused).
 */

export const ZONES = 1_000;
export const RULES = 1_000;

/** Zone k: 4 addresses, 2 ranges and 2 subnets in 10.<k>.0.0/16, an IPv6 subnet and an IPv6 range under 2001:db8:<k>::/48. */
function zoneOf(k: number): RestrictionZone {
  const a = (k >> 8) & 255;
  const b = k & 255;
  const v4 = (c: number, d: number) => `10.${a}.${b}.${c * 16 + d}`;
  const hex = k.toString(16);
  const addresses: ZoneAddress[] = [
    { type: 'ipAddress', value: v4(0, 1) },
    { type: 'ipAddress', value: v4(0, 5) },
    { type: 'ipAddress', value: v4(0, 9) },
    { type: 'ipAddress', value: v4(0, 13) },
    { type: 'ipRange', value: `${v4(1, 0)}-${v4(1, 15)}` },
    { type: 'ipRange', value: `${v4(3, 0)}-${v4(3, 7)}` },
    { type: 'subnet', value: `${v4(4, 0)}/28` },
    { type: 'subnet', value: `${v4(8, 0)}/27` },
    { type: 'subnet', value: `2001:db8:${hex}:1::/64` },
    { type: 'ipRange', value: `2001:db8:${hex}:2::10-2001:db8:${hex}:2::ff` },
  ];
  return { id: `zone-${k}`, accountId: ACCOUNT, addresses, excluded: [{ type: 'ipAddress', value: v4(4, 3) }] };
}

/** Addresses inside zone k (what its clients use). */
function clientsOf(k: number): string[] {
  const a = (k >> 8) & 255;
  const b = k & 255;
  const hex = k.toString(16);
  return [`10.${a}.${b}.1`, `10.${a}.${b}.9`, `10.${a}.${b}.20`, `10.${a}.${b}.66`, `10.${a}.${b}.140`, `2001:db8:${hex}:1::7`, `2001:db8:${hex}:2::80`];
}

const rule = (id: string, zoneIds: string[], attributes: Array<{ name: string; value: string }>): RestrictionRule => ({
  id,
  accountId: ACCOUNT,
  enforcementMode: 'enabled',
  resources: [{ attributes: [{ name: 'accountId', value: ACCOUNT }, ...attributes], tags: [] }],
  contexts: [{ attributes: [{ name: 'networkZoneId', value: zoneIds.join(',') }] }],
  apiTypes: [],
});

export function buildRestrictions(model: Model, seed = 5): { zones: RestrictionZone[]; rules: RestrictionRule[]; zoneOfService: Map<string, number> } {
  const rnd = random(seed);
  const zones = Array.from({ length: ZONES }, (_, k) => zoneOf(k));
  const zoneOfService = new Map(model.services.map((s, i) => [s, i]));
  const rules: RestrictionRule[] = model.services.map((s, i) => rule(`rule-svc-${i}`, [`zone-${i}`], [{ name: 'serviceName', value: s }]));
  for (let i = rules.length; i < RULES; i++) {
    const instance = model.instances[Math.floor(rnd() * model.instances.length)]!;
    const own = model.services.length + (i % (ZONES - model.services.length));
    rules.push(rule(`rule-inst-${i}`, [`zone-${own}`, `zone-${zoneOfService.get(instance.service)}`], [{ name: 'serviceName', value: instance.service }, { name: 'serviceInstance', value: instance.id }]));
  }
  return { zones, rules, zoneOfService };
}

/**
 * The requests with a client address and a public endpoint: from their service's zone, or (5%) from
 * outside every zone. Each is built whole, its subject, resource and environment beside it, as a
 * server that parses a request body has them: a shallow copy (`{ ...r, environment }`) would leave
 * the copy's subject and resource where the plain requests were allocated, and reading a decision's
 * objects from two places costs a third of the throughput at 200,000 requests (measured; the
 * decision code is the same).
 */
export function withEnvironment(requests: readonly BenchRequest[], zoneOfService: Map<string, number>, seed = 9): BenchRequest[] {
  const rnd = random(seed);
  return requests.map((r) => {
    const zone = zoneOfService.get(r.resource.serviceName ?? '') ?? 0;
    const clients = clientsOf(zone);
    // Through JSON, as a parsed body has it: a flat string of its own, not the concatenation built above.
    const ip = JSON.parse(JSON.stringify(rnd() < 0.05 ? `192.0.2.${Math.floor(rnd() * 250)}` : clients[Math.floor(rnd() * clients.length)]!)) as string;
    return {
      userIndex: r.userIndex,
      subject: { ...r.subject },
      action: r.action,
      resource: { ...r.resource },
      environment: { ip, attributes: { ipAddress: ip, networkType: 'public' } },
    };
  });
}
