import { Type, type TSchema } from '@sinclair/typebox';
import { limitParam } from '../http/query.js';
import { PAGE_LIMITS } from './paging.js';
import { limits } from '../kernel/limits.js';
import { noContent, ok, type Operations } from '../http/openapi.js';

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

// ── Responses and operations ───────────────────────────────────────────────────────────────────

/**
 * Response schemas of the IAM Access Groups routes (the SDK's iam-access-groups/v2 models) and
 * what the OpenAPI document says of each operation. Responses are serialized through these
 * schemas, so a field missing here is missing on the wire.
 */

const S = Type.String();
const Href = Type.Object({ href: opt(S) });

export const GroupResponse = Type.Object(
  {
    id: S,
    name: S,
    description: opt(S),
    account_id: opt(S),
    created_at: opt(S),
    created_by_id: opt(S),
    last_modified_at: opt(S),
    last_modified_by_id: opt(S),
    href: opt(S),
    is_federated: opt(Type.Boolean()),
    crn: opt(S),
  },
  { title: 'Group' },
);

const MemberResponse = Type.Object(
  {
    iam_id: S,
    type: opt(S),
    membership_type: opt(S),
    name: opt(S),
    email: opt(S),
    description: opt(S),
    href: opt(S),
    created_at: opt(S),
    created_by_id: opt(S),
    expires_at: opt(S),
  },
  { title: 'ListGroupMembersResponseMember' },
);

export const RuleResponse = Type.Object(
  {
    id: S,
    name: opt(S),
    expiration: Type.Integer(),
    realm_name: S,
    access_group_id: S,
    account_id: S,
    conditions: Type.Array(Type.Object({ claim: S, operator: S, value: S })),
    created_at: opt(S),
    created_by_id: opt(S),
    last_modified_at: opt(S),
    last_modified_by_id: opt(S),
  },
  { title: 'Rule' },
);

const SettingsResponse = Type.Object(
  { account_id: S, last_modified_at: opt(S), last_modified_by_id: opt(S), public_access_enabled: Type.Boolean() },
  { title: 'AccountSettings' },
);

const page = (key: string, item: TSchema, title: string) =>
  Type.Object(
    {
      limit: Type.Integer(),
      offset: Type.Integer(),
      total_count: Type.Integer(),
      first: opt(Href),
      previous: opt(Href),
      next: opt(Href),
      last: opt(Href),
      [key]: Type.Array(item),
    },
    { title },
  );

/** The status part of one item of a 207 response; a failure carries the request's trace and error. */
const itemStatus = {
  status_code: Type.Integer(),
  trace: opt(S),
  errors: opt(Type.Array(Type.Object({ code: S, message: S }))),
};

const AddedMembers = Type.Object(
  {
    members: Type.Array(
      Type.Object({ iam_id: S, type: opt(S), created_at: opt(S), created_by_id: opt(S), ...itemStatus }),
    ),
  },
  { title: 'AddGroupMembersResponse' },
);
const RemovedMembers = Type.Object(
  { access_group_id: S, members: Type.Array(Type.Object({ iam_id: S, ...itemStatus })) },
  { title: 'DeleteGroupBulkMembersResponse' },
);
const GroupResults = (title: string) =>
  Type.Object({ iam_id: S, groups: Type.Array(Type.Object({ access_group_id: S, ...itemStatus })) }, { title });


export const accessGroupOperations: Operations = {
  'GET /v2/groups/settings': { operationId: 'getAccessGroupsAccountSettings', summary: 'Get the access-groups settings of an account', responses: ok(SettingsResponse) },
  'PATCH /v2/groups/settings': {
    operationId: 'updateAccessGroupsAccountSettings',
    summary: 'Update the access-groups settings of an account',
    responses: ok(SettingsResponse),
  },
  'POST /v2/groups': { operationId: 'createAccessGroup', summary: 'Create an access group', responses: { 201: GroupResponse } },
  'GET /v2/groups': { operationId: 'listAccessGroups', summary: 'List access groups', responses: ok(page('groups', GroupResponse, 'GroupsList')) },
  'GET /v2/groups/:access_group_id': { operationId: 'getAccessGroup', summary: 'Get an access group', responses: ok(GroupResponse) },
  'PATCH /v2/groups/:access_group_id': { operationId: 'updateAccessGroup', summary: 'Update an access group', responses: ok(GroupResponse) },
  'DELETE /v2/groups/:access_group_id': { operationId: 'deleteAccessGroup', summary: 'Delete an access group', responses: noContent },
  'PUT /v2/groups/:access_group_id/members': {
    operationId: 'addMembersToAccessGroup',
    summary: 'Add members to an access group (a result per member)',
    responses: { 207: AddedMembers },
  },
  'GET /v2/groups/:access_group_id/members': {
    operationId: 'listAccessGroupMembers',
    summary: 'List the members of an access group',
    responses: ok(page('members', MemberResponse, 'GroupMembersList')),
  },
  'HEAD /v2/groups/:access_group_id/members/:iam_id': {
    operationId: 'isMemberOfAccessGroup',
    summary: 'Check whether an identity is a member of an access group',
    responses: noContent,
  },
  'DELETE /v2/groups/:access_group_id/members/:iam_id': {
    operationId: 'removeMemberFromAccessGroup',
    summary: 'Remove a member from an access group',
    responses: noContent,
  },
  'POST /v2/groups/:access_group_id/members/delete': {
    operationId: 'removeMembersFromAccessGroup',
    summary: 'Remove members from an access group (a result per member)',
    responses: { 207: RemovedMembers },
  },
  'PUT /v2/groups/_allgroups/members/:iam_id': {
    operationId: 'addMemberToMultipleAccessGroups',
    summary: 'Add an identity to several access groups (a result per group)',
    responses: { 207: GroupResults('AddMembershipMultipleGroupsResponse') },
  },
  'DELETE /v2/groups/_allgroups/members/:iam_id': {
    operationId: 'removeMemberFromAllAccessGroups',
    summary: 'Remove an identity from every access group of the account (a result per group)',
    responses: { 207: GroupResults('DeleteFromAllGroupsResponse') },
  },
  'POST /v2/groups/:access_group_id/rules': { operationId: 'addAccessGroupRule', summary: 'Add a dynamic membership rule', responses: { 201: RuleResponse } },
  'GET /v2/groups/:access_group_id/rules': {
    operationId: 'listAccessGroupRules',
    summary: 'List the dynamic membership rules of an access group',
    responses: ok(Type.Object({ rules: Type.Array(RuleResponse) }, { title: 'RulesList' })),
  },
  'GET /v2/groups/:access_group_id/rules/:rule_id': { operationId: 'getAccessGroupRule', summary: 'Get a dynamic membership rule', responses: ok(RuleResponse) },
  'PUT /v2/groups/:access_group_id/rules/:rule_id': {
    operationId: 'replaceAccessGroupRule',
    summary: 'Replace a dynamic membership rule',
    responses: ok(RuleResponse),
  },
  'DELETE /v2/groups/:access_group_id/rules/:rule_id': {
    operationId: 'removeAccessGroupRule',
    summary: 'Remove a dynamic membership rule',
    responses: noContent,
  },
};
