import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, authenticateRequest, bearerTokenOf, requireBearer } from '../http/auth.js';
import { describeOperations } from '../http/openapi.js';
import { listingUrl } from '../http/query.js';
import { DomainError } from '../kernel/errors.js';
import type { Authenticator } from '../kernel/principal.js';
import { AcceptBody, AccountPath, Activity, InviteBody, ListQuery, operations, ProfileBody, SettingsBody, UserPath } from './schemas.js';
import { INVITATION_PREFIX, type UsersService } from './service.js';
import { profileWire } from './wire.js';

export interface UsersRoutesDeps {
  users: UsersService;
  authenticator: Authenticator;
}

const config = { errorStyle: 'handbook' as const };
const tags = ['User Management'];



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
        const page = await users.list(actorOf(request), request.params.account_id, { search: q.search, userId: q.user_id }, { limit: q.limit, start: q._start, sort: q.sort });
        const path = `/v2/accounts/${request.params.account_id}/users`;
        const link = (start?: string) => listingUrl(path, q, { limit: page.limit, _start: start || undefined });
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
