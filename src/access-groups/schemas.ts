import { Type, type TSchema } from '@sinclair/typebox';
import { DEFAULT_LIMIT, MAX_LIMIT } from './paging.js';

/**
 * Request schemas of the IAM Access Groups v2 routes (from the SDK's iam-access-groups/v2
 * parameter types). Bodies reject unknown fields and wrong types (400); query strings tolerate
 * unknown parameters. They also document the API in /openapi.json.
 */

const strict = { additionalProperties: false } as const;
const literals = <T extends string>(...values: T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

const MembershipType = literals('static', 'dynamic', 'all');
const paging = {
  limit: opt(Type.Integer({ minimum: 0, maximum: MAX_LIMIT, description: `0–${MAX_LIMIT}, default ${DEFAULT_LIMIT}.` })),
  offset: opt(Type.Integer({ minimum: 0 })),
};

export const GroupParams = Type.Object({ access_group_id: Type.String({ minLength: 1 }) });
export const MemberParams = Type.Object({ access_group_id: Type.String({ minLength: 1 }), iam_id: Type.String({ minLength: 1 }) });
export const RuleParams = Type.Object({ access_group_id: Type.String({ minLength: 1 }), rule_id: Type.String({ minLength: 1 }) });
export const IamIdParams = Type.Object({ iam_id: Type.String({ minLength: 1 }) });
export const AccountQuery = Type.Object({ account_id: Type.String({ minLength: 1 }) });

export const GroupListQuery = Type.Object({
  account_id: Type.String({ minLength: 1 }),
  iam_id: opt(Type.String({ minLength: 1 })),
  search: opt(Type.String()),
  membership_type: opt(MembershipType),
  sort: opt(literals('id', 'name', 'description', 'is_federated')),
  show_federated: opt(Type.Boolean()),
  hide_public_access: opt(Type.Boolean()),
  show_crn: opt(Type.Boolean()),
  ...paging,
});

export const GroupReadQuery = Type.Object({ show_federated: opt(Type.Boolean()), show_crn: opt(Type.Boolean()) });
export const DeleteGroupQuery = Type.Object({ force: opt(Type.Boolean()) });

export const CreateGroupBody = Type.Object({ name: Type.String(), description: opt(Type.String()) }, strict);
export const UpdateGroupBody = Type.Object({ name: opt(Type.String()), description: opt(Type.String()) }, strict);

export const MemberListQuery = Type.Object({
  membership_type: opt(MembershipType),
  type: opt(literals('user', 'service', 'profile')),
  verbose: opt(Type.Boolean()),
  sort: opt(literals('id', 'name', 'email')),
  ...paging,
});

export const AddMembersBody = Type.Object(
  { members: Type.Array(Type.Object({ iam_id: Type.String({ minLength: 1 }), type: Type.String() }, strict), { minItems: 1 }) },
  strict,
);
export const RemoveMembersBody = Type.Object({ members: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }) }, strict);
export const AddToGroupsBody = Type.Object(
  { type: opt(Type.String()), groups: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }) },
  strict,
);

export const RuleBody = Type.Object(
  {
    name: opt(Type.String()),
    expiration: Type.Number({ description: 'Hours, 1–24.' }),
    realm_name: Type.String(),
    conditions: Type.Array(Type.Object({ claim: Type.String(), operator: Type.String(), value: Type.String() }, strict)),
  },
  strict,
);

export const SettingsBody = Type.Object({ public_access_enabled: opt(Type.Boolean()) }, strict);
