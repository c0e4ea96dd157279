import type { Actor } from '../kernel/principal.js';
import { createCatalogue } from './catalogue.js';
import { ACCOUNT_ID, CBR_SERVICE, type CbrContext } from './context.js';
import { cbrErrors } from './errors.js';
import { createRuleOperations } from './rules.js';
import type { AccountUsage } from './types.js';
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

    /** The account's CBR usage (its limits are fixed: wire.ts renders them beside it). */
    async accountSettings(actor: Actor, accountId: string): Promise<AccountUsage> {
      if (!ACCOUNT_ID.test(accountId)) throw cbrErrors.parameter('account_id', 'path');
      await ctx.authorizer.authorize(
        actor.principal,
        'context-based-restrictions.account-settings.read',
        { accountId, serviceName: CBR_SERVICE },
        actor.environment,
      );
      return { accountId, ...(await rules.counts(accountId)) };
    },
  };
}

export type CbrService = ReturnType<typeof createCbrService>;
