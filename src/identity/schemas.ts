import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../kernel/limits.js';
import { created, FreeForm, noContent, ok, type Operations } from '../http/openapi.js';

/**
 * Request schemas of the IAM Identity routes (from the SDK's iam-identity/v1 parameter types).
 * Bodies reject unknown fields and wrong types (400); query strings tolerate unknown parameters,
 * as IBM's do. They also document the API in /openapi.json.
 */

const strict = { additionalProperties: false } as const;
const literals = <T extends string>(...values: T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** `"true"` / `"false"` in any letter case, as the SDK sends header flags. */
const headerFlag = Type.String({ pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const AccountParams = Type.Object({ account_id: Type.String({ minLength: 1, maxLength: limits.id }) });

export const ActionWhenLeaked = literals('none', 'disable', 'delete');
const Order = literals('asc', 'desc');
const PageSize = Type.Integer({ minimum: 1, maximum: 100 });

export const ReadQuery = Type.Object({
  include_history: opt(Type.Boolean()),
  include_activity: opt(Type.Boolean()),
  show_group_id: opt(Type.Boolean()),
});

// ── API keys ──────────────────────────────────────────────────────────────────────────────────

const apiKeyValueFields = {
  name: Type.String({ maxLength: limits.text }),
  description: opt(Type.String({ maxLength: limits.text })),
  apikey: opt(Type.String({ maxLength: limits.text })),
  store_value: opt(Type.Boolean()),
  action_when_leaked: opt(ActionWhenLeaked),
  expires_at: opt(Type.String({ maxLength: limits.text })),
};

export const CreateApiKeyBody = Type.Object(
  {
    ...apiKeyValueFields,
    iam_id: Type.String({ minLength: 1, maxLength: limits.id }),
    account_id: opt(Type.String({ minLength: 1, maxLength: limits.id })),
    support_sessions: opt(Type.Boolean()),
  },
  strict,
);

export const CreateApiKeyHeaders = Type.Object({ 'entity-lock': opt(headerFlag), 'entity-disable': opt(headerFlag) });

export const UpdateApiKeyBody = Type.Object(
  {
    name: opt(Type.String({ maxLength: limits.text })),
    description: opt(Type.String({ maxLength: limits.text })),
    support_sessions: opt(Type.Boolean()),
    action_when_leaked: opt(ActionWhenLeaked),
    expires_at: opt(Type.String({ maxLength: limits.text })),
  },
  strict,
);

export const ApiKeyListQuery = Type.Object({
  account_id: opt(Type.String({ maxLength: limits.text })),
  iam_id: opt(Type.String({ maxLength: limits.text })),
  pagesize: opt(PageSize),
  pagetoken: opt(Type.String({ maxLength: limits.opaque })),
  scope: opt(literals('entity', 'account')),
  type: opt(literals('user', 'serviceid')),
  sort: opt(Type.String({ maxLength: limits.text })),
  order: opt(Order),
  include_history: opt(Type.Boolean()),
  filter: opt(Type.String({ maxLength: limits.opaque })),
  group_id: opt(Type.String({ maxLength: limits.text })),
});

export const ApiKeyDetailsHeaders = Type.Object({ 'iam-apikey': Type.String({ minLength: 1, maxLength: limits.opaque }) });
export const ApiKeyDetailsQuery = Type.Object({ include_history: opt(Type.Boolean()) });

// ── Service IDs and groups ────────────────────────────────────────────────────────────────────

export const CreateServiceIdBody = Type.Object(
  {
    account_id: Type.String({ minLength: 1, maxLength: limits.id }),
    name: Type.String({ maxLength: limits.text }),
    group_id: opt(Type.String({ maxLength: limits.text })),
    description: opt(Type.String({ maxLength: limits.text })),
    unique_instance_crns: opt(Type.Array(Type.String({ maxLength: limits.text }))),
    apikey: opt(Type.Object(apiKeyValueFields, strict)),
  },
  strict,
);

export const CreateServiceIdHeaders = Type.Object({ 'entity-lock': opt(headerFlag) });
export const ShowGroupQuery = Type.Object({ show_group_id: opt(Type.Boolean()) });

export const UpdateServiceIdBody = Type.Object(
  {
    name: opt(Type.String({ maxLength: limits.text })),
    description: opt(Type.String({ maxLength: limits.text })),
    unique_instance_crns: opt(Type.Array(Type.String({ maxLength: limits.text }))),
  },
  strict,
);

export const ServiceIdListQuery = Type.Object({
  account_id: opt(Type.String({ maxLength: limits.text })),
  group_id: opt(Type.String({ maxLength: limits.text })),
  name: opt(Type.String({ maxLength: limits.text })),
  pagesize: opt(PageSize),
  pagetoken: opt(Type.String({ maxLength: limits.opaque })),
  sort: opt(Type.String({ maxLength: limits.text })),
  order: opt(Order),
  include_history: opt(Type.Boolean()),
  filter: opt(Type.String({ maxLength: limits.opaque })),
  show_group_id: opt(Type.Boolean()),
});

export const CreateGroupBody = Type.Object(
  { account_id: Type.String({ minLength: 1, maxLength: limits.id }), name: Type.String({ maxLength: limits.text }), description: opt(Type.String({ maxLength: limits.text })) },
  strict,
);
export const UpdateGroupBody = Type.Object({ name: Type.String({ maxLength: limits.text }), description: opt(Type.String({ maxLength: limits.text })) }, strict);
export const GroupListQuery = Type.Object({ account_id: opt(Type.String({ maxLength: limits.text })) });

// ── Account settings ──────────────────────────────────────────────────────────────────────────

const Restriction = literals('RESTRICTED', 'NOT_RESTRICTED', 'NOT_SET');
export const Mfa = literals('NONE', 'NONE_NO_ROPC', 'TOTP', 'TOTP4ALL', 'LEVEL1', 'LEVEL2', 'LEVEL3');
/** A whole number as a string, or NOT_SET; ranges are checked by the service. */
const NumberSetting = Type.String({ pattern: '^(\\d+|NOT_SET)$' });

export const SettingsQuery = Type.Object({ include_history: opt(Type.Boolean()), resolve_user_mfa: opt(Type.Boolean()) });

export const UpdateSettingsBody = Type.Object(
  {
    restrict_create_service_id: opt(Restriction),
    restrict_create_platform_apikey: opt(Restriction),
    allowed_ip_addresses: opt(Type.String({ maxLength: limits.text })),
    mfa: opt(Mfa),
    user_mfa: opt(Type.Array(Type.Object({ iam_id: opt(Type.String({ maxLength: limits.text })), mfa: opt(Mfa) }, strict))),
    session_expiration_in_seconds: opt(NumberSetting),
    session_invalidation_in_seconds: opt(NumberSetting),
    max_sessions_per_identity: opt(NumberSetting),
    system_access_token_expiration_in_seconds: opt(NumberSetting),
    system_refresh_token_expiration_in_seconds: opt(NumberSetting),
    restrict_user_list_visibility: opt(literals('RESTRICTED', 'NOT_RESTRICTED')),
    restrict_user_domains: opt(
      Type.Array(
        Type.Object(
          {
            realm_id: Type.String({ maxLength: limits.text }),
            invitation_email_allow_patterns: opt(Type.Array(Type.String({ maxLength: limits.text }))),
            restrict_invitation: opt(Type.Boolean()),
          },
          strict,
        ),
      ),
    ),
  },
  strict,
);

// ── Identity preferences (scope account) ──────────────────────────────────────────────────────

const AccountId = Type.String({ minLength: 1, maxLength: 64 });
const IamId = Type.String({ minLength: 1, maxLength: 128 });
/** A service or preference name: letters, digits, `_`, `-`, `.`. */
const PreferenceName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });

export const PreferenceOwnerParams = Type.Object({ account_id: AccountId, iam_id: IamId });
export const PreferenceParams = Type.Object({ account_id: AccountId, iam_id: IamId, service: PreferenceName, preference_id: PreferenceName });

export const UpdatePreferenceBody = Type.Object(
  {
    value_string: opt(Type.String({ maxLength: 256 })),
    value_list_of_strings: opt(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
  },
  strict,
);

export const PreferenceResponse = Type.Object({
  service: Type.String(),
  id: Type.String(),
  account_id: Type.String(),
  scope: Type.String(),
  value_string: opt(Type.String()),
  value_list_of_strings: opt(Type.Array(Type.String())),
});
export const PreferencesResponse = Type.Object({ preferences: Type.Array(PreferenceResponse) });

// ── Account limits and entity consumption ─────────────────────────────────────────────────────

/** A comma-separated list of ids (at most 100 of them; the service counts). */
const IdList = Type.String({ maxLength: 12_900 });
const IdArray = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 100 });

