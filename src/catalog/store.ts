import type { Db } from '../store/db.js';
import type { Trx } from '../store/unit-of-work.js';
import type { CatalogService } from './types.js';

export interface RegisteredService {
  service: CatalogService;
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
}

type Row = {
  name: string;
  definition: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
  entity_tag: string;
};

const fromRow = (row: Row): RegisteredService => ({
  service: JSON.parse(row.definition) as CatalogService,
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
  entityTag: row.entity_tag,
});

/** Services registered through the catalog API; the seed services live in code, not here. */
export function createCatalogStore(db: Db) {
  return {
    async list(): Promise<RegisteredService[]> {
      return (await db.selectFrom('catalog_services').selectAll().orderBy('name').execute()).map(fromRow);
    },

    /** The registered service, or undefined when none has that name. */
    async get(name: string, executor: Db | Trx = db): Promise<RegisteredService | undefined> {
      const row = await executor.selectFrom('catalog_services').selectAll().where('name', '=', name).executeTakeFirst();
      return row && fromRow(row);
    },

    /**
     * Inserts or replaces the service named `entry.service.name`. A replacement keeps the stored
     * `createdAt` and `createdById`, whatever `entry` says.
     */
    async put(trx: Trx, entry: RegisteredService): Promise<void> {
      const row: Row = {
        name: entry.service.name,
        definition: JSON.stringify(entry.service),
        created_at: entry.createdAt,
        created_by_id: entry.createdById,
        last_modified_at: entry.lastModifiedAt,
        last_modified_by_id: entry.lastModifiedById,
        entity_tag: entry.entityTag,
      };
      const { name: _name, created_at: _at, created_by_id: _by, ...changes } = row;
      await trx.insertInto('catalog_services').values(row).onConflict((oc) => oc.column('name').doUpdateSet(changes)).execute();
    },

    async delete(trx: Trx, name: string): Promise<void> {
      await trx.deleteFrom('catalog_services').where('name', '=', name).execute();
    },
  };
}

export type CatalogStore = ReturnType<typeof createCatalogStore>;
