import type { QuotaDefinition, Reclamation, ResourceGroup, ResourceInstance } from './types.js';

/** Resource records → IBM's JSON (surface.md appendix A; the SDK's resource-manager/v2 and resource-controller/v2 models). */

export function groupWire(g: ResourceGroup) {
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

export function quotaWire(q: QuotaDefinition) {
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

export function instanceWire(i: ResourceInstance) {
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

export function reclamationWire(r: Reclamation) {
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
