import { identityTimestamp } from '../kernel/time.js';
import { identityCrn } from './context.js';
import type { Preference } from './preferences.js';
import type { AssignedTemplate, SettingsView } from './settings.js';
import type {
  Activity,
  ApiKey,
  CreatedApiKey,
  Detailed,
  HistoryRecord,
  Page,
  ServiceId,
  ServiceIdGroup,
  SettingsValues,
  UserSummary,
} from './types.js';

/**
 * IBM IAM Identity wire shapes (the SDK's iam-identity/v1 models) of the domain records:
 * snake_case names, `yyyy-MM-ddTHH:mm+0000` timestamps, optional fields omitted when empty.
 */

const history = (records: HistoryRecord[]) =>
  records.map((r) => ({
    timestamp: identityTimestamp(r.timestamp),
    iam_id: r.iamId,
    iam_id_account: r.iamIdAccount,
    action: r.action,
    params: r.params,
    message: r.message,
  }));

const activity = (a: Activity) => ({
  ...(a.lastAuthn ? { last_authn: identityTimestamp(a.lastAuthn) } : {}),
  authn_count: a.authnCount,
});

/** `history` and `activity`, when a read asked for them. */
export const extras = (d: Detailed<unknown>) => ({
  ...(d.history ? { history: history(d.history) } : {}),
  ...(d.activity ? { activity: activity(d.activity) } : {}),
});

/** An API key; `value` only in the create response (otherwise `apikey` is `""`). */
export function apiKeyWire(d: Detailed<ApiKey>, value = '') {
  const key = d.entity;
  return {
    id: key.id,
    entity_tag: key.entityTag,
    crn: identityCrn(key.accountId, 'apikey', key.id),
    locked: key.locked,
    disabled: key.disabled,
    created_at: identityTimestamp(key.createdAt),
    created_by: key.createdBy,
    modified_at: identityTimestamp(key.modifiedAt),
    name: key.name,
    ...(key.description !== null ? { description: key.description } : {}),
    iam_id: key.iamId,
    account_id: key.accountId,
    apikey: value,
    support_sessions: key.supportSessions,
    action_when_leaked: key.actionWhenLeaked,
    ...(key.expiresAt ? { expires_at: identityTimestamp(key.expiresAt) } : {}),
    ...extras(d),
  };
}

export const createdApiKeyWire = (created: CreatedApiKey) => apiKeyWire({ entity: created.apiKey }, created.value);

/** A service ID; `group_id` only when asked for, the embedded key only on create. */
export function serviceIdWire(d: Detailed<ServiceId>, options: { showGroupId?: boolean; apiKey?: CreatedApiKey } = {}) {
  const s = d.entity;
  return {
    id: s.id,
    iam_id: s.iamId,
    entity_tag: s.entityTag,
    crn: identityCrn(s.accountId, 'serviceid', s.id),
    locked: s.locked,
    created_at: identityTimestamp(s.createdAt),
    modified_at: identityTimestamp(s.modifiedAt),
    account_id: s.accountId,
    ...(options.showGroupId && s.groupId ? { group_id: s.groupId } : {}),
    name: s.name,
    ...(s.description !== null ? { description: s.description } : {}),
    unique_instance_crns: s.uniqueInstanceCrns,
    ...(options.apiKey ? { apikey: createdApiKeyWire(options.apiKey) } : {}),
    ...extras(d),
  };
}

export const groupWire = (g: ServiceIdGroup) => ({
  id: g.id,
  entity_tag: g.entityTag,
  account_id: g.accountId,
  crn: identityCrn(g.accountId, 'serviceid-group', g.id),
  name: g.name,
  ...(g.description !== null ? { description: g.description } : {}),
  created_at: identityTimestamp(g.createdAt),
  created_by: g.createdBy,
  modified_at: identityTimestamp(g.modifiedAt),
});

/**
 * The list envelope: `offset`, `limit`, `first`/`previous`/`next` links (`link(token)` is the
 * absolute URL of the collection with that pagetoken) and the items under `key`.
 */
export function pageWire<T, W>(page: Page<T>, key: string, item: (t: T) => W, link: (token: string) => string) {
  return {
    offset: page.offset,
    limit: page.limit,
    first: link(page.first),
    ...(page.previous ? { previous: link(page.previous) } : {}),
    ...(page.next ? { next: link(page.next) } : {}),
    [key]: page.items.map(item),
  };
}

function settingsSection(values: SettingsValues, users: UserSummary[] | undefined) {
  const userOf = new Map((users ?? []).map((u) => [u.iamId, u]));
  return {
    restrict_create_service_id: values.restrictCreateServiceId,
    restrict_create_platform_apikey: values.restrictCreatePlatformApikey,
    restrict_user_list_visibility: values.restrictUserListVisibility,
    allowed_ip_addresses: values.allowedIpAddresses,
    mfa: values.mfa,
    user_mfa: values.userMfa.map((entry) => {
      const user = userOf.get(entry.iamId);
      return {
        iam_id: entry.iamId,
        mfa: entry.mfa,
        ...(user ? { name: user.name, userName: user.userName, email: user.email } : {}),
      };
    }),
    session_expiration_in_seconds: values.sessionExpirationInSeconds,
    session_invalidation_in_seconds: values.sessionInvalidationInSeconds,
    max_sessions_per_identity: values.maxSessionsPerIdentity,
    system_access_token_expiration_in_seconds: values.systemAccessTokenExpirationInSeconds,
    system_refresh_token_expiration_in_seconds: values.systemRefreshTokenExpirationInSeconds,
    restrict_user_domains: values.restrictUserDomains.map((r) => ({
      realm_id: r.realmId,
      ...(r.invitationEmailAllowPatterns ? { invitation_email_allow_patterns: r.invitationEmailAllowPatterns } : {}),
      ...(r.restrictInvitation !== undefined ? { restrict_invitation: r.restrictInvitation } : {}),
    })),
  };
}

/** Account settings always carry `history` (empty unless `include_history` asked for it), as IBM's do. */
export const settingsWire = (view: SettingsView) => ({
  account_id: view.entity.accountId,
  entity_tag: view.entity.entityTag,
  ...settingsSection(view.entity.values, view.users),
  history: [],
  ...extras(view),
});

export const effectiveSettingsWire = (view: SettingsView & { effective: SettingsValues; assigned: AssignedTemplate[] }) => {
  const { restrict_user_domains: _domains, ...effective } = settingsSection(view.effective, view.users);
  return {
    account_id: view.entity.accountId,
    effective,
    account: settingsWire(view),
    assigned_templates: view.assigned.map((t) => ({ template_id: t.templateId, template_version: t.templateVersion, template_name: t.templateName, ...t.settings })),
  };
};

/** IBM's IdentityPreferenceResponse (scope `account`). */
export const preferenceWire = (p: Preference) => ({
  service: p.service,
  id: p.preferenceId,
  account_id: p.accountId,
  scope: 'account',
  ...(p.value.kind === 'list' ? { value_list_of_strings: p.value.value } : { value_string: p.value.value }),
});

