import type { CatalogEntry } from './service.js';

/** The catalog entry as the API shows it: the service, where it comes from, and who changed it when. */
export const catalogEntryWire = (entry: CatalogEntry) => ({
  ...entry.service,
  built_in: entry.builtIn,
  ...(entry.registered
    ? {
        created_at: entry.registered.createdAt,
        created_by_id: entry.registered.createdById,
        last_modified_at: entry.registered.lastModifiedAt,
        last_modified_by_id: entry.registered.lastModifiedById,
        entity_tag: entry.registered.entityTag,
      }
    : {}),
});
