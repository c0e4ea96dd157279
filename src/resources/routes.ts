import { describeOperations, type Operations } from '../http/openapi.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { limitParam } from '../http/query.js';
import type { Authenticator } from '../kernel/principal.js';
import { RESOURCE_LIMITS, nextUrl } from './paging.js';
import type { ResourcesService } from './service.js';
import type { QuotaDefinition, Reclamation, ResourceGroup, ResourceInstance } from './types.js';
import { limits } from '../kernel/limits.js';

export interface ResourcesRoutesDeps {
  resources: ResourcesService;
  authenticator: Authenticator;
}

const config = { errorStyle: 'resource-controller' as const };
const Id = Type.Object({ id: Type.String({ minLength: 1 }) });

// ── Wire shapes (surface.md appendix A) ───────────────────────────────────────────────────────

function groupWire(g: ResourceGroup) {
  return {
    id: g.id,
    crn: g.crn,
    account_id: g.accountId,
    name: g.name,
    state: g.state,
    default: g.isDefault,
    quota_id: g.quotaId,
    quota_url: `/v2/quota_definitions/${g.quotaId}`,
    payment_methods_url: `/v2/resource_groups/${g.id}/payment_methods`,
    resource_linkages: [],
    teams_url: `/v2/resource_groups/${g.id}/teams`,
    created_at: g.createdAt,
    updated_at: g.updatedAt,
  };
}

function quotaWire(q: QuotaDefinition) {
  return {
    id: q.id,
    name: q.name,
    type: q.type,
    number_of_apps: q.numberOfApps,
    number_of_service_instances: q.numberOfServiceInstances,
    default_number_of_instances_per_lite_plan: q.defaultNumberOfInstancesPerLitePlan,
    instances_per_app: q.instancesPerApp,
    instance_memory: q.instanceMemory,
    total_app_memory: q.totalAppMemory,
    vsi_limit: q.vsiLimit,
    resource_quotas: [],
    created_at: q.createdAt,
    updated_at: q.updatedAt,
  };
}

function lastOperation(i: ResourceInstance) {
  const type = i.state === 'active' ? (i.restoredAt ? 'restore' : i.updatedAt === i.createdAt ? 'create' : 'update') : 'delete';
  return { type, state: 'succeeded', async: false, description: `${type} succeeded`, cancelable: false, poll: false };
}

function instanceWire(i: ResourceInstance) {
  const url = `/v2/resource_instances/${i.guid}`;
  return {
    id: i.crn,
    guid: i.guid,
    url,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    deleted_at: i.deletedAt,
    created_by: i.createdBy,
    updated_by: i.updatedBy,
    deleted_by: i.deletedBy ?? '',
    scheduled_reclaim_at: i.scheduledReclaimAt,
    scheduled_reclaim_by: i.scheduledReclaimBy ?? '',
    restored_at: i.restoredAt,
    restored_by: i.restoredBy ?? '',
    name: i.name,
    region_id: i.location,
    account_id: i.accountId,
    resource_plan_id: i.resourcePlanId,
    resource_group_id: i.resourceGroupId,
    resource_group_crn: `crn:v1:bluemix:public:resource-controller::a/${i.accountId}::resource-group:${i.resourceGroupId}`,
    target_crn: `crn:v1:bluemix:public:globalcatalog::::deployment:${i.resourcePlanId}:${i.location}`,
    parameters: i.parameters,
    allow_cleanup: i.allowCleanup,
    crn: i.crn,
    state: i.state,
    type: i.type,
    sub_type: i.subType,
    resource_id: i.resourceId,
    dashboard_url: null,
    last_operation: lastOperation(i),
    resource_aliases_url: `${url}/resource_aliases`,
    resource_bindings_url: `${url}/resource_bindings`,
    resource_keys_url: `${url}/resource_keys`,
    plan_history: [{ resource_plan_id: i.resourcePlanId, start_date: i.createdAt }],
    migrated: false,
    extensions: {},
    controlled_by: '',
    locked: i.locked,
  };
}

function reclamationWire(r: Reclamation) {
  return {
    id: r.id,
    entity_id: r.instanceGuid,
    entity_type_id: 'resource-instance',
    entity_crn: r.instanceCrn,
    resource_instance_id: r.instanceGuid,
    resource_group_id: r.resourceGroupId,
    account_id: r.accountId,
    policy_id: 'default',
    state: r.state,
    target_time: r.targetTime,
    custom_properties: {},
    created_at: r.createdAt,
    created_by: r.createdBy,
    updated_at: r.updatedAt,
    updated_by: r.updatedBy,
  };
}

