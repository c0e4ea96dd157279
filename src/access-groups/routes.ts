import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { describeOperations } from '../http/openapi.js';
import { ifMatchOf, sendTagged } from '../http/etag.js';
import type { Authenticator } from '../kernel/principal.js';
import { PAGE_LIMITS } from './paging.js';
import {
  accessGroupOperations,
  AccountQuery,
  AddMembersBody,
  AddToGroupsBody,
  CreateGroupBody,
  DeleteGroupQuery,
  GroupListQuery,
  GroupParams,
  GroupReadQuery,
  IamIdParams,
  MemberListQuery,
  MemberParams,
  RemoveMembersBody,
  RuleBody,
  RuleParams,
  SettingsBody,
  UpdateGroupBody,
} from './schemas.js';
import type { AccessGroupsService } from './service.js';
import type { RuleInput } from './types.js';
import {
  addedMemberWire,
  groupResultWire,
  groupWire,
  memberWire,
  pageWire,
  removedMemberWire,
  ruleWire,
  settingsWire,
} from './wire.js';

export interface AccessGroupRoutesDeps {
  accessGroups: AccessGroupsService;
  authenticator: Authenticator;
  /** Where clients reach this server: hrefs are absolute URLs under it. */
  site: { url: string };
}

/**
 * The absolute URL of the requested listing starting at `offset`, every other query parameter as
 * the client sent it and `limit` as applied.
 */
function pageHref(siteUrl: string, request: FastifyRequest, limit: number) {
  const [path, query = ''] = request.url.split('?', 2) as [string, string?];
  return (offset: number) => {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    params.set('offset', String(offset));
    return `${siteUrl}${path}?${params.toString()}`;
  };
}

const ruleInputOf = (body: { name?: string; expiration: number; realm_name: string; conditions: RuleInput['conditions'] }): RuleInput => ({
  expiration: body.expiration,
  realmName: body.realm_name,
  conditions: body.conditions,
  ...(body.name !== undefined ? { name: body.name } : {}),
});


/**
 * IAM Access Groups v2 routes: groups, members, dynamic rules and account settings (templates and
 * assignments are not served). Each validates its input, calls one service operation and shapes
 * IBM's response; errors use the API handbook container.
 */
