import { describeOperations } from '../http/openapi.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { ifMatchOf, setEtag } from '../http/etag.js';
import type { Authenticator } from '../kernel/principal.js';
import type { RoleService } from './roles-service.js';
import {
  AccountParams,
  CreateRoleSchema,
  GrantableSchema,
  FormatQuery,
  ListPoliciesQuery,
  ListRolesQuery,
  PolicyIdParams,
  policyOperations,
  PolicyStateSchema,
  ReplaceRoleSchema,
  SettingsPatchSchema,
  V1PolicySchema,
  V2PolicySchema,
} from './schemas.js';
import { ConflictWith } from './errors.js';
import type { GrantableCheck } from './grantable.js';
import type { PolicyService } from './service.js';
import type { SettingsService } from './settings-service.js';
import type { CustomRoleRecord, PolicyListQuery } from './types.js';
import { parseV1 } from './v1.js';
import { parseV2 } from './v2.js';
import { renderConflict, renderCustomRole, renderPolicy, renderPolicyPage, renderRoles, type PolicyView } from './wire.js';

export interface PolicyRoutesDeps {
  policies: PolicyService;
  roles: RoleService;
  settings: SettingsService;
  grantable: GrantableCheck;
  authenticator: Authenticator;
  /** Where clients reach this server: hrefs are absolute URLs under it. */
  site: { url: string };
}

const config = { errorStyle: 'policy' as const };
const tags = ['IAM Policy Management'];

const listQueryOf = (q: ListPoliciesQuery): PolicyListQuery => ({
  accountId: q.account_id,
  iamId: q.iam_id,
  accessGroupId: q.access_group_id,
  type: q.type,
  serviceType: q.service_type,
  serviceName: q.service_name,
  serviceGroupId: q.service_group_id,
  tagName: q.tag_name,
  tagValue: q.tag_value,
  sort: q.sort,
  format: q.format,
  state: q.state,
  limit: q.limit,
  start: q.start,
});

/**
 * IAM Policy Management: `/v1/policies`, `/v2/policies`, `/v2/roles` and
 * `/v1/accounts/{account_id}/settings/access_management`. Every route needs a bearer token and
 * answers errors in the policy API's shape.
 */
export function policyRoutes(deps: PolicyRoutesDeps): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    requireBearer(app, deps.authenticator);
    describeOperations(plugin, 'policy', tags, policyOperations);
    // A conflict carries the record it conflicts with; rendered here, the parent handler answers it.
    app.setErrorHandler((error) => {
      throw error instanceof ConflictWith ? renderConflict(deps.site.url, error) : error;
    });
    policies(app, deps.policies, deps.site.url);
    roles(app, deps.roles, deps.site.url);
    settings(app, deps.settings);
    app.post('/v2/policies/grantable', { config, schema: { tags, body: GrantableSchema } }, async (request) => {
      const answers = await deps.grantable(actorOf(request), request.body.account_id, request.body.resources.map((r) => r.attributes));
      return { resources: answers.map((grantable) => ({ grantable })) };
    });
  };
}