// ── Response schemas (the SDK's resource-manager/v2 and resource-controller/v2 models) ────────

const S = Type.String();
const NullableText = Type.Union([S, Type.Null()]);
const ResourceGroupSchema = Type.Object(
  {
    id: S,
    crn: S,
    account_id: S,
    name: S,
    state: S,
    default: Type.Boolean(),
    quota_id: S,
    quota_url: S,
    payment_methods_url: S,
    resource_linkages: Type.Array(Type.Unknown()),
    teams_url: S,
    created_at: S,
    updated_at: S,
  },
  { title: 'ResourceGroup' },
);
const QuotaSchema = Type.Object(
  {
    id: S,
    name: S,
    type: S,
    number_of_apps: Type.Number(),
    number_of_service_instances: Type.Number(),
    default_number_of_instances_per_lite_plan: Type.Number(),
    instances_per_app: Type.Number(),
    instance_memory: S,
    total_app_memory: S,
    vsi_limit: Type.Number(),
    resource_quotas: Type.Array(Type.Unknown()),
    created_at: S,
    updated_at: S,
  },
  { title: 'QuotaDefinition' },
);
const FreeForm = Type.Object({}, { additionalProperties: true });
const InstanceSchema = Type.Object(
  {
    id: S,
    guid: S,
    url: S,
    created_at: S,
    updated_at: S,
    deleted_at: NullableText,
    created_by: S,
    updated_by: S,
    deleted_by: S,
    scheduled_reclaim_at: NullableText,
    scheduled_reclaim_by: S,
    restored_at: NullableText,
    restored_by: S,
    name: S,
    region_id: S,
    account_id: S,
    resource_plan_id: S,
    resource_group_id: S,
    resource_group_crn: S,
    target_crn: S,
    parameters: FreeForm,
    allow_cleanup: Type.Boolean(),
    crn: S,
    state: S,
    type: S,
    sub_type: NullableText,
    resource_id: S,
    dashboard_url: NullableText,
    last_operation: Type.Object({
      type: S,
      state: S,
      async: Type.Boolean(),
      description: S,
      cancelable: Type.Boolean(),
      poll: Type.Boolean(),
    }),
    resource_aliases_url: S,
    resource_bindings_url: S,
    resource_keys_url: S,
    plan_history: Type.Array(Type.Object({ resource_plan_id: S, start_date: S })),
    migrated: Type.Boolean(),
    extensions: FreeForm,
    controlled_by: S,
    locked: Type.Boolean(),
  },
  { title: 'ResourceInstance' },
);
const ReclamationSchema = Type.Object(
  {
    id: S,
    entity_id: S,
    entity_type_id: S,
    entity_crn: S,
    resource_instance_id: S,
    resource_group_id: S,
    account_id: S,
    policy_id: S,
    state: S,
    target_time: NullableText,
    custom_properties: FreeForm,
    created_at: S,
    created_by: S,
    updated_at: S,
    updated_by: S,
  },
  { title: 'Reclamation' },
);
const resourcesOf = (item: TSchema, title: string) => Type.Object({ resources: Type.Array(item) }, { title });

const managerOperations: Operations = {
  'GET /v2/resource_groups': { operationId: 'listResourceGroups', summary: 'List resource groups', responses: { 200: resourcesOf(ResourceGroupSchema, 'ResourceGroupList') } },
  'POST /v2/resource_groups': {
    operationId: 'createResourceGroup',
    summary: 'Create a resource group',
    responses: { 201: Type.Object({ id: S, crn: S }, { title: 'ResCreateResourceGroup' }) },
  },
  'GET /v2/resource_groups/:id': { operationId: 'getResourceGroup', summary: 'Get a resource group', responses: { 200: ResourceGroupSchema } },
  'PATCH /v2/resource_groups/:id': { operationId: 'updateResourceGroup', summary: 'Update a resource group', responses: { 200: ResourceGroupSchema } },
  'DELETE /v2/resource_groups/:id': { operationId: 'deleteResourceGroup', summary: 'Delete a resource group', responses: { 204: null } },
  'GET /v2/quota_definitions': { operationId: 'listQuotaDefinitions', summary: 'List quota definitions', responses: { 200: resourcesOf(QuotaSchema, 'QuotaDefinitionList') } },
  'GET /v2/quota_definitions/:id': { operationId: 'getQuotaDefinition', summary: 'Get a quota definition', responses: { 200: QuotaSchema } },
};

