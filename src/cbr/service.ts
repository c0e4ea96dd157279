import type { Actor } from '../kernel/principal.js';
import { accountScope, formatCrn } from '../kernel/crn.js';
import { createCatalogue } from './catalogue.js';
import { ACCOUNT_ID, CBR_SERVICE, type CbrContext } from './context.js';
import { cbrErrors } from './errors.js';
import { createRuleOperations } from './rules.js';
import { LIMITS } from './types.js';
import { createZoneOperations } from './zones.js';

/**
 * The CBR domain: zones, rules, the catalogue of what can be protected and referenced, and the
 * account settings (limits and usage). Enforcement lives in the decision point (src/pdp/
 * restrictions.ts) and, for Portcullis's own APIs, in enforcement.ts.
 */
export function createCbrService(ctx: CbrContext) {
  const catalogue = createCatalogue(ctx);
  const rules = createRuleOperations(ctx, catalogue);
  return {
    zones: createZoneOperations(ctx),
    rules,
    catalogue,

    async accountSettings(actor: Actor, accountId: string) {
      if (!ACCOUNT_ID.test(accountId)) throw cbrErrors.parameter('account_id', 'path');
      await ctx.authorizer.authorize(
        actor.principal,
        'context-based-restrictions.account-settings.read',
        { accountId, serviceName: CBR_SERVICE },
        actor.environment,
      );
      const counts = await rules.counts(accountId);
      return {
        id: accountId,
        crn: formatCrn({ serviceName: CBR_SERVICE, location: 'global', scope: accountScope(accountId), resourceType: 'settings', resource: accountId }),
        rule_count_limit: LIMITS.rulesPerAccount,
        zone_count_limit: LIMITS.zonesPerAccount,
        tags_rule_count_limit: LIMITS.tagRulesPerAccount,
        current_rule_count: counts.rules,
        current_zone_count: counts.zones,
        current_tags_rule_count: counts.tagRules,
        href: `${ctx.site.url}/v1/account_settings/${accountId}`,
      };
    },
  };
}

export type CbrService = ReturnType<typeof createCbrService>;