function policies(plugin: FastifyInstance, service: PolicyService, baseUrl: string) {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  /** Sends a policy with its ETag. */
  const send = (reply: FastifyReply, view: PolicyView, status = 200) => {
    setEtag(reply, view.policy.entityTag);
    return reply.status(status).send(renderPolicy(baseUrl, view));
  };

  for (const syntax of ['v1', 'v2'] as const) {
    app.get(
      `/${syntax}/policies`,
      { config, schema: { tags, querystring: ListPoliciesQuery } },
      async (request) => renderPolicyPage(baseUrl, await service.list(actorOf(request), listQueryOf(request.query), syntax)),
    );
    app.get(
      `/${syntax}/policies/:id`,
      { config, schema: { tags, params: PolicyIdParams, querystring: FormatQuery } },
      async (request, reply) => {
        return send(reply, await service.get(actorOf(request), request.params.id, syntax, request.query.format));
      },
    );
    app.delete(
      `/${syntax}/policies/:id`,
      { config, schema: { tags, params: PolicyIdParams } },
      async (request, reply) => {
        await service.remove(actorOf(request), request.params.id);
        return reply.status(204).send();
      },
    );
  }

  app.post('/v1/policies', { config, schema: { tags, body: V1PolicySchema } }, async (request, reply) => {
    return send(reply, await service.create(actorOf(request), parseV1(request.body)), 201);
  });
  app.post('/v2/policies', { config, schema: { tags, body: V2PolicySchema } }, async (request, reply) => {
    return send(reply, await service.create(actorOf(request), parseV2(request.body)), 201);
  });
  app.put(
    '/v1/policies/:id',
    { config, schema: { tags, params: PolicyIdParams, body: V1PolicySchema } },
    async (request, reply) => {
      return send(reply, await service.replace(actorOf(request), request.params.id, ifMatchOf(request), parseV1(request.body)));
    },
  );
  app.put(
    '/v2/policies/:id',
    { config, schema: { tags, params: PolicyIdParams, body: V2PolicySchema } },
    async (request, reply) => {
      return send(reply, await service.replace(actorOf(request), request.params.id, ifMatchOf(request), parseV2(request.body)));
    },
  );
  app.patch(
    '/v1/policies/:id',
    { config, schema: { tags, params: PolicyIdParams, body: PolicyStateSchema } },
    async (request, reply) => {
      return send(reply, await service.updateState(actorOf(request), request.params.id, ifMatchOf(request), request.body.state));
    },
  );
}

function roles(plugin: FastifyInstance, service: RoleService, baseUrl: string) {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  /** Sends a custom role with its ETag. */
  const send = (reply: FastifyReply, role: CustomRoleRecord, status = 200) => {
    setEtag(reply, role.entityTag);
    return reply.status(status).send(renderCustomRole(baseUrl, role));
  };
  // Custom role ids are ~100+ hex characters, beyond the router's default 100-character limit for
  // `:param` segments; a wildcard segment has no such limit (an id with `/` simply is not found).
  const RoleIdParams = Type.Object({ '*': Type.String() });
  const roleUrl = '/v2/roles/*';

  app.get('/v2/roles', { config, schema: { tags, querystring: ListRolesQuery } }, async (request) => {
    const q = request.query;
    return renderRoles(baseUrl, await service.list(actorOf(request), {
      accountId: q.account_id,
      serviceName: q.service_name,
      serviceGroupId: q.service_group_id,
      sourceServiceName: q.source_service_name,
      policyType: q.policy_type,
    }));
  });
  app.post('/v2/roles', { config, schema: { tags, body: CreateRoleSchema } }, async (request, reply) => {
    const b = request.body;
    const role = await service.create(actorOf(request), {
      name: b.name,
      displayName: b.display_name,
      description: b.description,
      accountId: b.account_id,
      serviceName: b.service_name,
      actions: b.actions,
    });
    return send(reply, role, 201);
  });
  app.get(roleUrl, { config, schema: { tags, params: RoleIdParams } }, async (request, reply) => {
    return send(reply, await service.get(actorOf(request), request.params['*']));
  });
  app.put(
    roleUrl,
    { config, schema: { tags, params: RoleIdParams, body: ReplaceRoleSchema } },
    async (request, reply) => {
      const b = request.body;
      const role = await service.replace(actorOf(request), request.params['*'], ifMatchOf(request), {
        displayName: b.display_name,
        description: b.description,
        actions: b.actions,
      });
      return send(reply, role);
    },
  );
  app.delete(roleUrl, { config, schema: { tags, params: RoleIdParams } }, async (request, reply) => {
    await service.remove(actorOf(request), request.params['*']);
    return reply.status(204).send();
  });
}

function settings(plugin: FastifyInstance, service: SettingsService) {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const url = '/v1/accounts/:account_id/settings/access_management';

  app.get(url, { config, schema: { tags, params: AccountParams } }, async (request, reply) => {
    const result = await service.get(actorOf(request), request.params.account_id);
    setEtag(reply, result.entityTag);
    return result.settings;
  });
  app.patch(
    url,
    { config, schema: { tags, params: AccountParams, body: SettingsPatchSchema } },
    async (request, reply) => {
      const result = await service.update(actorOf(request), request.params.account_id, ifMatchOf(request), request.body);
      setEtag(reply, result.entityTag);
      return result.settings;
    },
  );
}
