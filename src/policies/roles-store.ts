import type { Selectable } from 'kysely';
import type { Db } from '../store/db.js';
import type { CustomRolesTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import type { CustomRoleRecord, ManagedBy } from './types.js';

type Executor = Db | Trx;

function toRow(r: CustomRoleRecord) {
  return {
    id: r.id,
    account_id: r.accountId,
    name: r.name,
    crn: r.crn,
    service_name: r.serviceName,
    display_name: r.displayName,
    description: r.description ?? null,
    actions: JSON.stringify(r.actions),
    created_at: r.createdAt,
    created_by_id: r.createdById,
    last_modified_at: r.lastModifiedAt,
    last_modified_by_id: r.lastModifiedById,
    entity_tag: r.entityTag,
    template: r.template ? JSON.stringify(r.template) : null,
  };
}

function fromRow(row: Selectable<CustomRolesTable>): CustomRoleRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    crn: row.crn,
    serviceName: row.service_name,
    displayName: row.display_name,
    ...(row.description !== null ? { description: row.description } : {}),
    actions: JSON.parse(row.actions) as string[],
    createdAt: row.created_at,
    createdById: row.created_by_id,
    lastModifiedAt: row.last_modified_at,
    lastModifiedById: row.last_modified_by_id,
    entityTag: row.entity_tag,
    ...(row.template ? { template: JSON.parse(row.template) as ManagedBy } : {}),
  };
}

/**
 * Custom roles. The decision point keeps its catalog in step with this table: it loads
 * `listCustomRoles()` at start-up and re-reads `getCustomRole(id)` for each `custom_role` change
 * (absent = deleted).
 */
export function createCustomRoleStore(db: Db) {
  return {
    /**
     * Stores a new role. Names are unique per account and CRNs unique overall (unique indexes); a
     * violation is thrown as the database's error (isUniqueViolation), which the service maps to its 409.
     */
    async insert(trx: Trx, role: CustomRoleRecord): Promise<void> {
      await trx.insertInto('custom_roles').values(toRow(role)).execute();
    },

    /**
     * Saves a changed role when its entity tag still is `expectedTag`; false when it is not (or the
     * role is gone). Id, account, name, CRN, service and creation fields never change.
     */
    async update(trx: Trx, role: CustomRoleRecord, expectedTag: string): Promise<boolean> {
      const { id: _id, account_id: _a, name: _n, crn: _c, service_name: _s, created_at: _ca, created_by_id: _cb, ...changes } = toRow(role);
      const result = await trx
        .updateTable('custom_roles')
        .set(changes)
        .where('id', '=', role.id)
        .where('entity_tag', '=', expectedTag)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async delete(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('custom_roles').where('id', '=', id).execute();
    },

    async getCustomRole(id: string, executor: Executor = db): Promise<CustomRoleRecord | undefined> {
      const row = await executor.selectFrom('custom_roles').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },

    async getByCrn(crn: string, executor: Executor = db): Promise<CustomRoleRecord | undefined> {
      const row = await executor.selectFrom('custom_roles').selectAll().where('crn', '=', crn).executeTakeFirst();
      return row && fromRow(row);
    },

    /** The account's role called `name`, or undefined. */
    async getByName(accountId: string, name: string, executor: Executor = db): Promise<CustomRoleRecord | undefined> {
      const row = await executor
        .selectFrom('custom_roles')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    /** Custom roles of one account (optionally one service), or of every account; ordered by name. */
    async listCustomRoles(accountId?: string, serviceName?: string, executor: Executor = db): Promise<CustomRoleRecord[]> {
      const rows = await executor
        .selectFrom('custom_roles')
        .selectAll()
        .$if(accountId !== undefined, (q) => q.where('account_id', '=', accountId!))
        .$if(serviceName !== undefined, (q) => q.where('service_name', '=', serviceName!))
        .orderBy('account_id')
        .orderBy('name')
        .execute();
      return rows.map(fromRow);
    },
  };
}

export type CustomRoleStore = ReturnType<typeof createCustomRoleStore>;
