import type { IssueApiKey } from '../accounts/service.js';
import { subjectKindOf } from '../kernel/ids.js';
import { createApiKeyService } from './apikeys.js';
import type { IdentityContext, IdentityDeps } from './context.js';
import { identityErrors } from './errors.js';
import { createGroupService } from './groups.js';
import { createServiceIdService } from './serviceids.js';
import { createSettingsService } from './settings.js';
import { createExtrasStore } from './extras-store.js';
import { createLimitsService } from './limits.js';
import { createPreferenceService } from './preferences.js';
import { createReportService } from './reports.js';
import { createMfaReportService } from './mfa-reports.js';
import { createIdentityStore } from './store.js';
import { createClaimRuleOperations } from './profiles/rules.js';
import { createIdentityOperations } from './profiles/identities.js';
import { createLinkOperations } from './profiles/links.js';
import type { ProfileContext } from './profiles/context.js';
import { createProfileOperations } from './profiles/profiles.js';
import { createProfileStore } from './profiles/store.js';
import type { ServiceId, TrustedProfile } from './types.js';

/**
 * The IAM Identity domain: API keys, service IDs, service ID groups, trusted profiles (with their
 * claim rules, links and identities), account identity settings, identity preferences, account
 * limits, activity reports and MFA status and reports.
 * Every operation takes the calling Actor, asks the authorizer (catalog actions `iam-identity.*`),
 * and every mutation commits its change, history, change-feed entry and audit event together.
 */
export function createIdentityService(deps: IdentityDeps) {
  const ctx: IdentityContext = { ...deps, store: createIdentityStore(deps.db) };
  const apiKeys = createApiKeyService(ctx);
  const serviceIds = createServiceIdService(ctx, apiKeys);
  const groups = createGroupService(ctx);
  const settings = createSettingsService(ctx);
  const extras = createExtrasStore(deps.db);
  const profileContext: ProfileContext = { ctx, store: createProfileStore(deps.db), authorizeHandOver: deps.authorizeHandOver };

  /** Whether `iamId` names an identity of the account: a member user, or one of its service IDs or trusted profiles. */
  async function isIdentityOf(accountId: string, iamId: string): Promise<boolean> {
    const kind = subjectKindOf(iamId);
    if (kind === 'user') return (await deps.accounts.membershipState(accountId, iamId)) !== undefined;
    if (kind === 'serviceid') return (await ctx.store.getServiceIdByIamId(iamId))?.accountId === accountId;
    if (kind === 'profile') return (await profileContext.store.getProfileByIamId(iamId))?.accountId === accountId;
    return false;
  }

  /**
   * Issues an API key inside the caller's write (bootstrap: the new owner's first key). Uses only
   * that transaction; the caller vouches that the identity exists in the account. The audit event
   * has no request of its own, so its request id is `internal`.
   */
  const issueApiKeyIn: IssueApiKey = async (w, input) => {
    const ownerType = subjectKindOf(input.iamId);
    if (ownerType !== 'user' && ownerType !== 'serviceid') throw identityErrors.unknownIdentity(input.iamId, input.accountId);
    const prepared = apiKeys.prepareKey({ ...input, ownerType });
    const { apiKey, value } = await apiKeys.insertKeyIn(w, prepared, { iamId: input.createdBy, accountId: input.accountId });
    w.audit({
      requestId: 'internal',
      initiatorIamId: input.createdBy,
      initiatorAccountId: input.accountId,
      accountId: input.accountId,
      action: 'iam-identity.apikey.create',
      targetType: 'apikey',
      targetId: apiKey.id,
      detail: { iam_id: input.iamId, name: apiKey.name },
    });
    return { id: apiKey.id, value };
  };

  return {
    apiKeys: {
      create: apiKeys.create,
      get: apiKeys.get,
      getByValue: apiKeys.getByValue,
      list: apiKeys.list,
      update: apiKeys.update,
      delete: apiKeys.delete,
      lock: apiKeys.lock,
      unlock: apiKeys.unlock,
      disable: apiKeys.disable,
      enable: apiKeys.enable,
    },
    serviceIds,
    groups,
    profiles: {
      ...createProfileOperations(profileContext),
      rules: createClaimRuleOperations(profileContext),
      links: createLinkOperations(profileContext),
      identities: createIdentityOperations(profileContext),
    },
    settings,
    preferences: createPreferenceService(ctx, extras, isIdentityOf),
    limits: createLimitsService(ctx, extras),
    reports: createReportService(ctx, extras),
    mfa: createMfaReportService(ctx, extras, { enrolments: deps.mfaEnrolments, effectiveSettingsOf: settings.effectiveSettingsOf }),
    issueApiKeyIn,

    /** Lookups for other domains (access-group members, policy subjects); no authorization. */
    lookup: {
      /** The service ID with that IAM id (`iam-ServiceId-…`), or undefined. */
      serviceIdByIamId: (iamId: string): Promise<ServiceId | undefined> => ctx.store.getServiceIdByIamId(iamId),
      /** The service ID with that id (`ServiceId-…`), or undefined. */
      serviceId: (id: string): Promise<ServiceId | undefined> => ctx.store.getServiceId(id),
      /** The trusted profile with that IAM id (`iam-Profile-…`), of any account, or undefined. */
      profileByIamId: (iamId: string): Promise<TrustedProfile | undefined> => profileContext.store.getProfileByIamId(iamId),
      /** The identity settings in force in an account (defaults resolved). */
      effectiveSettingsOf: settings.effectiveSettingsOf,
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
