import type { Migration } from './types.js';

export const catalog: Migration = {
  version: '006_catalog',
  statements: () => [
    `CREATE TABLE catalog_services (
      name TEXT PRIMARY KEY, definition TEXT NOT NULL, created_at TEXT NOT NULL, created_by_id TEXT NOT NULL,
      last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL, entity_tag TEXT NOT NULL)`,
  ],
};
