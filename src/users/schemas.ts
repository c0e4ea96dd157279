import { Type } from '@sinclair/typebox';
import { type Operations } from '../http/openapi.js';
import { limitParam } from '../http/query.js';
import { limits } from '../kernel/limits.js';
import { USER_LIMITS } from './service.js';
import { USER_SORTS, type UserSort } from './types.js';

/** Request and response schemas of User Management v2 (the SDK's user-management/v1 models). */

const strict = { additionalProperties: false };
const Text = Type.String({ minLength: 1, maxLength: limits.id });

const S = Type.String();
const SettingsSchema = Type.Object(
  { language: S, notification_language: S, allowed_ip_addresses: S, self_manage: Type.Boolean() },
  { title: 'UserSettings' },
);
const ProfileSchema = Type.Object(
  {
    id: S,
    iam_id: S,
    realm: S,
    user_id: S,
    firstname: S,
    lastname: S,
    state: S,
    email: S,
    phonenumber: S,
    altphonenumber: S,
    photo: S,
    account_id: S,
    added_on: S,
    settings: Type.Optional(SettingsSchema),
  },
  { title: 'UserProfile' },
);

export const operations: Operations = {
  'GET /v2/accounts/:account_id/users': {
    operationId: 'listUsers',
    summary: 'List the users of an account',
    responses: {
      200: Type.Object(
        { total_results: Type.Integer(), limit: Type.Integer(), first_url: S, next_url: Type.Optional(S), resources: Type.Array(ProfileSchema) },
        { title: 'UserList' },
      ),
    },
  },
  'POST /v2/accounts/:account_id/users': {
    operationId: 'inviteUsers',
    summary: 'Invite users to an account',
    responses: { 202: Type.Object({ resources: Type.Array(Type.Object({ email: S, id: S, state: S })) }, { title: 'InvitedUserList' }) },
  },
  'GET /v2/accounts/:account_id/users/:iam_id': { operationId: 'getUserProfile', summary: "Get a user's profile", responses: { 200: ProfileSchema } },
  'PATCH /v2/accounts/:account_id/users/:iam_id': { operationId: 'updateUserProfile', summary: "Update a user's profile", responses: { 204: null } },
  'DELETE /v2/accounts/:account_id/users/:iam_id': { operationId: 'removeUser', summary: 'Remove a user from an account', responses: { 204: null } },
  'DELETE /v3/accounts/:account_id/users/:iam_id': {
    operationId: 'v3RemoveUser',
    summary: 'Remove a user from an account (accepted for processing)',
    responses: { 202: null },
  },
  'GET /v2/accounts/:account_id/users/:iam_id/settings': { operationId: 'getUserSettings', summary: "Get a user's settings", responses: { 200: SettingsSchema } },
  'PATCH /v2/accounts/:account_id/users/:iam_id/settings': { operationId: 'updateUserSettings', summary: "Update a user's settings", responses: { 204: null } },
  'POST /v2/users/accept': {
    operationId: 'accept',
    summary: 'Accept an invitation to an account (with an access token or the invitation secret)',
    responses: {
      202: Type.Object(
        { account_id: Type.Optional(S), iam_id: Type.Optional(S), iam_apikey_id: Type.Optional(S), iam_apikey: Type.Optional(S) },
        { title: 'AcceptedInvitation', description: 'With the invitation secret: the new identity and its first API key; with a token: no body.' },
      ),
      204: null,
    },
  },
};

export const AccountPath = Type.Object({ account_id: Text });
export const UserPath = Type.Object({ account_id: Text, iam_id: Text });
export const ListQuery = Type.Object({
  limit: Type.Optional(limitParam(USER_LIMITS)),
  include_settings: Type.Optional(Type.Boolean()),
  search: Type.Optional(Type.String({ maxLength: limits.text })),
  _start: Type.Optional(Type.String({ maxLength: limits.opaque })),
  user_id: Type.Optional(Type.String({ maxLength: limits.text })),
  sort: Type.Optional(
    Type.Unsafe<UserSort>({
      type: 'string',
      enum: [...USER_SORTS],
      description:
        "Portcullis extension (not in IBM's API or SDK): sort by email, firstname, lastname, state, user_id (case-insensitive) or added_on, with '-' first for descending; ties by IAM id. Without it: IBM's order (by IAM id). next_url keeps the sort.",
    }),
  ),
});
const Attribute = Type.Object({ name: Type.Optional(Type.String({ maxLength: limits.text })), value: Type.Optional(Type.String({ maxLength: limits.text })) });
export const InviteBody = Type.Object(
  {
    users: Type.Array(Type.Object({ email: Text, account_role: Type.Optional(Type.String({ maxLength: limits.text })) }, strict), { minItems: 1, maxItems: 100 }),
    iam_policy: Type.Optional(
      Type.Array(
        Type.Object({
          type: Text,
          roles: Type.Optional(Type.Array(Type.Object({ role_id: Type.Optional(Type.String({ maxLength: limits.text })) }))),
          resources: Type.Optional(Type.Array(Type.Object({ attributes: Type.Optional(Type.Array(Attribute)) }))),
        }),
      ),
    ),
    access_groups: Type.Optional(Type.Array(Text)),
  },
  strict,
);
export const ProfileBody = Type.Object(
  {
    firstname: Type.Optional(Type.String({ maxLength: limits.text })),
    lastname: Type.Optional(Type.String({ maxLength: limits.text })),
    state: Type.Optional(Type.String({ maxLength: limits.text })),
    email: Type.Optional(Type.String({ maxLength: limits.text })),
    phonenumber: Type.Optional(Type.String({ maxLength: limits.text })),
    altphonenumber: Type.Optional(Type.String({ maxLength: limits.text })),
    photo: Type.Optional(Type.String({ maxLength: limits.text })),
  },
  strict,
);
export const SettingsBody = Type.Object(
  {
    language: Type.Optional(Type.String({ maxLength: limits.text })),
    notification_language: Type.Optional(Type.String({ maxLength: limits.text })),
    allowed_ip_addresses: Type.Optional(Type.String({ maxLength: limits.text })),
    self_manage: Type.Optional(Type.Boolean()),
  },
  strict,
);
export const Activity = Type.Object({ include_activity: Type.Optional(Type.String({ maxLength: limits.text })) });
export const AcceptBody = Type.Object(
  {
    account_id: Text,
    password: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'With the invitation secret only: the first password of the new user (beyond IBM).' }),
    ),
  },
  strict,
);
