import { conflictOnDuplicate } from '../store/conflicts.js';
import type { Db } from '../store/db.js';
import type { ReclamationsTable, ResourceGroupsTable, ResourceInstancesTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import { groupCrn } from './crn.js';
import { resourceErrors } from './errors.js';
import type { GroupFilter, InstanceFilter, InstanceState, Reclamation, ResourceGroup, ResourceInstance } from './types.js';

type Executor = Db | Trx;

const toGroup = (row: ResourceGroupsTable): ResourceGroup => ({
  id: row.id,
  crn: groupCrn(row.account_id, row.id),
  accountId: row.account_id,
  name: row.name,
  state: row.state as ResourceGroup['state'],
  isDefault: row.is_default === 1,
  quotaId: row.quota_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deletedAt: row.deleted_at,
});

const toInstance = (row: ResourceInstancesTable): ResourceInstance => ({
  guid: row.guid,
  crn: row.crn,
  accountId: row.account_id,
  resourceGroupId: row.resource_group_id,
  name: row.name,
  serviceName: row.service_name,
  resourceId: row.resource_id,
  resourcePlanId: row.resource_plan_id,
  location: row.location,
  state: row.state as InstanceState,
  type: row.type,
  subType: row.sub_type,
  parameters: JSON.parse(row.parameters) as Record<string, unknown>,
  tags: JSON.parse(row.tags) as string[],
  allowCleanup: row.allow_cleanup === 1,
  locked: row.locked === 1,
  createdAt: row.created_at,
  createdBy: row.created_by,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
  deletedAt: row.deleted_at,
  deletedBy: row.deleted_by,
  scheduledReclaimAt: row.scheduled_reclaim_at,
  scheduledReclaimBy: row.scheduled_reclaim_by,
  restoredAt: row.restored_at,
  restoredBy: row.restored_by,
});

const toReclamation = (row: ReclamationsTable & { crn: string }): Reclamation => ({
  id: row.id,
  instanceGuid: row.instance_guid,
  instanceCrn: row.crn,
  accountId: row.account_id,
  resourceGroupId: row.resource_group_id,
  state: row.state as Reclamation['state'],
  targetTime: row.target_time,
  createdAt: row.created_at,
  createdBy: row.created_by,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

export type InstanceChanges = Partial<
  Pick<
    ResourceInstancesTable,
    | 'name'
    | 'parameters'
    | 'allow_cleanup'
    | 'locked'
    | 'state'
    | 'updated_at'
    | 'updated_by'
    | 'deleted_at'
    | 'deleted_by'
    | 'scheduled_reclaim_at'
    | 'scheduled_reclaim_by'
    | 'restored_at'
    | 'restored_by'
  >
>;

/** Resource groups, instances and reclamations. Reads take the database or a transaction; writes the transaction. */
export function createResourcesStore(db: Db) {
  return {
    // ── Resource groups ─────────────────────────────────────────────────────────────────────

    /** Throws the 409 groupNameTaken when a live group of the account has that name (a unique index). */
    async insertGroup(trx: Trx, group: ResourceGroup): Promise<void> {
      const insert = trx
        .insertInto('resource_groups')
        .values({
          id: group.id,
          account_id: group.accountId,
          name: group.name,
          state: group.state,
          is_default: group.isDefault ? 1 : 0,
          quota_id: group.quotaId,
          created_at: group.createdAt,
          updated_at: group.updatedAt,
          deleted_at: null,
        })
        .execute();
      await conflictOnDuplicate(insert, () => resourceErrors.groupNameTaken(group.name));
    },

    /** The group (deleted ones included), or undefined. */
    async getGroup(id: string, executor: Executor = db): Promise<ResourceGroup | undefined> {
      const row = await executor.selectFrom('resource_groups').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toGroup(row);
    },

    /** Groups of an account matching the filter, oldest first. */
    async listGroups(filter: GroupFilter): Promise<ResourceGroup[]> {
      let query = db.selectFrom('resource_groups').selectAll().where('account_id', '=', filter.accountId);
      if (!filter.includeDeleted) query = query.where('state', '!=', 'DELETED');
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      if (filter.isDefault !== undefined) query = query.where('is_default', '=', filter.isDefault ? 1 : 0);
      if (filter.date !== undefined) query = query.where('created_at', '<', monthAfter(filter.date));
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(toGroup);
    },

    /** Throws the 409 groupNameTaken when renaming to the name of another live group of the account. */
    async updateGroup(trx: Trx, id: string, changes: Partial<Pick<ResourceGroupsTable, 'name' | 'state' | 'updated_at' | 'deleted_at'>>) {
      const update = trx.updateTable('resource_groups').set(changes).where('id', '=', id).execute();
      await conflictOnDuplicate(update, () => resourceErrors.groupNameTaken(changes.name ?? ''));
    },

    /** How many instances in the group are not removed for good (pending reclamations count). */
    async countInstancesInGroup(trx: Trx, groupId: string): Promise<number> {
      const row = await trx
        .selectFrom('resource_instances')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('resource_group_id', '=', groupId)
        .where('state', '!=', 'removed')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    // ── Resource instances ──────────────────────────────────────────────────────────────────

    async insertInstance(trx: Trx, i: ResourceInstance): Promise<void> {
      await trx
        .insertInto('resource_instances')
        .values({
          guid: i.guid,
          crn: i.crn,
          account_id: i.accountId,
          resource_group_id: i.resourceGroupId,
          name: i.name,
          service_name: i.serviceName,
          resource_id: i.resourceId,
          resource_plan_id: i.resourcePlanId,
          location: i.location,
          state: i.state,
          type: i.type,
          sub_type: i.subType,
          parameters: JSON.stringify(i.parameters),
          tags: JSON.stringify(i.tags),
          allow_cleanup: i.allowCleanup ? 1 : 0,
          locked: i.locked ? 1 : 0,
          created_at: i.createdAt,
          created_by: i.createdBy,
          updated_at: i.updatedAt,
          updated_by: i.updatedBy,
          deleted_at: null,
          deleted_by: null,
          scheduled_reclaim_at: null,
          scheduled_reclaim_by: null,
          restored_at: null,
          restored_by: null,
        })
        .execute();
    },

    /** The instance by GUID or CRN (every state), or undefined. */
    async getInstance(guidOrCrn: string, executor: Executor = db): Promise<ResourceInstance | undefined> {
      const column = guidOrCrn.startsWith('crn:') ? 'crn' : 'guid';
      const row = await executor.selectFrom('resource_instances').selectAll().where(column, '=', guidOrCrn).executeTakeFirst();
      return row && toInstance(row);
    },

    /**
     * Up to `limit` instances matching the filter with a GUID after `after`, in GUID order, plus
     * whether more follow. Without a state filter, removed instances are left out.
     */
    async listInstances(filter: InstanceFilter, window: { limit: number; after?: string }) {
      let query = db.selectFrom('resource_instances').selectAll().where('account_id', '=', filter.accountId);
      query = filter.state ? query.where('state', '=', filter.state) : query.where('state', '!=', 'removed');
      if (filter.guid !== undefined) query = query.where('guid', '=', filter.guid);
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      if (filter.resourceGroupId !== undefined) query = query.where('resource_group_id', '=', filter.resourceGroupId);
      if (filter.resourceId !== undefined) query = query.where('resource_id', '=', filter.resourceId);
      if (filter.resourcePlanId !== undefined) query = query.where('resource_plan_id', '=', filter.resourcePlanId);
      if (filter.type !== undefined) query = query.where('type', '=', filter.type);
      if (filter.subType !== undefined) query = query.where('sub_type', '=', filter.subType);
      if (filter.updatedFrom !== undefined) query = query.where('updated_at', '>=', filter.updatedFrom);
      if (filter.updatedTo !== undefined) query = query.where('updated_at', '<=', filter.updatedTo);
      if (window.after !== undefined) query = query.where('guid', '>', window.after);
      const rows = await query.orderBy('guid').limit(window.limit + 1).execute();
      return { items: rows.slice(0, window.limit).map(toInstance), more: rows.length > window.limit };
    },

    async updateInstance(trx: Trx, guid: string, changes: InstanceChanges): Promise<void> {
      await trx.updateTable('resource_instances').set(changes).where('guid', '=', guid).execute();
    },

    /**
     * Decision support: the account, GUID and resource group of every instance that is neither
     * removed nor awaiting reclamation. The PDP loads this at start and then follows the
     * `resource_instance` changes on the feed (create/update = in the map, delete = out of it).
     */
    async listInstanceGroups(): Promise<Array<{ accountId: string; instanceId: string; resourceGroupId: string }>> {
      const rows = await db
        .selectFrom('resource_instances')
        .select(['account_id', 'guid', 'resource_group_id'])
        .where('state', 'not in', ['removed', 'pending_reclamation'])
        .execute();
      return rows.map((r) => ({ accountId: r.account_id, instanceId: r.guid, resourceGroupId: r.resource_group_id }));
    },

    // ── Reclamations ────────────────────────────────────────────────────────────────────────

    async insertReclamation(trx: Trx, r: Reclamation): Promise<void> {
      await trx
        .insertInto('reclamations')
        .values({
          id: r.id,
          instance_guid: r.instanceGuid,
          account_id: r.accountId,
          resource_group_id: r.resourceGroupId,
          state: r.state,
          target_time: r.targetTime,
          created_at: r.createdAt,
          created_by: r.createdBy,
          updated_at: r.updatedAt,
          updated_by: r.updatedBy,
        })
        .execute();
    },

    async getReclamation(id: string, executor: Executor = db): Promise<Reclamation | undefined> {
      const row = await executor
        .selectFrom('reclamations')
        .innerJoin('resource_instances', 'resource_instances.guid', 'reclamations.instance_guid')
        .selectAll('reclamations')
        .select('resource_instances.crn')
        .where('reclamations.id', '=', id)
        .executeTakeFirst();
      return row && toReclamation(row);
    },

    /** Scheduled (still actionable) reclamations of an account, oldest first. */
    async listReclamations(filter: { accountId: string; instanceGuid?: string; resourceGroupId?: string }): Promise<Reclamation[]> {
      let query = db
        .selectFrom('reclamations')
        .innerJoin('resource_instances', 'resource_instances.guid', 'reclamations.instance_guid')
        .selectAll('reclamations')
        .select('resource_instances.crn')
        .where('reclamations.account_id', '=', filter.accountId)
        .where('reclamations.state', '=', 'SCHEDULED');
      if (filter.instanceGuid !== undefined) query = query.where('reclamations.instance_guid', '=', filter.instanceGuid);
      if (filter.resourceGroupId !== undefined) query = query.where('reclamations.resource_group_id', '=', filter.resourceGroupId);
      const rows = await query.orderBy('reclamations.created_at').orderBy('reclamations.id').execute();
      return rows.map(toReclamation);
    },

    async updateReclamation(trx: Trx, id: string, changes: Pick<ReclamationsTable, 'state' | 'updated_at' | 'updated_by'>) {
      await trx.updateTable('reclamations').set(changes).where('id', '=', id).execute();
    },
  };
}

/** The first instant after the month `YYYY-MM`, as an ISO timestamp. */
function monthAfter(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m, 1)).toISOString();
}

export type ResourcesStore = ReturnType<typeof createResourcesStore>;
