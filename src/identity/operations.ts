import { Type, type TSchema } from '@sinclair/typebox';
import { created, FreeForm, noContent, ok, type Operations } from '../http/openapi.js';
import {
  LimitsResponse,
  MfaReportResponse,
  PreferenceResponse,
  PreferencesResponse,
  ReportReferenceResponse,
  ReportResponse,
  UserMfaEnrollments,
} from './schemas.js';

/**
 * Response schemas of the IAM Identity routes (the SDK's iam-identity/v1 models) and what the
 * OpenAPI document says of each operation. Responses are serialized through these schemas, so a
 * field missing here is missing on the wire.
 */

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
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