/**
 * What a limits request asks about: flags for account-wide counts and id lists for per-entity ones,
 * as comma-separated ids in a query (GET) or id arrays in a body (POST, for long lists).
 */
const limitsFields = <L extends TSchema>(ids: L) =>
  ({
    serviceid_groups: opt(Type.Boolean()),
    serviceids_per_group: opt(ids),
    profiles: opt(Type.Boolean()),
    apikeys_per_identity: opt(ids),
    templates: opt(Type.Boolean()),
    template_versions_per_template: opt(ids),
    idps: opt(Type.Boolean()),
    claim_rules_per_group: opt(ids),
    claim_rules_per_profile: opt(ids),
    cr_links: opt(Type.Boolean()),
    cr_links_per_profile: opt(ids),
    cr_rules: opt(Type.Boolean()),
    cr_rules_per_profile: opt(ids),
  }) as const;

export const LimitsQuery = Type.Object(limitsFields(IdList));
export const LimitsBody = Type.Object(limitsFields(IdArray), strict);

const LimitCount = Type.Object({ limit: Type.Integer(), count: opt(Type.Integer()) });
const countsOf = (field: string, idField: string) =>
  Type.Object({ limit: Type.Integer(), [field]: opt(Type.Array(Type.Object({ [idField]: Type.String(), count: Type.Integer() }))) });

