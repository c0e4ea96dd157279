import { describeOperations, type Operations } from '../http/openapi.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, authenticateRequest, bearerTokenOf, requireBearer } from '../http/auth.js';
import { limitParam } from '../http/query.js';
import { DomainError } from '../kernel/errors.js';
import type { Authenticator } from '../kernel/principal.js';
import { INVITATION_PREFIX, USER_LIMITS, type UsersService } from './service.js';
import type { UserProfile, UserSettings } from './types.js';
import { limits } from '../kernel/limits.js';

export interface UsersRoutesDeps {
  users: UsersService;
  authenticator: Authenticator;
}

const config = { errorStyle: 'handbook' as const };
const tags = ['User Management'];
const strict = { additionalProperties: false };
const Text = Type.String({ minLength: 1, maxLength: limits.id });

function profileWire(p: UserProfile & { settings: UserSettings }, withSettings = false) {
  return {
    id: p.iamId,
    iam_id: p.iamId,
    realm: p.realm,
    user_id: p.userId,
    firstname: p.firstname,
    lastname: p.lastname,
    state: p.state,
    email: p.email,
    phonenumber: p.phonenumber,
    altphonenumber: p.altphonenumber,
    photo: p.photo,
    account_id: p.accountId,
    added_on: p.addedOn,
    ...(withSettings ? { settings: p.settings } : {}),
  };
}

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

