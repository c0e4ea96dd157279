import type { RestrictionRule, RestrictionZone } from '../pdp/index.js';
import type { Rule, Zone } from './types.js';

/** Stored zones and rules as the decision point's restriction stage reads them. */

export const restrictionZoneOf = (zone: Zone): RestrictionZone => ({
  id: zone.id,
  accountId: zone.accountId,
  addresses: zone.addresses,
  excluded: zone.excluded,
});

export const restrictionOf = (rule: Rule): RestrictionRule => ({
  id: rule.id,
  accountId: rule.accountId,
  enforcementMode: rule.enforcementMode,
  resources: rule.resources.map((r) => ({ attributes: r.attributes, tags: r.tags ?? [] })),
  contexts: rule.contexts,
  apiTypes: (rule.operations?.api_types ?? []).map((t) => t.api_type_id),
});
