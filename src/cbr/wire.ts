import { accountScope, formatCrn } from '../kernel/crn.js';
import { wireOf } from './addresses.js';
import { CBR_SERVICE, cbrCrn } from './context.js';
import { LIMITS, type AccountUsage, type Rule, type Zone } from './types.js';

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

/** The account settings (`AccountSettings`): limits, usage, and where they are read. */
export function renderAccountSettings(base: string, usage: AccountUsage) {
  const accountId = usage.accountId;
  return {
    id: accountId,
    crn: formatCrn({ serviceName: CBR_SERVICE, location: 'global', scope: accountScope(accountId), resourceType: 'settings', resource: accountId }),
    rule_count_limit: LIMITS.rulesPerAccount,
    zone_count_limit: LIMITS.zonesPerAccount,
    tags_rule_count_limit: LIMITS.tagRulesPerAccount,
    current_rule_count: usage.rules,
    current_zone_count: usage.zones,
    current_tags_rule_count: usage.tagRules,
    href: `${base}/v1/account_settings/${accountId}`,
  };
}