export const LimitsResponse = Type.Object({
  serviceid_groups: LimitCount,
  serviceids_per_group: countsOf('serviceid_groups', 'group_id'),
  profiles: LimitCount,
  apikeys_per_identity: countsOf('identities', 'iam_id'),
  profile_templates: LimitCount,
  account_settings_templates: LimitCount,
  template_versions_per_template: countsOf('templates', 'template_id'),
  idps: LimitCount,
  claim_rules_per_group: countsOf('access_groups', 'group_id'),
  claim_rules_per_profile: countsOf('profiles', 'profile_id'),
  cr_links: LimitCount,
  cr_links_per_profile: countsOf('profiles', 'profile_id'),
  cr_rules: LimitCount,
  cr_rules_per_profile: countsOf('profiles', 'profile_id'),
});

// ── Activity reports ──────────────────────────────────────────────────────────────────────────

export const ReportAccountParams = Type.Object({ account_id: AccountId });
export const ReportParams = Type.Object({ account_id: AccountId, reference: Type.String({ minLength: 1, maxLength: 64 }) });
export const CreateReportQuery = Type.Object({
  type: opt(Type.String({ maxLength: 32 })),
  duration: opt(Type.String({ maxLength: 16 })),
});

export const ReportReferenceResponse = Type.Object({ reference: Type.String() });

const LastAuthn = { last_authn: opt(Type.String()) };
export const ReportResponse = Type.Object({
  created_by: Type.String(),
  reference: Type.String(),
  report_duration: Type.String(),
  report_start_time: Type.String(),
  report_end_time: Type.String(),
  users: Type.Array(
    Type.Object({ iam_id: Type.String(), name: opt(Type.String()), username: Type.String(), email: opt(Type.String()), ...LastAuthn }),
  ),
  apikeys: Type.Array(
    Type.Object({
      id: Type.String(),
      name: opt(Type.String()),
      type: Type.String(),
      serviceid: opt(Type.Object({ id: Type.String(), name: Type.String() })),
      user: opt(Type.Object({ iam_id: Type.String(), name: opt(Type.String()), username: opt(Type.String()), email: opt(Type.String()) })),
      ...LastAuthn,
    }),
  ),
  serviceids: Type.Array(Type.Object({ id: Type.String(), name: opt(Type.String()), ...LastAuthn })),
  profiles: Type.Array(Type.Object({ id: Type.String(), name: opt(Type.String()), ...LastAuthn })),
});