const controllerOperations: Operations = {
  'GET /v2/resource_instances': {
    operationId: 'listResourceInstances',
    summary: 'List resource instances',
    responses: {
      200: Type.Object({ rows_count: Type.Integer(), next_url: NullableText, resources: Type.Array(InstanceSchema) }, { title: 'ResourceInstancesList' }),
    },
  },
  'POST /v2/resource_instances': { operationId: 'createResourceInstance', summary: 'Create a resource instance', responses: { 201: InstanceSchema } },
  'GET /v2/resource_instances/:id': { operationId: 'getResourceInstance', summary: 'Get a resource instance', responses: { 200: InstanceSchema } },
  'PATCH /v2/resource_instances/:id': { operationId: 'updateResourceInstance', summary: 'Update a resource instance', responses: { 200: InstanceSchema } },
  'DELETE /v2/resource_instances/:id': { operationId: 'deleteResourceInstance', summary: 'Delete a resource instance (reclaimable)', responses: { 204: null } },
  'POST /v2/resource_instances/:id/lock': { operationId: 'lockResourceInstance', summary: 'Lock a resource instance', responses: { 200: InstanceSchema } },
  'DELETE /v2/resource_instances/:id/lock': { operationId: 'unlockResourceInstance', summary: 'Unlock a resource instance', responses: { 200: InstanceSchema } },
  'GET /v1/reclamations': { operationId: 'listReclamations', summary: 'List reclamations', responses: { 200: resourcesOf(ReclamationSchema, 'ReclamationsList') } },
  'POST /v1/reclamations/:id/actions/:action_name': {
    operationId: 'runReclamationAction',
    summary: 'Restore or reclaim a reclaimed instance',
    responses: { 200: ReclamationSchema },
  },
};

// ── Request schemas ───────────────────────────────────────────────────────────────────────────

const GroupListQuery = Type.Object({
  account_id: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })),
  date: Type.Optional(Type.String({ maxLength: limits.text })),
  name: Type.Optional(Type.String({ maxLength: limits.text })),
  default: Type.Optional(Type.Boolean()),
  include_deleted: Type.Optional(Type.Boolean()),
});
const GroupCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: limits.id }), account_id: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })) },
  { additionalProperties: false },
);
const GroupUpdate = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })), state: Type.Optional(Type.String({ maxLength: limits.text })) },
  { additionalProperties: false },
);

const InstanceListQuery = Type.Object({
  guid: Type.Optional(Type.String({ maxLength: limits.text })),
  name: Type.Optional(Type.String({ maxLength: limits.text })),
  resource_group_id: Type.Optional(Type.String({ maxLength: limits.text })),
  resource_id: Type.Optional(Type.String({ maxLength: limits.text })),
  resource_plan_id: Type.Optional(Type.String({ maxLength: limits.text })),
  type: Type.Optional(Type.String({ maxLength: limits.text })),
  sub_type: Type.Optional(Type.String({ maxLength: limits.text })),
  limit: Type.Optional(limitParam(RESOURCE_LIMITS)),
  start: Type.Optional(Type.String({ maxLength: limits.opaque })),
  state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('pending_reclamation'), Type.Literal('removed')])),
  updated_from: Type.Optional(Type.String({ format: 'date-time' })),
  updated_to: Type.Optional(Type.String({ format: 'date-time' })),
});
const InstanceCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: limits.id }),
    target: Type.String({ minLength: 1, maxLength: limits.id }),
    resource_group: Type.String({ minLength: 1, maxLength: limits.id }),
    resource_plan_id: Type.String({ minLength: 1, maxLength: limits.id }),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: limits.text }))),
    allow_cleanup: Type.Optional(Type.Boolean()),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
const InstanceUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    resource_plan_id: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })),
    allow_cleanup: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const ReclamationQuery = Type.Object({
  account_id: Type.Optional(Type.String({ maxLength: limits.text })),
  resource_instance_id: Type.Optional(Type.String({ maxLength: limits.text })),
  resource_group_id: Type.Optional(Type.String({ maxLength: limits.text })),
});
const ReclamationAction = Type.Object({ id: Type.String({ minLength: 1, maxLength: limits.id }), action_name: Type.String({ minLength: 1, maxLength: limits.id }) });
const ReclamationBody = Type.Optional(
  Type.Object({ request_by: Type.Optional(Type.String({ maxLength: limits.text })), comment: Type.Optional(Type.String({ maxLength: limits.text })) }, { additionalProperties: false }),
);

/** Resource Manager v2: `/v2/resource_groups`, `/v2/quota_definitions`. */
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
        next_url: next === undefined ? null : nextUrl('/v2/resource_instances', q, q.limit ?? RESOURCE_LIMITS.default, next),
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
      { config, schema: { tags, params: Id, querystring: Type.Object({ recursive: Type.Optional(Type.Boolean()) }) } },
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
