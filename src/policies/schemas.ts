import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { limitParam } from '../http/query.js';
import { limits } from '../kernel/limits.js';
import { POLICY_LIMITS } from './service.js';
import { AnyValue, noContent, ok, type Operations } from '../http/openapi.js';

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/**
 * Request shapes of the policy-management API (the SDK's models). They check JSON types only;
 * the meaning (operators, roles, subjects, rules) is the service's to judge, with IBM's codes.
 */

const V1Attribute = Type.Object({ name: Type.String({ maxLength: limits.text }), value: Type.String({ maxLength: limits.text }), operator: Type.Optional(Type.String({ maxLength: limits.text })) });

export const V1PolicySchema = Type.Object({
  type: Type.String({ maxLength: limits.text }),
  description: Type.Optional(Type.String({ maxLength: 300 })),
  subjects: Type.Array(Type.Object({ attributes: Type.Array(Type.Object({ name: Type.String({ maxLength: limits.text }), value: Type.String({ maxLength: limits.text }) }), { minItems: 1 }) }), {
    minItems: 1,
  }),
  roles: Type.Array(Type.Object({ role_id: Type.String({ maxLength: limits.text }) }), { minItems: 1 }),
  resources: Type.Array(
    Type.Object({ attributes: Type.Array(V1Attribute, { minItems: 1 }), tags: Type.Optional(Type.Array(V1Attribute)) }),
    { minItems: 1 },
  ),
});

const V2Attribute = Type.Object({ key: Type.String({ maxLength: limits.text }), operator: Type.String({ maxLength: limits.text }), value: Type.Unknown() });
const V2Tag = Type.Object({ key: Type.String({ maxLength: limits.text }), operator: Type.String({ maxLength: limits.text }), value: Type.String({ maxLength: limits.text }) });

export const V2PolicySchema = Type.Object({
  type: Type.String({ maxLength: limits.text }),
  description: Type.Optional(Type.String({ maxLength: 300 })),
  subject: Type.Optional(Type.Object({ attributes: Type.Array(V2Attribute, { minItems: 1 }) })),
  resource: Type.Optional(Type.Object({ attributes: Type.Array(V2Attribute, { minItems: 1 }), tags: Type.Optional(Type.Array(V2Tag)) })),
  control: Type.Object({ grant: Type.Object({ roles: Type.Array(Type.Object({ role_id: Type.String({ maxLength: limits.text }) }), { minItems: 1 }) }) }),
  pattern: Type.Optional(Type.String({ maxLength: limits.text })),
  rule: Type.Optional(Type.Unknown()),
});