// ── MFA status and reports ────────────────────────────────────────────────────────────────────

export const MfaStatusQuery = Type.Object({ iam_id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const CreateMfaReportQuery = Type.Object({ type: opt(Type.String({ maxLength: 32 })) });

const EnrolmentTypeStatus = Type.Object({ required: Type.Boolean(), enrolled: Type.Boolean() });
const MfaEnrolmentFields = {
  effective_mfa_type: Type.String(),
  id_based_mfa: Type.Object({
    trait_account_default: Type.String(),
    trait_user_specific: opt(Type.String()),
    trait_effective: Type.String(),
    complies: Type.Boolean(),
    comply_state: opt(Type.String()),
  }),
  account_based_mfa: Type.Object({
    security_questions: EnrolmentTypeStatus,
    totp: EnrolmentTypeStatus,
    verisign: EnrolmentTypeStatus,
    complies: Type.Boolean(),
  }),
};
export const UserMfaEnrollments = Type.Object({ iam_id: Type.String(), ...MfaEnrolmentFields }, { title: 'UserMfaEnrollments' });
export const MfaReportResponse = Type.Object(
  {
    created_by: Type.String(),
    reference: Type.String(),
    report_time: Type.String(),
    account_id: Type.String(),
    ims_account_id: opt(Type.String()),
    users: opt(
      Type.Array(
        Type.Object({ iam_id: Type.String(), name: opt(Type.String()), username: Type.String(), email: opt(Type.String()), ...MfaEnrolmentFields }),
      ),
    ),
  },
  { title: 'ReportMfaEnrollmentStatus' },
);

// ── Responses and operations ───────────────────────────────────────────────────────────────────

/**
 * Response schemas of the IAM Identity routes (the SDK's iam-identity/v1 models) and what the
 * OpenAPI document says of each operation. Responses are serialized through these schemas, so a
 * field missing here is missing on the wire.
 */

const S = Type.String();

const EntityHistory = Type.Object({
  timestamp: S,
  iam_id: S,
  iam_id_account: S,
  action: S,
  params: Type.Array(S),
  message: S,
});
const Activity = Type.Object({ last_authn: opt(S), authn_count: Type.Integer() });
const extras = { history: opt(Type.Array(EntityHistory)), activity: opt(Activity) };

export const ApiKeyResponse = Type.Object(
  {
    id: S,
    entity_tag: opt(S),
    crn: S,
    locked: Type.Boolean(),
    disabled: opt(Type.Boolean()),
    created_at: opt(S),
    created_by: S,
    modified_at: opt(S),
    name: S,
    description: opt(S),
    iam_id: S,
    account_id: S,
    apikey: S,
    support_sessions: opt(Type.Boolean()),
    action_when_leaked: opt(S),
    expires_at: opt(S),
    ...extras,
  },
  { title: 'ApiKey' },
);

export const ServiceIdResponse = Type.Object(
  {
    id: S,
    iam_id: S,
    entity_tag: opt(S),
    crn: S,
    locked: Type.Boolean(),
    created_at: opt(S),
    modified_at: opt(S),
    account_id: S,
    group_id: opt(S),
    name: S,
    description: opt(S),
    unique_instance_crns: opt(Type.Array(S)),
    apikey: opt(ApiKeyResponse),
    ...extras,
  },
  { title: 'ServiceId' },
);

export const GroupResponse = Type.Object(
  {
    id: S,
    entity_tag: opt(S),
    account_id: S,
    crn: S,
    name: S,
    description: opt(S),
    created_at: opt(S),
    created_by: opt(S),
    modified_at: opt(S),
  },
  { title: 'ServiceIdGroup' },
);

const page = (key: string, item: TSchema, title: string) =>
  Type.Object(
    { offset: opt(Type.Integer()), limit: opt(Type.Integer()), first: opt(S), previous: opt(S), next: opt(S), [key]: Type.Array(item) },
    { title },
  );

const settingsSection = {
  restrict_create_service_id: S,
  restrict_create_platform_apikey: S,
  restrict_user_list_visibility: opt(S),
  allowed_ip_addresses: S,
  mfa: S,
  user_mfa: opt(Type.Array(Type.Object({ iam_id: S, mfa: S, name: opt(S), userName: opt(S), email: opt(S) }))),
  session_expiration_in_seconds: S,
  session_invalidation_in_seconds: S,
  max_sessions_per_identity: S,
  system_access_token_expiration_in_seconds: S,
  system_refresh_token_expiration_in_seconds: S,
};

export const SettingsResponse = Type.Object(
  {
    account_id: S,
    entity_tag: S,
    ...settingsSection,
    restrict_user_domains: opt(
      Type.Array(Type.Object({ realm_id: S, invitation_email_allow_patterns: opt(Type.Array(S)), restrict_invitation: opt(Type.Boolean()) })),
    ),
    ...extras,
  },
  { title: 'AccountSettingsResponse' },
);

export const EffectiveSettingsResponse = Type.Object(
  {
    account_id: S,
    effective: Type.Object(settingsSection),
    account: SettingsResponse,
    assigned_templates: Type.Array(FreeForm),
  },
  { title: 'EffectiveAccountSettingsResponse' },
);


export const identityOperations: Operations = {
  'GET /v1/apikeys': { operationId: 'listApiKeys', summary: 'List API keys', responses: ok(page('apikeys', ApiKeyResponse, 'ApiKeyList')) },
  'POST /v1/apikeys': { operationId: 'createApiKey', summary: 'Create an API key', responses: created(ApiKeyResponse) },
  'GET /v1/apikeys/details': {
    operationId: 'getApiKeysDetails',
    summary: 'Get the details of the API key in the IAM-ApiKey header',
    responses: ok(ApiKeyResponse),
    security: 'apikey',
  },
  'GET /v1/apikeys/:id': { operationId: 'getApiKey', summary: 'Get an API key', responses: ok(ApiKeyResponse) },
  'PUT /v1/apikeys/:id': { operationId: 'updateApiKey', summary: 'Update an API key', responses: ok(ApiKeyResponse) },
  'DELETE /v1/apikeys/:id': { operationId: 'deleteApiKey', summary: 'Delete an API key', responses: noContent },
  'POST /v1/apikeys/:id/lock': { operationId: 'lockApiKey', summary: 'Lock an API key', responses: noContent },
  'DELETE /v1/apikeys/:id/lock': { operationId: 'unlockApiKey', summary: 'Unlock an API key', responses: noContent },
  'POST /v1/apikeys/:id/disable': { operationId: 'disableApiKey', summary: 'Disable an API key', responses: noContent },
  'DELETE /v1/apikeys/:id/disable': { operationId: 'enableApiKey', summary: 'Enable a disabled API key', responses: noContent },
  'GET /v1/serviceids': {
    operationId: 'listServiceIds',
    summary: 'List service IDs',
    responses: ok(page('serviceids', ServiceIdResponse, 'ServiceIdList')),
  },
  'POST /v1/serviceids': { operationId: 'createServiceId', summary: 'Create a service ID', responses: created(ServiceIdResponse) },
  'GET /v1/serviceids/:id': { operationId: 'getServiceId', summary: 'Get a service ID', responses: ok(ServiceIdResponse) },
  'PUT /v1/serviceids/:id': { operationId: 'updateServiceId', summary: 'Update a service ID', responses: ok(ServiceIdResponse) },
  'DELETE /v1/serviceids/:id': { operationId: 'deleteServiceId', summary: 'Delete a service ID and its API keys', responses: noContent },
  'POST /v1/serviceids/:id/lock': { operationId: 'lockServiceId', summary: 'Lock a service ID', responses: noContent },
  'DELETE /v1/serviceids/:id/lock': { operationId: 'unlockServiceId', summary: 'Unlock a service ID', responses: noContent },
  'GET /v1/serviceid_groups': {
    operationId: 'listServiceIdGroup',
    summary: 'List service ID groups',
    responses: ok(Type.Object({ serviceid_groups: Type.Array(GroupResponse) }, { title: 'ServiceIdGroupList' })),
  },
  'POST /v1/serviceid_groups': { operationId: 'createServiceIdGroup', summary: 'Create a service ID group', responses: created(GroupResponse) },
  'GET /v1/serviceid_groups/:id': { operationId: 'getServiceIdGroup', summary: 'Get a service ID group', responses: ok(GroupResponse) },
  'PUT /v1/serviceid_groups/:id': { operationId: 'updateServiceIdGroup', summary: 'Update a service ID group', responses: ok(GroupResponse) },
  'DELETE /v1/serviceid_groups/:id': { operationId: 'deleteServiceIdGroup', summary: 'Delete a service ID group', responses: noContent },
  'GET /v1/accounts/:account_id/settings/identity': {
    operationId: 'getAccountSettings',
    summary: 'Get the identity settings of an account',
    responses: ok(SettingsResponse),
  },
  'PUT /v1/accounts/:account_id/settings/identity': {
    operationId: 'updateAccountSettings',
    summary: 'Update the identity settings of an account',
    responses: ok(SettingsResponse),
  },
  'GET /v1/accounts/:account_id/effective_settings/identity': {
    operationId: 'getEffectiveAccountSettings',
    summary: 'Get the effective identity settings of an account',
    responses: ok(EffectiveSettingsResponse),
  },
  'PUT /v1/preferences/accounts/:account_id/identities/:iam_id/:service/:preference_id': {
    operationId: 'updatePreferenceOnScopeAccount',
    summary: 'Update an identity preference on scope account',
    responses: ok(PreferenceResponse),
  },
  'GET /v1/preferences/accounts/:account_id/identities/:iam_id/:service/:preference_id': {
    operationId: 'getPreferencesOnScopeAccount',
    summary: 'Get an identity preference on scope account',
    responses: ok(PreferenceResponse),
  },
  'DELETE /v1/preferences/accounts/:account_id/identities/:iam_id/:service/:preference_id': {
    operationId: 'deletePreferencesOnScopeAccount',
    summary: 'Delete an identity preference on scope account',
    responses: noContent,
  },
  'GET /v1/preferences/accounts/:account_id/identities/:iam_id': {
    operationId: 'getAllPreferencesOnScopeAccount',
    summary: 'Get all identity preferences of an identity on scope account',
    responses: ok(PreferencesResponse),
  },
  'GET /v1/accounts/:account_id/limits/identity': {
    operationId: 'getAccountLimits',
    summary: "Get the account's identity limits and consumption",
    responses: ok(LimitsResponse),
  },
  'POST /v1/accounts/:account_id/limits/identity': {
    operationId: 'bulkListAccountEntityConsumption',
    summary: "Get the account's identity limits and consumption (long id lists in the body)",
    responses: ok(LimitsResponse),
  },
  'POST /v1/activity/accounts/:account_id/report': {
    operationId: 'createReport',
    summary: 'Start an inactive-identities report of the account',
    responses: { 202: ReportReferenceResponse },
  },
  'GET /v1/activity/accounts/:account_id/report/:reference': {
    operationId: 'getReport',
    summary: "Get an activity report (204 while it is computed; reference `latest`: the account's newest)",
    responses: { 200: ReportResponse, 204: null },
  },
  'GET /v1/mfa/accounts/:account_id/status': {
    operationId: 'getMfaStatus',
    summary: "Get a user's MFA enrolment and whether it meets the account's requirement",
    responses: ok(UserMfaEnrollments),
  },
  'POST /v1/mfa/accounts/:account_id/report': {
    operationId: 'createMfaReport',
    summary: 'Create the MFA enrolment report of every user of the account',
    responses: { 202: ReportReferenceResponse },
  },
  'GET /v1/mfa/accounts/:account_id/report/:reference': {
    operationId: 'getMfaReport',
    summary: "Get an MFA enrolment report (reference `latest`: the account's newest)",
    responses: ok(MfaReportResponse),
  },
};
