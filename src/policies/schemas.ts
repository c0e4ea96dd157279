import { Type, type Static } from '@sinclair/typebox';
import { limitParam } from '../http/query.js';
import { limits } from '../kernel/limits.js';
import { POLICY_LIMITS } from './service.js';

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
