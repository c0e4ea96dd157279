import type { Db } from '../store/db.js';
import type { Trx } from '../store/unit-of-work.js';
import type { AccessManagementSettings } from './types.js';

export interface StoredSettings {
  settings: AccessManagementSettings;
  entityTag: string;
}

/** Access-management settings per account. No row means the defaults (settings-service.ts). */
export function createSettingsStore(db: Db) {
  return {
    async get(accountId: string, executor: Db | Trx = db): Promise<StoredSettings | undefined> {
      const row = await executor
        .selectFrom('access_management_settings')
        .select(['settings', 'entity_tag'])
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return row && { settings: JSON.parse(row.settings) as AccessManagementSettings, entityTag: row.entity_tag };
    },

    /**
     * Saves the settings when the stored entity tag still is `expectedTag` (or, for an account
     * without a row, inserts them); false when another write got there first.
     */
    async save(
      trx: Trx,
      accountId: string,
      expectedTag: string | undefined,
      value: StoredSettings & { modifiedAt: string; modifiedBy: string },
    ): Promise<boolean> {
      const row = {
        settings: JSON.stringify(value.settings),
        entity_tag: value.entityTag,
        last_modified_at: value.modifiedAt,
        last_modified_by_id: value.modifiedBy,
      };
      if (expectedTag === undefined) {
        const inserted = await trx
          .insertInto('access_management_settings')
          .values({ account_id: accountId, ...row })
          .onConflict((oc) => oc.column('account_id').doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
      }
      const result = await trx
        .updateTable('access_management_settings')
        .set(row)
        .where('account_id', '=', accountId)
        .where('entity_tag', '=', expectedTag)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
