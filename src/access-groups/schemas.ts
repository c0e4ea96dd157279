import { Type, type TSchema } from '@sinclair/typebox';
import { limitParam } from '../http/query.js';
import { PAGE_LIMITS } from './paging.js';
import { limits } from '../kernel/limits.js';

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
  limit: opt(limitParam(PAGE_LIMITS, `${PAGE_LIMITS.min}–${PAGE_LIMITS.max}, default ${PAGE_LIMITS.default}.`)),
  offset: opt(Type.Integer({ minimum: 0, maximum: limits.offset })),
};

export const GroupParams = Type.Object({ access_group_id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const MemberParams = Type.Object({ access_group_id: Type.String({ minLength: 1, maxLength: limits.id }), iam_id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const RuleParams = Type.Object({ access_group_id: Type.String({ minLength: 1, maxLength: limits.id }), rule_id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const IamIdParams = Type.Object({ iam_id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const AccountQuery = Type.Object({ account_id: Type.String({ minLength: 1, maxLength: limits.id }) });

export const GroupListQuery = Type.Object({
  account_id: Type.String({ minLength: 1, maxLength: limits.id }),
  iam_id: opt(Type.String({ minLength: 1, maxLength: limits.id })),
  search: opt(Type.String({ maxLength: limits.text })),
  membership_type: opt(MembershipType),
  sort: opt(literals('id', 'name', 'description', 'is_federated')),
  show_federated: opt(Type.Boolean()),
  hide_public_access: opt(Type.Boolean()),
  show_crn: opt(Type.Boolean()),
  ...paging,
});

export const GroupReadQuery = Type.Object({ show_federated: opt(Type.Boolean()), show_crn: opt(Type.Boolean()) });
export const DeleteGroupQuery = Type.Object({ force: opt(Type.Boolean()) });

/** IBM's limits: a group name has at most 100 characters, a description at most 250. */
const GroupName = Type.String({ maxLength: 100 });
const GroupDescription = Type.String({ maxLength: 250 });

export const CreateGroupBody = Type.Object({ name: GroupName, description: opt(GroupDescription) }, strict);
export const UpdateGroupBody = Type.Object({ name: opt(GroupName), description: opt(GroupDescription) }, strict);

export const MemberListQuery = Type.Object({
  membership_type: opt(MembershipType),
  type: opt(literals('user', 'service', 'profile')),
  verbose: opt(Type.Boolean()),
  sort: opt(literals('id', 'name', 'email')),
  ...paging,
});

export const AddMembersBody = Type.Object(
  { members: Type.Array(Type.Object({ iam_id: Type.String({ minLength: 1, maxLength: limits.id }), type: Type.String({ maxLength: limits.text }) }, strict), { minItems: 1 }) },
  strict,
);
export const RemoveMembersBody = Type.Object({ members: Type.Array(Type.String({ minLength: 1, maxLength: limits.id }), { minItems: 1 }) }, strict);
export const AddToGroupsBody = Type.Object(
  { type: opt(Type.String({ maxLength: limits.text })), groups: Type.Array(Type.String({ minLength: 1, maxLength: limits.id }), { minItems: 1 }) },
  strict,
);

export const RuleBody = Type.Object(
  {
    name: opt(Type.String({ maxLength: limits.text })),
    expiration: Type.Number({ description: 'Hours, 1–24.' }),
    realm_name: Type.String({ maxLength: limits.text }),
    conditions: Type.Array(Type.Object({ claim: Type.String({ maxLength: limits.text }), operator: Type.String({ maxLength: limits.text }), value: Type.String({ maxLength: limits.text }) }, strict)),
  },
  strict,
);

export const SettingsBody = Type.Object({ public_access_enabled: opt(Type.Boolean()) }, strict);