/** `POST /v2/policies/grantable`: scopes in the v2 resource syntax (stringEquals narrows; other tests widen). */
export const GrantableSchema = Type.Object(
  {
    account_id: Type.String({ minLength: 1, maxLength: limits.id }),
    resources: Type.Array(
      Type.Object({
        attributes: Type.Array(
          Type.Object({
            key: Type.String({ minLength: 1, maxLength: limits.text }),
            operator: Type.Union([Type.Literal('stringEquals'), Type.Literal('stringExists'), Type.Literal('stringMatch'), Type.Literal('stringEqualsAnyOf'), Type.Literal('stringMatchAnyOf')]),
            value: Type.Union([Type.String({ maxLength: limits.text }), Type.Boolean(), Type.Array(Type.String({ maxLength: limits.text }), { maxItems: 10 })]),
          }, { additionalProperties: false }),
          { maxItems: 10 },
        ),
      }, { additionalProperties: false }),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);

export const PolicyStateSchema = Type.Object({ state: Type.Optional(Type.String({ maxLength: limits.text })) });

export const ListPoliciesQuery = Type.Object({
  account_id: Type.Optional(Type.String({ maxLength: limits.text })),
  iam_id: Type.Optional(Type.String({ maxLength: limits.text })),
  access_group_id: Type.Optional(Type.String({ maxLength: limits.text })),
  type: Type.Optional(Type.String({ maxLength: limits.text })),
  service_type: Type.Optional(Type.String({ maxLength: limits.text })),
  service_name: Type.Optional(Type.String({ maxLength: limits.text })),
  service_group_id: Type.Optional(Type.String({ maxLength: limits.text })),
  tag_name: Type.Optional(Type.String({ maxLength: limits.text })),
  tag_value: Type.Optional(Type.String({ maxLength: limits.text })),
  sort: Type.Optional(Type.String({ maxLength: limits.text })),
  format: Type.Optional(Type.String({ maxLength: limits.text })),
  state: Type.Optional(Type.String({ maxLength: limits.text })),
  limit: Type.Optional(limitParam(POLICY_LIMITS)),
  start: Type.Optional(Type.String({ maxLength: limits.opaque })),
});
export type ListPoliciesQuery = Static<typeof ListPoliciesQuery>;

export const FormatQuery = Type.Object({ format: Type.Optional(Type.String({ maxLength: limits.text })) });

export const PolicyIdParams = Type.Object({ id: Type.String({ maxLength: limits.text }) });

export const ListRolesQuery = Type.Object({
  account_id: Type.Optional(Type.String({ maxLength: limits.text })),
  service_name: Type.Optional(Type.String({ maxLength: limits.text })),
  service_group_id: Type.Optional(Type.String({ maxLength: limits.text })),
  source_service_name: Type.Optional(Type.String({ maxLength: limits.text })),
  policy_type: Type.Optional(Type.String({ maxLength: limits.text })),
});

export const CreateRoleSchema = Type.Object({
  name: Type.String({ maxLength: limits.text }),
  display_name: Type.String({ maxLength: limits.text }),
  description: Type.Optional(Type.String({ maxLength: limits.text })),
  account_id: Type.String({ maxLength: limits.text }),
  service_name: Type.String({ maxLength: limits.text }),
  actions: Type.Array(Type.String({ maxLength: limits.text })),
});

export const ReplaceRoleSchema = Type.Object({
  display_name: Type.String({ maxLength: limits.text }),
  description: Type.Optional(Type.String({ maxLength: limits.text })),
  actions: Type.Array(Type.String({ maxLength: limits.text })),
});

const IdentityTypeSetting = Type.Object({
  state: Type.String({ maxLength: limits.text }),
  external_allowed_accounts: Type.Array(Type.String({ maxLength: limits.text })),
});

export const SettingsPatchSchema = Type.Object({
  external_account_identity_interaction: Type.Optional(
    Type.Object({
      identity_types: Type.Optional(
        Type.Object({
          user: Type.Optional(IdentityTypeSetting),
          service_id: Type.Optional(IdentityTypeSetting),
          service: Type.Optional(IdentityTypeSetting),
        }),
      ),
    }),
  ),
});

export const AccountParams = Type.Object({ account_id: Type.String({ maxLength: limits.text }) });

// ── Responses and operations ───────────────────────────────────────────────────────────────────

/**
 * Response schemas of the IAM Policy Management routes (the SDK's iam-policy-management/v1
 * models) and what the OpenAPI document says of each operation. Responses are serialized through
 * these schemas, so a field missing here is missing on the wire.
 */

const S = Type.String();

const audit = {
  created_at: opt(S),
  created_by_id: opt(S),
  last_modified_at: opt(S),
  last_modified_by_id: opt(S),
};
const usage = { last_permit_at: opt(S), last_permit_frequency: opt(Type.Integer()) };
/** `TemplateMetadata`: present on a policy an enterprise template assignment made. */
export const TemplateMetadataResponse = Type.Object({ id: opt(S), version: opt(S), assignment_id: opt(S), root_id: opt(S), root_version: opt(S) });
const managed = { template: opt(TemplateMetadataResponse) };

const RoleRef = Type.Object({
  role_id: S,
  display_name: opt(S),
  description: opt(S),
  actions: opt(Type.Array(Type.Object({ id: S, display_name: opt(S), description: opt(S) }))),
});

const V1AttributeOut = Type.Object({ name: S, value: AnyValue, operator: opt(S) });
export const V1PolicyResponse = Type.Object(
  {
    id: S,
    type: S,
    description: opt(S),
    subjects: Type.Array(Type.Object({ attributes: Type.Array(V1AttributeOut) })),
    roles: Type.Array(RoleRef),
    resources: Type.Array(Type.Object({ attributes: Type.Array(V1AttributeOut), tags: opt(Type.Array(V1AttributeOut)) })),
    href: opt(S),
    ...audit,
    state: opt(S),
    ...usage,
    ...managed,
  },
  { title: 'Policy' },
);

const V2AttributeOut = Type.Object({ key: S, operator: S, value: AnyValue });
export const V2PolicyResponse = Type.Object(
  {
    id: S,
    type: S,
    description: opt(S),
    subject: opt(Type.Object({ attributes: Type.Array(V2AttributeOut) })),
    resource: opt(Type.Object({ attributes: Type.Array(V2AttributeOut), tags: opt(Type.Array(V2AttributeOut)) })),
    pattern: opt(S),
    /** One condition or and/or over conditions (the SDK's `V2PolicyRule` union). */
    rule: opt(AnyValue),
    href: opt(S),
    control: Type.Object({ grant: Type.Object({ roles: Type.Array(RoleRef) }) }),
    ...audit,
    state: opt(S),
    ...usage,
    ...managed,
  },
  { title: 'V2Policy' },
);

const collection = (item: TSchema, title: string) =>
  Type.Object(
    {
      limit: opt(Type.Integer()),
      first: opt(Type.Object({ href: opt(S) })),
      next: opt(Type.Object({ href: opt(S), start: opt(S) })),
      policies: Type.Array(item),
    },
    { title },
  );

export const CustomRoleResponse = Type.Object(
  {
    id: S,
    name: S,
    display_name: S,
    description: opt(S),
    actions: Type.Array(S),
    crn: S,
    account_id: S,
    service_name: S,
    ...audit,
    href: opt(S),
  },
  { title: 'CustomRole' },
);
const SystemRole = Type.Object({ display_name: S, description: opt(S), actions: Type.Array(S), crn: S }, { title: 'Role' });
const RoleCollection = Type.Object(
  { custom_roles: Type.Array(CustomRoleResponse), service_roles: Type.Array(SystemRole), system_roles: Type.Array(SystemRole) },
  { title: 'RoleCollection' },
);

const IdentityTypeSettingOut = Type.Object({ state: S, external_allowed_accounts: Type.Array(S) });
const SettingsResponse = Type.Object(
  {
    external_account_identity_interaction: Type.Object({
      identity_types: Type.Object({ user: opt(IdentityTypeSettingOut), service_id: opt(IdentityTypeSettingOut), service: opt(IdentityTypeSettingOut) }),
    }),
  },
  { title: 'AccountSettingsAccessManagement' },
);


export const policyOperations: Operations = {
  'GET /v1/policies': { operationId: 'listPolicies', summary: 'List policies (v1)', responses: ok(collection(V1PolicyResponse, 'PolicyCollection')) },
  'POST /v1/policies': { operationId: 'createPolicy', summary: 'Create a policy (v1)', responses: { 201: V1PolicyResponse } },
  'GET /v1/policies/:id': { operationId: 'getPolicy', summary: 'Get a policy (v1)', responses: ok(V1PolicyResponse) },
  'PUT /v1/policies/:id': { operationId: 'replacePolicy', summary: 'Replace a policy (v1)', responses: ok(V1PolicyResponse) },
  'PATCH /v1/policies/:id': { operationId: 'updatePolicyState', summary: 'Change the state of a policy', responses: ok(V1PolicyResponse) },
  'DELETE /v1/policies/:id': { operationId: 'deletePolicy', summary: 'Delete a policy (v1)', responses: noContent },
  'GET /v2/policies': { operationId: 'listV2Policies', summary: 'List policies (v2)', responses: ok(collection(V2PolicyResponse, 'V2PolicyCollection')) },
  'POST /v2/policies': { operationId: 'createV2Policy', summary: 'Create a policy (v2)', responses: { 201: V2PolicyResponse } },
  // Portcullis extension (no SDK operation): the granting rule asked ahead of a grant.
  'POST /v2/policies/grantable': {
    operationId: 'checkGrantableScopes',
    summary: 'Say, for each scope, whether the caller may grant access on it',
    responses: ok(Type.Object({ resources: Type.Array(Type.Object({ grantable: Type.Boolean() })) }, { title: 'GrantableScopes' })),
  },
  'GET /v2/policies/:id': { operationId: 'getV2Policy', summary: 'Get a policy (v2)', responses: ok(V2PolicyResponse) },
  'PUT /v2/policies/:id': { operationId: 'replaceV2Policy', summary: 'Replace a policy (v2)', responses: ok(V2PolicyResponse) },
  'DELETE /v2/policies/:id': { operationId: 'deleteV2Policy', summary: 'Delete a policy (v2)', responses: noContent },
  'GET /v2/roles': { operationId: 'listRoles', summary: 'List system, service and custom roles', responses: ok(RoleCollection) },
  'POST /v2/roles': { operationId: 'createRole', summary: 'Create a custom role', responses: { 201: CustomRoleResponse } },
  'GET /v2/roles/*': { operationId: 'getRole', summary: 'Get a custom role', responses: ok(CustomRoleResponse) },
  'PUT /v2/roles/*': { operationId: 'replaceRole', summary: 'Replace a custom role', responses: ok(CustomRoleResponse) },
  'DELETE /v2/roles/*': { operationId: 'deleteRole', summary: 'Delete a custom role', responses: noContent },
  'GET /v1/accounts/:account_id/settings/access_management': {
    operationId: 'getSettings',
    summary: 'Get the access-management settings of an account',
    responses: ok(SettingsResponse),
  },
  'PATCH /v1/accounts/:account_id/settings/access_management': {
    operationId: 'updateSettings',
    summary: 'Update the access-management settings of an account',
    responses: ok(SettingsResponse),
  },
};
