import ipaddr from 'ipaddr.js';
import type { RestrictionRule, RestrictionZone, ZoneAddress } from '../../src/pdp/restrictions.js';
import type { DecisionRequest } from '../../src/pdp/types.js';
import { wildcardMatches } from './naive.js';

/**
 * The reference evaluator of context-based restrictions: every rule read in turn, every zone
 * address tested on its own with ipaddr.js (no ranges merged, no index). A request the grant search
 * permitted is refused by the first enabled rule that covers it and that no context admits;
 * a report-only rule in that position is reported instead.
 */
export function naiveRestriction(
  zones: readonly RestrictionZone[],
  rules: readonly RestrictionRule[],
  request: DecisionRequest,
  serviceName: string,
  groupOf: (service: string) => string | undefined,
): { refusedBy?: string; reportedBy?: string } {
  if (request.environment === undefined) return {};
  const out: { refusedBy?: string; reportedBy?: string } = {};
  for (const rule of rules) {
    if (rule.accountId !== request.resource.accountId || rule.enforcementMode === 'disabled') continue;
    if (!covers(rule, request, serviceName, groupOf)) continue;
    if (admits(zones, rule, request)) continue;
    if (rule.enforcementMode === 'enabled') out.refusedBy ??= rule.id;
    else out.reportedBy ??= rule.id;
  }
  return out;
}

function covers(rule: RestrictionRule, request: DecisionRequest, serviceName: string, groupOf: (s: string) => string | undefined): boolean {
  const parent = serviceName.split('.')[0]!;
  if (rule.apiTypes.length > 0 && !rule.apiTypes.some((t) => t === 'crn:v1:bluemix:public:context-based-restrictions::::api-type:' || [serviceName, parent].includes(t.split(':')[4]!))) return false;
  return rule.resources.some((resource) =>
    resource.attributes.every((a) => {
      switch (a.name) {
        case 'accountId':
          return a.value === request.resource.accountId;
        case 'serviceName':
          return a.value === serviceName || a.value === parent;
        case 'service_group_id':
          return groupOf(serviceName) === a.value;
        default: {
          const value = request.resource[a.name];
          return value !== undefined && (a.operator === 'stringMatch' ? wildcardMatches(a.value, value) : a.value === value);
        }
      }
    }) &&
    resource.tags.every((t) => (request.tags?.[t.name] ?? []).some((v) => (t.operator === 'stringMatch' ? wildcardMatches(t.value, v) : t.value === v))),
  );
}

function admits(zones: readonly RestrictionZone[], rule: RestrictionRule, request: DecisionRequest): boolean {
  const attributes = request.environment?.attributes ?? {};
  const endpoint = attributes.networkType ?? attributes.endpointType;
  const ip = request.environment?.ip ?? attributes.ipAddress;
  return rule.contexts.some((context) => {
    let zoneIds: string[] | undefined;
    for (const a of context.attributes) {
      const values = a.value.split(',').map((v) => v.trim());
      if (a.name === 'endpointType' && (endpoint === undefined || !values.includes(endpoint))) return false;
      if (a.name === 'networkZoneId') zoneIds = [...(zoneIds ?? []), ...values];
    }
    if (zoneIds === undefined) return true;
    return zoneIds.some((id) => {
      const zone = zones.find((z) => z.id === id && z.accountId === rule.accountId);
      return zone !== undefined && ip !== undefined && zone.addresses.some((a) => holds(a, ip)) && !zone.excluded.some((a) => holds(a, ip));
    });
  });
}

/** Whether one zone entry holds the address (IPv4-mapped IPv6 counts as its IPv4 address). */
export function holds(entry: ZoneAddress, text: string): boolean {
  if (entry.type === 'serviceRef' || entry.type === 'vpc' || entry.type === 'instance') return false;
  if (!ipaddr.isValid(text) || (!text.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(text))) return false;
  let address = ipaddr.parse(text);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  const bytes = address.toByteArray();
  if (entry.type === 'ipAddress') {
    let other = ipaddr.parse(entry.value);
    if (other.kind() === 'ipv6' && (other as ipaddr.IPv6).isIPv4MappedAddress()) other = (other as ipaddr.IPv6).toIPv4Address();
    return other.kind() === address.kind() && other.toByteArray().join('.') === bytes.join('.');
  }
  if (entry.type === 'subnet') {
    const [base, bits] = ipaddr.parseCIDR(entry.value);
    return base.kind() === address.kind() && address.match([base, bits] as never);
  }
  const [from, to] = entry.value.split('-').map((p) => ipaddr.parse(p).toByteArray());
  if (from!.length !== bytes.length) return false;
  return compare(from!, bytes) <= 0 && compare(bytes, to!) <= 0;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
