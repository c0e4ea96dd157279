import { wireOf } from './addresses.js';
import { cbrCrn } from './context.js';
import type { Rule, Zone } from './types.js';

/** Stored zones and rules → the CBR API's JSON. */

const PREVIEW = 5;

const stamps = (href: string, e: { createdAt: string; createdById: string; lastModifiedAt: string; lastModifiedById: string }) => ({
  href,
  created_at: e.createdAt,
  created_by_id: e.createdById,
  last_modified_at: e.lastModifiedAt,
  last_modified_by_id: e.lastModifiedById,
});

export const zoneHref = (base: string, id: string) => `${base}/v1/zones/${id}`;
export const ruleHref = (base: string, id: string) => `${base}/v1/rules/${id}`;

export function renderZone(base: string, zone: Zone) {
  return {
    id: zone.id,
    crn: cbrCrn(zone.accountId, 'zone', zone.id),
    address_count: zone.addresses.length,
    excluded_count: zone.excluded.length,
    name: zone.name,
    account_id: zone.accountId,
    description: zone.description,
    addresses: zone.addresses.map(wireOf),
    excluded: zone.excluded.map(wireOf),
    ...stamps(zoneHref(base, zone.id), zone),
  };
}

export function renderZoneSummary(base: string, zone: Zone) {
  return {
    id: zone.id,
    crn: cbrCrn(zone.accountId, 'zone', zone.id),
    name: zone.name,
    description: zone.description,
    addresses_preview: zone.addresses.slice(0, PREVIEW).map(wireOf),
    address_count: zone.addresses.length,
    excluded_count: zone.excluded.length,
    ...stamps(zoneHref(base, zone.id), zone),
  };
}

export function renderRule(base: string, rule: Rule) {
  return {
    id: rule.id,
    crn: cbrCrn(rule.accountId, 'rule', rule.id),
    description: rule.description,
    contexts: rule.contexts,
    resources: rule.resources,
    ...(rule.operations ? { operations: rule.operations } : {}),
    enforcement_mode: rule.enforcementMode,
    ...stamps(ruleHref(base, rule.id), rule),
  };
}