export function accessGroupRoutes(deps: AccessGroupRoutesDeps): FastifyPluginAsync {
  const { accessGroups, site } = deps;
  return async (plain) => {
    requireBearer(plain, deps.authenticator);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const config = { errorStyle: 'handbook' as const };
    const tags = ['IAM Access Groups'];
    describeOperations(plain, 'handbook', tags, accessGroupOperations);

    // ── Settings (static path: registered before the parametric group routes for clarity) ──

    app.get('/v2/groups/settings', { config, schema: { tags, querystring: AccountQuery } }, async (request) =>
      settingsWire(await accessGroups.getSettings(actorOf(request), request.query.account_id)),
    );

    app.patch('/v2/groups/settings', { config, schema: { tags, querystring: AccountQuery, body: SettingsBody } }, async (request) =>
      settingsWire(
        await accessGroups.updateSettings(actorOf(request), request.query.account_id, request.body.public_access_enabled),
      ),
    );

    // ── Groups ────────────────────────────────────────────────────────────────────────────

    app.post('/v2/groups', { config, schema: { tags, querystring: AccountQuery, body: CreateGroupBody } }, async (request, reply) => {
      const group = await accessGroups.createGroup(actorOf(request), request.query.account_id, {
        name: request.body.name,
        ...(request.body.description !== undefined ? { description: request.body.description } : {}),
      });
      return sendTagged(reply, 201, group.entityTag, groupWire(group, site.url));
    });

    app.get('/v2/groups', { config, schema: { tags, querystring: GroupListQuery } }, async (request) => {
      const q = request.query;
      const limit = q.limit ?? PAGE_LIMITS.default;
      const page = await accessGroups.listGroups(actorOf(request), q.account_id, {
        limit,
        offset: q.offset ?? 0,
        ...(q.iam_id !== undefined ? { iamId: q.iam_id } : {}),
        ...(q.membership_type !== undefined ? { membershipType: q.membership_type } : {}),
        ...(q.search !== undefined ? { search: q.search } : {}),
        ...(q.sort !== undefined ? { sort: q.sort } : {}),
        hidePublicAccess: q.hide_public_access ?? false,
      });
      const shape = { showFederated: q.show_federated ?? false, showCrn: q.show_crn ?? false };
      return pageWire(page, 'groups', (g) => groupWire(g, site.url, shape), pageHref(site.url, request, limit));
    });

    app.get(
      '/v2/groups/:access_group_id',
      { config, schema: { tags, params: GroupParams, querystring: GroupReadQuery } },
      async (request, reply) => {
        const group = await accessGroups.getGroup(actorOf(request), request.params.access_group_id);
        const shape = { showFederated: request.query.show_federated ?? false, showCrn: request.query.show_crn ?? false };
        return sendTagged(reply, 200, group.entityTag, groupWire(group, site.url, shape));
      },
    );

    app.patch(
      '/v2/groups/:access_group_id',
      { config, schema: { tags, params: GroupParams, body: UpdateGroupBody } },
      async (request, reply) => {
        const group = await accessGroups.updateGroup(actorOf(request), request.params.access_group_id, ifMatchOf(request), {
          ...(request.body.name !== undefined ? { name: request.body.name } : {}),
          ...(request.body.description !== undefined ? { description: request.body.description } : {}),
        });
        return sendTagged(reply, 200, group.entityTag, groupWire(group, site.url));
      },
    );

    app.delete(
      '/v2/groups/:access_group_id',
      { config, schema: { tags, params: GroupParams, querystring: DeleteGroupQuery } },
      async (request, reply) => {
        await accessGroups.deleteGroup(actorOf(request), request.params.access_group_id, request.query.force ?? false);
        return reply.code(204).send();
      },
    );

    // ── Members ───────────────────────────────────────────────────────────────────────────

    app.put(
      '/v2/groups/:access_group_id/members',
      { config, schema: { tags, params: GroupParams, body: AddMembersBody } },
      async (request, reply) => {
        const results = await accessGroups.addMembers(
          actorOf(request),
          request.params.access_group_id,
          request.body.members.map((m) => ({ iamId: m.iam_id, type: m.type })),
        );
        return reply.code(207).send({ members: results.map((r) => addedMemberWire(r, 200, request.id)) });
      },
    );

    app.get(
      '/v2/groups/:access_group_id/members',
      { config, schema: { tags, params: GroupParams, querystring: MemberListQuery } },
      async (request) => {
        const q = request.query;
        const groupId = request.params.access_group_id;
        const limit = q.limit ?? PAGE_LIMITS.default;
        const page = await accessGroups.listMembers(actorOf(request), groupId, {
          limit,
          offset: q.offset ?? 0,
          ...(q.membership_type !== undefined ? { membershipType: q.membership_type } : {}),
          ...(q.type !== undefined ? { type: q.type } : {}),
          ...(q.sort !== undefined ? { sort: q.sort } : {}),
          verbose: q.verbose ?? false,
        });
        return pageWire(page, 'members', (m) => memberWire(m, groupId, site.url), pageHref(site.url, request, limit));
      },
    );

    app.head('/v2/groups/:access_group_id/members/:iam_id', { config: { ...config, swagger: { exposeHeadRoute: true } }, schema: { tags, params: MemberParams } }, async (request, reply) => {
      await accessGroups.checkMembership(actorOf(request), request.params.access_group_id, request.params.iam_id);
      return reply.code(204).send();
    });

    app.delete(
      '/v2/groups/:access_group_id/members/:iam_id',
      { config, schema: { tags, params: MemberParams } },
      async (request, reply) => {
        await accessGroups.removeMember(actorOf(request), request.params.access_group_id, request.params.iam_id);
        return reply.code(204).send();
      },
    );

    app.post(
      '/v2/groups/:access_group_id/members/delete',
      { config, schema: { tags, params: GroupParams, body: RemoveMembersBody } },
      async (request, reply) => {
        const groupId = request.params.access_group_id;
        const results = await accessGroups.removeMembers(actorOf(request), groupId, request.body.members);
        return reply.code(207).send({ access_group_id: groupId, members: results.map((r) => removedMemberWire(r, 204, request.id)) });
      },
    );

    app.put(
      '/v2/groups/_allgroups/members/:iam_id',
      { config, schema: { tags, params: IamIdParams, querystring: AccountQuery, body: AddToGroupsBody } },
      async (request, reply) => {
        const iamId = request.params.iam_id;
        const results = await accessGroups.addToGroups(
          actorOf(request),
          request.query.account_id,
          iamId,
          request.body.type,
          request.body.groups,
        );
        return reply.code(207).send({ iam_id: iamId, groups: results.map((r) => groupResultWire(r, 200, request.id)) });
      },
    );

    app.delete(
      '/v2/groups/_allgroups/members/:iam_id',
      { config, schema: { tags, params: IamIdParams, querystring: AccountQuery } },
      async (request, reply) => {
        const iamId = request.params.iam_id;
        const results = await accessGroups.removeFromAllGroups(actorOf(request), request.query.account_id, iamId);
        return reply.code(207).send({ iam_id: iamId, groups: results.map((r) => groupResultWire(r, 204, request.id)) });
      },
    );

    // ── Rules ─────────────────────────────────────────────────────────────────────────────

    app.post(
      '/v2/groups/:access_group_id/rules',
      { config, schema: { tags, params: GroupParams, body: RuleBody } },
      async (request, reply) => {
        const rule = await accessGroups.addRule(actorOf(request), request.params.access_group_id, ruleInputOf(request.body));
        return sendTagged(reply, 201, rule.entityTag, ruleWire(rule));
      },
    );

    app.get('/v2/groups/:access_group_id/rules', { config, schema: { tags, params: GroupParams } }, async (request) => ({
      rules: (await accessGroups.listRules(actorOf(request), request.params.access_group_id)).map(ruleWire),
    }));

    app.get('/v2/groups/:access_group_id/rules/:rule_id', { config, schema: { tags, params: RuleParams } }, async (request, reply) => {
      const rule = await accessGroups.getRule(actorOf(request), request.params.access_group_id, request.params.rule_id);
      return sendTagged(reply, 200, rule.entityTag, ruleWire(rule));
    });

    app.put(
      '/v2/groups/:access_group_id/rules/:rule_id',
      { config, schema: { tags, params: RuleParams, body: RuleBody } },
      async (request, reply) => {
        const { access_group_id: groupId, rule_id: ruleId } = request.params;
        const rule = await accessGroups.replaceRule(actorOf(request), groupId, ruleId, ifMatchOf(request), ruleInputOf(request.body));
        return sendTagged(reply, 200, rule.entityTag, ruleWire(rule));
      },
    );

    app.delete(
      '/v2/groups/:access_group_id/rules/:rule_id',
      { config, schema: { tags, params: RuleParams } },
      async (request, reply) => {
        await accessGroups.removeRule(actorOf(request), request.params.access_group_id, request.params.rule_id);
        return reply.code(204).send();
      },
    );
  };
}
