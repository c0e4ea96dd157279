import type { Migration } from './types.js';

/**
 * Uniqueness rules that were checked in code (check-then-insert, which races) become unique
 * indexes, so the database settles a race and the store maps the loser to a 409
 * (src/store/conflicts.ts): a live resource group's name is unique in its account (IBM's rule;
 * deleted groups keep their names). Live groups that already share a name keep the oldest name;
 * each later one gets the suffix `-<first 8 characters of its id>` so the index can be built.
 */
export const uniqueNames: Migration = {
  version: '008_unique_names',
  statements: () => [
    `UPDATE resource_groups SET name = substr(name, 1, 31) || '-' || substr(id, 1, 8)
      WHERE state <> 'DELETED' AND EXISTS (
        SELECT 1 FROM resource_groups older
        WHERE older.account_id = resource_groups.account_id AND older.name = resource_groups.name
          AND older.state <> 'DELETED' AND (older.created_at < resource_groups.created_at
            OR (older.created_at = resource_groups.created_at AND older.id < resource_groups.id)))`,
    `CREATE UNIQUE INDEX resource_groups_live_name ON resource_groups (account_id, name) WHERE state <> 'DELETED'`,
  ],
};
