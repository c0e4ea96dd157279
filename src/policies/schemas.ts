import { Type, type Static } from '@sinclair/typebox';

/**
 * Request shapes of the policy-management API (the SDK's models). They check JSON types only;
 * the meaning (operators, roles, subjects, rules) is the service's to judge, with IBM's codes.
 */

const V1Attribute = Type.Object({ name: Type.String(), value: Type.String(), operator: Type.Optional(Type.String()) });

export const V1PolicySchema = Type.Object({
  type: Type.String(),
  description: Type.Optional(Type.String({ maxLength: 300 })),
  subjects: Type.Array(Type.Object({ attributes: Type.Array(Type.Object({ name: Type.String(), value: Type.String() }), { minItems: 1 }) }), {
    minItems: 1,
  }),
  roles: Type.Array(Type.Object({ role_id: Type.String() }), { minItems: 1 }),
  resources: Type.Array(
    Type.Object({ attributes: Type.Array(V1Attribute, { minItems: 1 }), tags: Type.Optional(Type.Array(V1Attribute)) }),
    { minItems: 1 },
  ),
});

const V2Attribute = Type.Object({ key: Type.String(), operator: Type.String(), value: Type.Unknown() });
const V2Tag = Type.Object({ key: Type.String(), operator: Type.String(), value: Type.String() });

export const V2PolicySchema = Type.Object({
  type: Type.String(),
  description: Type.Optional(Type.String({ maxLength: 300 })),
  subject: Type.Optional(Type.Object({ attributes: Type.Array(V2Attribute, { minItems: 1 }) })),
  resource: Type.Optional(Type.Object({ attributes: Type.Array(V2Attribute, { minItems: 1 }), tags: Type.Optional(Type.Array(V2Tag)) })),
  control: Type.Object({ grant: Type.Object({ roles: Type.Array(Type.Object({ role_id: Type.String() }), { minItems: 1 }) }) }),
  pattern: Type.Optional(Type.String()),
  rule: Type.Optional(Type.Unknown()),
});

export const PolicyStateSchema = Type.Object({ state: Type.Optional(Type.String()) });

export const ListPoliciesQuery = Type.Object({
  account_id: Type.Optional(Type.String()),
  iam_id: Type.Optional(Type.String()),
  access_group_id: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  service_type: Type.Optional(Type.String()),
  service_name: Type.Optional(Type.String()),
  service_group_id: Type.Optional(Type.String()),
  tag_name: Type.Optional(Type.String()),
  tag_value: Type.Optional(Type.String()),
  sort: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer()),
  start: Type.Optional(Type.String()),
});
export type ListPoliciesQuery = Static<typeof ListPoliciesQuery>;

export const FormatQuery = Type.Object({ format: Type.Optional(Type.String()) });

export const PolicyIdParams = Type.Object({ id: Type.String() });

export const ListRolesQuery = Type.Object({
  account_id: Type.Optional(Type.String()),
  service_name: Type.Optional(Type.String()),
  service_group_id: Type.Optional(Type.String()),
  source_service_name: Type.Optional(Type.String()),
  policy_type: Type.Optional(Type.String()),
});

export const CreateRoleSchema = Type.Object({
  name: Type.String(),
  display_name: Type.String(),
  description: Type.Optional(Type.String()),
  account_id: Type.String(),
  service_name: Type.String(),
  actions: Type.Array(Type.String()),
});

export const ReplaceRoleSchema = Type.Object({
  display_name: Type.String(),
  description: Type.Optional(Type.String()),
  actions: Type.Array(Type.String()),
});

const IdentityTypeSetting = Type.Object({
  state: Type.String(),
  external_allowed_accounts: Type.Array(Type.String()),
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

export const AccountParams = Type.Object({ account_id: Type.String() });
