import { targetOf } from '../../identity/context.js';
import { DomainError } from '../../kernel/errors.js';
import type { SettingsUpdate, SettingsService } from '../../identity/settings.js';
import { checkSettingsUpdate } from '../../identity/settings.js';
import type { MfaTrait, SettingsValues } from '../../identity/types.js';
import { resourceFailure } from '../errors.js';
import type { TemplateKind } from '../types.js';

/**
 * Account-settings templates as a kind of the template core: a version holds identity settings in
 * IBM's `TemplateAccountSettings` shape; an assignment writes the fields it names into each child
 * account's identity settings (the settings service's own write, in the runner's transaction).
 * Fields a template leaves out stay the child's own. Removing an assignment leaves the settings as
 * they are (they become the child's own again); drift is a named field whose stored value differs.
 */

/** IBM's TemplateAccountSettings, as stored (the wire shape). */
export interface AccountSettingsBody {
  restrict_create_service_id?: string;
  restrict_create_platform_apikey?: string;
  allowed_ip_addresses?: string;
  mfa?: string;
  user_mfa?: { iam_id: string; mfa: string }[];
  session_expiration_in_seconds?: string;
  session_invalidation_in_seconds?: string;
  max_sessions_per_identity?: string;
  system_access_token_expiration_in_seconds?: string;
  system_refresh_token_expiration_in_seconds?: string;
  restrict_user_list_visibility?: string;
  restrict_user_domains?: {
    account_sufficient?: boolean;
    restrictions?: { realm_id: string; invitation_email_allow_patterns?: string[]; restrict_invitation?: boolean }[];
  };
}

/** The one managed resource of an assignment in each child: that account's identity settings. */
export const SETTINGS_KEY = 'account_settings';

const invalid = (message: string) => new DomainError('invalid', 'invalid_template_request', message);

/** The settings update a template version makes (its named fields only). */
export function updateOf(body: AccountSettingsBody): SettingsUpdate {
  const scalars: Partial<Record<keyof SettingsValues, unknown>> = {
    restrictCreateServiceId: body.restrict_create_service_id,
    restrictCreatePlatformApikey: body.restrict_create_platform_apikey,
    // The account setting has no NOT_SET: a template's NOT_SET leaves the child's own choice.
    restrictUserListVisibility: body.restrict_user_list_visibility === 'NOT_SET' ? undefined : body.restrict_user_list_visibility,
    allowedIpAddresses: body.allowed_ip_addresses,
    mfa: body.mfa,
    sessionExpirationInSeconds: body.session_expiration_in_seconds,
    sessionInvalidationInSeconds: body.session_invalidation_in_seconds,
    maxSessionsPerIdentity: body.max_sessions_per_identity,
    systemAccessTokenExpirationInSeconds: body.system_access_token_expiration_in_seconds,
    systemRefreshTokenExpirationInSeconds: body.system_refresh_token_expiration_in_seconds,
  };
  const named = Object.fromEntries(Object.entries(scalars).filter(([, v]) => v !== undefined)) as SettingsUpdate;
  return {
    ...named,
    ...(body.user_mfa ? { userMfa: body.user_mfa.map((u) => ({ iamId: u.iam_id, mfa: u.mfa as MfaTrait })) } : {}),
    ...(body.restrict_user_domains?.restrictions
      ? {
          restrictUserDomains: body.restrict_user_domains.restrictions.map((r) => ({
            realmId: r.realm_id,
            ...(r.invitation_email_allow_patterns ? { invitationEmailAllowPatterns: r.invitation_email_allow_patterns } : {}),
            ...(r.restrict_invitation !== undefined ? { restrictInvitation: r.restrict_invitation } : {}),
          })),
        }
      : {}),
  };
}

/** The fields of `update` whose value in `values` differs (restrict_user_domains by realm). */
function differing(update: SettingsUpdate, values: SettingsValues): string[] {
  const out: string[] = [];
  for (const [field, wanted] of Object.entries(update)) {
    const live = values[field as keyof SettingsValues];
    if (field === 'restrictUserDomains') {
      const byRealm = new Map(values.restrictUserDomains.map((r) => [r.realmId, JSON.stringify(r)]));
      if ((wanted as SettingsValues['restrictUserDomains']).some((r) => byRealm.get(r.realmId) !== JSON.stringify(r))) out.push(field);
    } else if (JSON.stringify(live) !== JSON.stringify(wanted)) out.push(field);
  }
  return out;
}

export interface SettingsKindDeps {
  settings: Pick<SettingsService, 'check' | 'writeIn' | 'storedValuesOf'>;
}

export function createAccountSettingsKind(deps: SettingsKindDeps): TemplateKind<AccountSettingsBody> {
  const { settings } = deps;
  return {
    name: 'account_settings',
    actions: {
      template: 'iam-identity.account-settings-template',
      assignment: 'iam-identity.account-settings-assignment',
      serviceName: 'iam-identity',
      resourceType: 'account-settings-template',
      assignmentType: 'account-settings-assignment',
    },

    /**
     * The `account_settings` of a request, checked as a settings update is (ranges, IP lists,
     * realms); 400 in the templates' code. A later version (or an update) without them keeps those of `previous`.
     */
    async validate(input, _accountId, previous) {
      const body = ((input as { account_settings?: AccountSettingsBody } | undefined)?.account_settings ?? previous ?? {}) as AccountSettingsBody;
      try {
        checkSettingsUpdate(updateOf(body));
      } catch (error) {
        if (error instanceof DomainError) throw invalid(error.message);
        throw error;
      }
      return body;
    },

    /** Writing the child's settings is `iam-identity.account.update` there; user_mfa names members of the child (checked here, before the write). */
    async authorize(ctx, removing) {
      if (removing) return;
      await resourceFailure(SETTINGS_KEY, async () => {
        await ctx.authorizeInTarget('iam-identity.account.update', targetOf(ctx.accountId));
        await settings.check(ctx.accountId, updateOf(ctx.version.body));
      });
    },

    async apply(w, ctx) {
      const update = updateOf(ctx.version.body);
      await resourceFailure(SETTINGS_KEY, async () => {
        const change = {
          ...update,
          ...(update.userMfa ? { userMfa: update.userMfa.map((u) => ({ iamId: u.iamId!, mfa: u.mfa! })) } : { userMfa: undefined }),
        };
        await settings.writeIn(w, ctx.accountId, change);
      });
      return [{ key: SETTINGS_KEY, resourceId: ctx.accountId }];
    },

    /** The settings stay what they are: they become the child account's own. */
    async remove() {},

    async drift(ctx) {
      if (!ctx.previous.some((r) => r.key === SETTINGS_KEY && r.status === 'succeeded')) return [];
      const values = await settings.storedValuesOf(ctx.accountId);
      return differing(updateOf(ctx.version.body), values).length > 0 ? [SETTINGS_KEY] : [];
    },

    committedError: (id, version) =>
      new DomainError('conflict', 'template_committed', `Version ${version} of account settings template ${id} is committed and cannot be changed. Create a new version instead.`),
    invalidError: invalid,
    nameTakenError: (name) => new DomainError('conflict', 'template_conflict_error', `An account settings template named '${name}' already exists in this account.`),
    notFoundError: (id, version) =>
      new DomainError(
        'not_found',
        'template_not_found',
        version === undefined ? `Account settings template ${id} not found.` : `Version ${version} of account settings template ${id} not found.`,
      ),
    assignmentNotFoundError: (id) => new DomainError('not_found', 'template_assignment_not_found', `Account settings template assignment ${id} not found.`),
  };
}
