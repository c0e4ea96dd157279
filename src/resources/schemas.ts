import { Type, type TSchema } from '@sinclair/typebox';
import { FreeForm, type Operations } from '../http/openapi.js';
import { limitParam } from '../http/query.js';
import { limits } from '../kernel/limits.js';
import { RESOURCE_LIMITS } from './types.js';

export const Id = Type.Object({ id: Type.String({ minLength: 1 }) });

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

export const managerOperations: Operations = {
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

export const controllerOperations: Operations = {
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

export const GroupListQuery = Type.Object({
  account_id: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })),
  date: Type.Optional(Type.String({ maxLength: limits.text })),
  name: Type.Optional(Type.String({ maxLength: limits.text })),
  default: Type.Optional(Type.Boolean()),
  include_deleted: Type.Optional(Type.Boolean()),
});
export const GroupCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: limits.id }), account_id: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })) },
  { additionalProperties: false },
);
export const GroupUpdate = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })), state: Type.Optional(Type.String({ maxLength: limits.text })) },
  { additionalProperties: false },
);

export const InstanceListQuery = Type.Object({
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
export const InstanceCreate = Type.Object(
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
export const InstanceDeleteQuery = Type.Object({ recursive: Type.Optional(Type.Boolean()) });
export const InstanceUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    resource_plan_id: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id })),
    allow_cleanup: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const ReclamationQuery = Type.Object({
  account_id: Type.Optional(Type.String({ maxLength: limits.text })),
  resource_instance_id: Type.Optional(Type.String({ maxLength: limits.text })),
  resource_group_id: Type.Optional(Type.String({ maxLength: limits.text })),
});
export const ReclamationAction = Type.Object({ id: Type.String({ minLength: 1, maxLength: limits.id }), action_name: Type.String({ minLength: 1, maxLength: limits.id }) });
export const ReclamationBody = Type.Optional(
  Type.Object({ request_by: Type.Optional(Type.String({ maxLength: limits.text })), comment: Type.Optional(Type.String({ maxLength: limits.text })) }, { additionalProperties: false }),
);

/** Resource Manager v2: `/v2/resource_groups`, `/v2/quota_definitions`. */
