import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { describeOperations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import { listingUrl } from '../http/query.js';
import { RESOURCE_LIMITS } from './types.js';
import {
  controllerOperations,
  GroupCreate,
  GroupListQuery,
  GroupUpdate,
  Id,
  InstanceCreate,
  InstanceDeleteQuery,
  InstanceListQuery,
  InstanceUpdate,
  managerOperations,
  ReclamationAction,
  ReclamationBody,
  ReclamationQuery,
} from './schemas.js';
import type { ResourcesService } from './service.js';
import { groupWire, instanceWire, quotaWire, reclamationWire } from './wire.js';

export interface ResourcesRoutesDeps {
  resources: ResourcesService;
  authenticator: Authenticator;
}

const config = { errorStyle: 'resource-controller' as const };

export function resourceManagerRoutes(deps: ResourcesRoutesDeps): FastifyPluginAsync {
  const { resources } = deps;
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    requireBearer(plugin, deps.authenticator);
    const tags = ['Resource Manager'];
    describeOperations(plugin, 'resource-controller', tags, managerOperations);

    app.get('/v2/resource_groups', { config, schema: { tags, querystring: GroupListQuery } }, async (request) => {
      const q = request.query;
      const groups = await resources.listGroups(actorOf(request), {
        accountId: q.account_id,
        date: q.date,
        name: q.name,
        isDefault: q.default,
        includeDeleted: q.include_deleted,
      });
      return { resources: groups.map(groupWire) };
    });

    app.post('/v2/resource_groups', { config, schema: { tags, body: GroupCreate } }, async (request, reply) => {
      const group = await resources.createGroup(actorOf(request), { name: request.body.name, accountId: request.body.account_id });
      return reply.status(201).send({ id: group.id, crn: group.crn });
    });

    app.get('/v2/resource_groups/:id', { config, schema: { tags, params: Id } }, async (request) =>
      groupWire(await resources.getGroup(actorOf(request), request.params.id)),
    );

    app.patch('/v2/resource_groups/:id', { config, schema: { tags, params: Id, body: GroupUpdate } }, async (request) =>
      groupWire(await resources.updateGroup(actorOf(request), request.params.id, request.body)),
    );

    app.delete('/v2/resource_groups/:id', { config, schema: { tags, params: Id } }, async (request, reply) => {
      await resources.deleteGroup(actorOf(request), request.params.id);
      return reply.status(204).send();
    });

    app.get('/v2/quota_definitions', { config, schema: { tags } }, async () => ({
      resources: resources.listQuotaDefinitions().map(quotaWire),
    }));

    app.get('/v2/quota_definitions/:id', { config, schema: { tags, params: Id } }, async (request) =>
      quotaWire(resources.getQuotaDefinition(request.params.id)),
    );
  };
}

/** Resource Controller v2: resource instances (`/v2/resource_instances`) and reclamations (`/v1/reclamations`). */
export function resourceControllerRoutes(deps: ResourcesRoutesDeps): FastifyPluginAsync {
  const { resources } = deps;
  return async (plugin) => {
    requireBearer(plugin, deps.authenticator);
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Resource Controller'];
    describeOperations(plugin, 'resource-controller', tags, controllerOperations);

    app.get('/v2/resource_instances', { config, schema: { tags, querystring: InstanceListQuery } }, async (request) => {
      const q = request.query;
      const { items, next } = await resources.listInstances(
        actorOf(request),
        {
          guid: q.guid,
          name: q.name,
          resourceGroupId: q.resource_group_id,
          resourceId: q.resource_id,
          resourcePlanId: q.resource_plan_id,
          type: q.type,
          subType: q.sub_type,
          state: q.state,
          updatedFrom: q.updated_from && new Date(q.updated_from).toISOString(),
          updatedTo: q.updated_to && new Date(q.updated_to).toISOString(),
        },
        { limit: q.limit, start: q.start },
      );
      return {
        rows_count: items.length,
        next_url: next === undefined ? null : listingUrl('/v2/resource_instances', q, { limit: q.limit ?? RESOURCE_LIMITS.default, start: next }),
        resources: items.map(instanceWire),
      };
    });

    app.post('/v2/resource_instances', { config, schema: { tags, body: InstanceCreate } }, async (request, reply) => {
      const b = request.body;
      const instance = await resources.createInstance(actorOf(request), {
        name: b.name,
        target: b.target,
        resourceGroup: b.resource_group,
        resourcePlanId: b.resource_plan_id,
        tags: b.tags,
        allowCleanup: b.allow_cleanup,
        parameters: b.parameters,
        locked: request.headers['entity-lock'] === 'true',
      });
      return reply.status(201).send(instanceWire(instance));
    });

    app.get('/v2/resource_instances/:id', { config, schema: { tags, params: Id } }, async (request) =>
      instanceWire(await resources.getInstance(actorOf(request), request.params.id)),
    );

    app.patch('/v2/resource_instances/:id', { config, schema: { tags, params: Id, body: InstanceUpdate } }, async (request) => {
      const b = request.body;
      const instance = await resources.updateInstance(actorOf(request), request.params.id, {
        name: b.name,
        parameters: b.parameters,
        resourcePlanId: b.resource_plan_id,
        allowCleanup: b.allow_cleanup,
      });
      return instanceWire(instance);
    });

    app.delete(
      '/v2/resource_instances/:id',
      { config, schema: { tags, params: Id, querystring: InstanceDeleteQuery } },
      async (request, reply) => {
        await resources.deleteInstance(actorOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    app.post('/v2/resource_instances/:id/lock', { config, schema: { tags, params: Id } }, async (request) =>
      instanceWire(await resources.lockInstance(actorOf(request), request.params.id)),
    );

    app.delete('/v2/resource_instances/:id/lock', { config, schema: { tags, params: Id } }, async (request) =>
      instanceWire(await resources.unlockInstance(actorOf(request), request.params.id)),
    );

    app.get('/v1/reclamations', { config, schema: { tags, querystring: ReclamationQuery } }, async (request) => {
      const q = request.query;
      const list = await resources.listReclamations(actorOf(request), {
        accountId: q.account_id,
        instanceId: q.resource_instance_id,
        resourceGroupId: q.resource_group_id,
      });
      return { resources: list.map(reclamationWire) };
    });

    app.post(
      '/v1/reclamations/:id/actions/:action_name',
      { config, schema: { tags, params: ReclamationAction, body: ReclamationBody } },
      async (request) => {
        const reclamation = await resources.runReclamationAction(actorOf(request), request.params.id, request.params.action_name, {
          requestBy: request.body?.request_by,
          comment: request.body?.comment,
        });
        return reclamationWire(reclamation);
      },
    );
  };
}
