import { invalid } from '../kernel/errors.js';
import type { Actor } from '../kernel/principal.js';
import { targetOf, type IdentityContext } from './context.js';
import type { ExtrasStore } from './extras-store.js';

/**
 * Account limits of identity entities and their consumption (`getAccountLimits`, and
 * `bulkListAccountEntityConsumption` for long lists). Every answer carries every limit; a count is
 * added for each entity the request asks about, from the database. Entities this server does not
 * have yet (templates, identity providers) truthfully count 0. Reading them needs `iam-identity.account.get` on the account.
 */

/**
 * IBM Cloud's default identity limits (its "IAM limits" documentation), the one place they are
 * set. IBM raises them per account on request; here they are fixed.
 */
export const IDENTITY_LIMITS = {
  serviceIdGroups: 2000,
  serviceIdsPerGroup: 2000,
  profiles: 2000,
  apiKeysPerIdentity: 20,
  profileTemplates: 100,
  accountSettingsTemplates: 100,
  versionsPerTemplate: 100,
  idps: 5,
  claimRulesPerGroup: 5,
  claimRulesPerProfile: 20,
  crLinks: 2000,
  crLinksPerProfile: 50,
  crRules: 2000,
  crRulesPerProfile: 20,
} as const;

/** Most ids one request may ask counts for, per list. */
export const MAX_IDS_PER_LIST = 100;

export interface LimitsRequest {
  serviceidGroups?: boolean;
  serviceidsPerGroup?: string[];
  profiles?: boolean;
  apikeysPerIdentity?: string[];
  templates?: boolean;
  templateVersionsPerTemplate?: string[];
  idps?: boolean;
  claimRulesPerGroup?: string[];
  claimRulesPerProfile?: string[];
  crLinks?: boolean;
  crLinksPerProfile?: string[];
  crRules?: boolean;
  crRulesPerProfile?: string[];
}

interface LimitCount {
  limit: number;
  count?: number;
}

/** IBM's IdentityLimitsUsageResponse. */
export interface LimitsUsage {
  serviceid_groups: LimitCount;
  serviceids_per_group: { limit: number; serviceid_groups?: Array<{ group_id: string; count: number }> };
  profiles: LimitCount;
  apikeys_per_identity: { limit: number; identities?: Array<{ iam_id: string; count: number }> };
  profile_templates: LimitCount;
  account_settings_templates: LimitCount;
  template_versions_per_template: { limit: number; templates?: Array<{ template_id: string; count: number }> };
  idps: LimitCount;
  claim_rules_per_group: { limit: number };
  claim_rules_per_profile: { limit: number; profiles?: Array<{ profile_id: string; count: number }> };
  cr_links: LimitCount;
  cr_links_per_profile: { limit: number; profiles?: Array<{ profile_id: string; count: number }> };
  cr_rules: LimitCount;
  cr_rules_per_profile: { limit: number; profiles?: Array<{ profile_id: string; count: number }> };
}

const withCount = (limit: number, wanted: boolean | undefined, count: () => number): LimitCount => (wanted ? { limit, count: count() } : { limit });

/** Per-profile entries for the profiles asked about. */
const profileItems = (ids: string[] | undefined, per: Map<string, number>) =>
  ids ? { profiles: ids.map((profile_id) => ({ profile_id, count: per.get(profile_id) ?? 0 })) } : {};

export function createLimitsService(ctx: IdentityContext, extras: ExtrasStore) {
  return {
    async get(actor: Actor, accountId: string, request: LimitsRequest): Promise<LimitsUsage> {
      await ctx.authorizer.authorize(actor.principal, 'iam-identity.account.get', targetOf(accountId), actor.environment);
      for (const [name, list] of Object.entries(request)) {
        if (Array.isArray(list) && list.length > MAX_IDS_PER_LIST) throw invalid(`${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}: at most ${MAX_IDS_PER_LIST} ids per request.`);
      }
      const L = IDENTITY_LIMITS;
      const groups = request.serviceidGroups ? await extras.countServiceIdGroups(accountId) : 0;
      const perGroup = request.serviceidsPerGroup && (await extras.countServiceIdsPerGroup(accountId, request.serviceidsPerGroup));
      const perIdentity = request.apikeysPerIdentity && (await extras.countApiKeysPerIdentity(accountId, request.apikeysPerIdentity));
      const profiles = request.profiles ? await extras.countProfiles(accountId) : 0;
      const samlRules = await extras.countClaimRules(accountId, 'Profile-SAML', request.claimRulesPerProfile ?? []);
      const crRules = await extras.countClaimRules(accountId, 'Profile-CR', request.crRulesPerProfile ?? []);
      const links = await extras.countLinks(accountId, request.crLinksPerProfile ?? []);
      return {
        serviceid_groups: withCount(L.serviceIdGroups, request.serviceidGroups, () => groups),
        serviceids_per_group: {
          limit: L.serviceIdsPerGroup,
          ...(perGroup ? { serviceid_groups: [...perGroup].map(([group_id, count]) => ({ group_id, count })) } : {}),
        },
        profiles: withCount(L.profiles, request.profiles, () => profiles),
        apikeys_per_identity: {
          limit: L.apiKeysPerIdentity,
          ...(perIdentity ? { identities: [...perIdentity].map(([iam_id, count]) => ({ iam_id, count })) } : {}),
        },
        profile_templates: withCount(L.profileTemplates, request.templates, () => 0),
        account_settings_templates: withCount(L.accountSettingsTemplates, request.templates, () => 0),
        template_versions_per_template: {
          limit: L.versionsPerTemplate,
          ...(request.templateVersionsPerTemplate
            ? { templates: request.templateVersionsPerTemplate.map((template_id) => ({ template_id, count: 0 })) }
            : {}),
        },
        idps: withCount(L.idps, request.idps, () => 0),
        claim_rules_per_group: { limit: L.claimRulesPerGroup },
        claim_rules_per_profile: { limit: L.claimRulesPerProfile, ...profileItems(request.claimRulesPerProfile, samlRules.per) },
        cr_links: withCount(L.crLinks, request.crLinks, () => links.total),
        cr_links_per_profile: { limit: L.crLinksPerProfile, ...profileItems(request.crLinksPerProfile, links.per) },
        cr_rules: withCount(L.crRules, request.crRules, () => crRules.total),
        cr_rules_per_profile: { limit: L.crRulesPerProfile, ...profileItems(request.crRulesPerProfile, crRules.per) },
      };
    },
  };
}

export type LimitsService = ReturnType<typeof createLimitsService>;
