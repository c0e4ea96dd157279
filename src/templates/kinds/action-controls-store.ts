import type { Selectable } from 'kysely';
import type { Db } from '../../store/db.js';
import type { TemplateActionControlsTable } from '../../store/schema.js';
import type { Trx } from '../../store/unit-of-work.js';
import type { ManagedBy } from '../../policies/types.js';

type Executor = Db | Trx;

/** An action control an action-control assignment keeps in a child account: a service's actions, chosen by the enterprise. */
export interface ActionControlRecord {
  id: string;
  accountId: string;
  serviceName: string;
  description?: string;
  actions: string[];
  template: ManagedBy;
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
}

const recordOf = (row: Selectable<TemplateActionControlsTable>): ActionControlRecord => ({
  id: row.id,
  accountId: row.account_id,
  serviceName: row.service_name,
  ...(row.description !== null ? { description: row.description } : {}),
  actions: JSON.parse(row.actions) as string[],
  template: JSON.parse(row.template) as ManagedBy,
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
});

/** The `template_action_controls` table (migration 019). Rows exist only while their assignment keeps them. */
export function createActionControlStore(db: Db) {
  return {
    async get(id: string, ex: Executor = db): Promise<ActionControlRecord | undefined> {
      const row = await ex.selectFrom('template_action_controls').selectAll().where('id', '=', id).executeTakeFirst();
      return row && recordOf(row);
    },

    /** Inserts the record, or replaces the one with its id. */
    async put(trx: Trx, r: ActionControlRecord): Promise<void> {
      const values = {
        account_id: r.accountId,
        service_name: r.serviceName,
        description: r.description ?? null,
        actions: JSON.stringify(r.actions),
        template: JSON.stringify(r.template),
        last_modified_at: r.lastModifiedAt,
        last_modified_by_id: r.lastModifiedById,
      };
      const updated = await trx.updateTable('template_action_controls').set(values).where('id', '=', r.id).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await trx.insertInto('template_action_controls').values({ id: r.id, ...values, created_at: r.createdAt, created_by_id: r.createdById }).execute();
      }
    },

    /** Every action control (the decision point loads them at start: a handful per child account). */
    async all(ex: Executor = db): Promise<ActionControlRecord[]> {
      return (await ex.selectFrom('template_action_controls').selectAll().orderBy('id').execute()).map(recordOf);
    },

    async delete(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('template_action_controls').where('id', '=', id).execute();
    },
  };
}

export type ActionControlStore = ReturnType<typeof createActionControlStore>;