const operations: Operations = {
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

const AccountPath = Type.Object({ account_id: Text });
const UserPath = Type.Object({ account_id: Text, iam_id: Text });
const ListQuery = Type.Object({
  limit: Type.Optional(limitParam(USER_LIMITS)),
  include_settings: Type.Optional(Type.Boolean()),
  search: Type.Optional(Type.String({ maxLength: limits.text })),
  _start: Type.Optional(Type.String({ maxLength: limits.opaque })),
  user_id: Type.Optional(Type.String({ maxLength: limits.text })),
});
const Attribute = Type.Object({ name: Type.Optional(Type.String({ maxLength: limits.text })), value: Type.Optional(Type.String({ maxLength: limits.text })) });
const InviteBody = Type.Object(
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
const ProfileBody = Type.Object(
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
const SettingsBody = Type.Object(
  {
    language: Type.Optional(Type.String({ maxLength: limits.text })),
    notification_language: Type.Optional(Type.String({ maxLength: limits.text })),
    allowed_ip_addresses: Type.Optional(Type.String({ maxLength: limits.text })),
    self_manage: Type.Optional(Type.Boolean()),
  },
  strict,
);
const Activity = Type.Object({ include_activity: Type.Optional(Type.String({ maxLength: limits.text })) });

/** User Management v2 (and the v3 removal): `/v2/accounts/{account_id}/users…`, `/v2/users/accept`. */
export function usersRoutes(deps: UsersRoutesDeps): FastifyPluginAsync {
  const { users } = deps;
  return async (root) => {
    describeOperations(root, 'handbook', tags, operations);
    await root.register(async (plugin) => {
      const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
      requireBearer(plugin, deps.authenticator);
      const base = '/v2/accounts/:account_id/users';

      app.get(base, { config, schema: { tags, params: AccountPath, querystring: ListQuery } }, async (request) => {
        const q = request.query;
        const page = await users.list(actorOf(request), request.params.account_id, { search: q.search, userId: q.user_id }, { limit: q.limit, start: q._start });
        const path = `/v2/accounts/${request.params.account_id}/users`;
        const link = (start?: string) => {
          const params = new URLSearchParams();
          for (const [name, value] of Object.entries(q)) if (value !== undefined && name !== '_start') params.set(name, String(value));
          params.set('limit', String(page.limit));
          if (start) params.set('_start', start);
          return `${path}?${params.toString()}`;
        };
        return {
          total_results: page.total,
          limit: page.limit,
          first_url: link(),
          ...(page.next ? { next_url: link(page.next) } : {}),
          resources: page.items.map((p) => profileWire(p, q.include_settings)),
        };
      });

      app.post(base, { config, schema: { tags, params: AccountPath, body: InviteBody } }, async (request, reply) => {
        const b = request.body;
        const invited = await users.invite(actorOf(request), request.params.account_id, {
          users: b.users.map((u) => ({ email: u.email, accountRole: u.account_role })),
          accessGroups: b.access_groups,
          policies: b.iam_policy,
        });
        // The invitation went to the invitee by e-mail; the log names where it went, never its secret.
        for (const u of invited) {
          const where = u.delivery.via === 'outbox' ? { outbox_file: u.delivery.file } : { smtp_message_id: u.delivery.messageId };
          request.log.info({ account_id: request.params.account_id, email: u.email, iam_id: u.iamId, ...where }, 'user invited');
        }
        return reply.status(202).send({ resources: invited.map((u) => ({ email: u.email, id: u.iamId, state: u.state })) });
      });

      app.get(`${base}/:iam_id`, { config, schema: { tags, params: UserPath, querystring: Activity } }, async (request) =>
        profileWire(await users.getProfile(actorOf(request), request.params.account_id, request.params.iam_id)),
      );

      app.patch(`${base}/:iam_id`, { config, schema: { tags, params: UserPath, querystring: Activity, body: ProfileBody } }, async (request, reply) => {
        await users.updateProfile(actorOf(request), request.params.account_id, request.params.iam_id, request.body);
        return reply.status(204).send();
      });

      app.delete(`${base}/:iam_id`, { config, schema: { tags, params: UserPath, querystring: Activity } }, async (request, reply) => {
        await users.remove(actorOf(request), request.params.account_id, request.params.iam_id);
        return reply.status(204).send();
      });

      // v3 removal is asynchronous at IBM; here it completes before the 202.
      app.delete('/v3/accounts/:account_id/users/:iam_id', { config, schema: { tags, params: UserPath } }, async (request, reply) => {
        await users.remove(actorOf(request), request.params.account_id, request.params.iam_id);
        return reply.status(202).send();
      });

      app.get(`${base}/:iam_id/settings`, { config, schema: { tags, params: UserPath } }, async (request) =>
        users.getSettings(actorOf(request), request.params.account_id, request.params.iam_id),
      );

      app.patch(`${base}/:iam_id/settings`, { config, schema: { tags, params: UserPath, body: SettingsBody } }, async (request, reply) => {
        await users.updateSettings(actorOf(request), request.params.account_id, request.params.iam_id, request.body);
        return reply.status(204).send();
      });
    });

    // Accepting takes either an IAM access token of the invited user (who signs in as themselves) or,
    // for an invitee with no identity yet, the invitation secret from their e-mail, which also hands
    // them their first API key.
    await root.register(async (plugin) => {
      const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
      const AcceptBody = Type.Object(
        {
          account_id: Text,
          password: Type.Optional(
            Type.String({ minLength: 1, maxLength: 1024, description: 'With the invitation secret only: the first password of the new user (beyond IBM).' }),
          ),
        },
        strict,
      );
      app.post('/v2/users/accept', { config, schema: { tags, body: AcceptBody } }, async (request, reply) => {
        const credential = bearerTokenOf(request.headers.authorization);
        if (credential === undefined) throw new DomainError('unauthenticated', 'invalid_token', 'A Bearer token or invitation secret is required.');
        const accountId = request.body.account_id;
        if (credential.startsWith(INVITATION_PREFIX)) {
          const accepted = await users.acceptInvitation(credential, accountId, request.id, request.body.password);
          return reply.status(202).send({
            account_id: accountId,
            iam_id: accepted.iamId,
            iam_apikey_id: accepted.apiKey.id,
            iam_apikey: accepted.apiKey.value,
          });
        }
        if (request.body.password !== undefined) {
          throw new DomainError('invalid', 'invalid_body', 'A password is set only with the invitation secret; signed-in users reset theirs at /signin/password/reset.');
        }
        await authenticateRequest(request, deps.authenticator, credential);
        const changed = await users.accept(actorOf(request), accountId);
        return reply.status(changed ? 202 : 204).send();
      });
    });
  };
}
