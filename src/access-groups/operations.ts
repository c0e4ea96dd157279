import { Type, type TSchema } from '@sinclair/typebox';
import { noContent, ok, type Operations } from '../http/openapi.js';

/**
 * Response schemas of the IAM Access Groups routes (the SDK's iam-access-groups/v2 models) and
 * what the OpenAPI document says of each operation. Responses are serialized through these
 * schemas, so a field missing here is missing on the wire.
 */

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
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
