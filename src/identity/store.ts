import { sql, type Selectable, type SelectQueryBuilder } from 'kysely';
import { conflictOnDuplicate } from '../store/conflicts.js';
import type { Db } from '../store/db.js';
import type { ApiKeysTable, Schema, ServiceIdGroupsTable, ServiceIdsTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import { identityErrors } from './errors.js';
import type { Slice, Window } from './paging.js';
import type {
  ActionWhenLeaked,
  Activity,
  ApiKey,
  HistoryRecord,
  OwnerType,
  ServiceId,
  ServiceIdGroup,
} from './types.js';

/**
 * SQL of the identity domain: API keys, service IDs, service ID groups, account identity settings
 * and entity history. Reads take the database, or the write transaction when a rule must see the
 * state it is about to change; writes take the transaction. Conditional updates compare the entity
 * tag in the same statement, so two concurrent updates with the same If-Match cannot both succeed.
 */

type Executor = Db | Trx;

/** Columns every conditional update stamps. */
type Stamp = Pick<ApiKeysTable, 'modified_at' | 'entity_tag'>;

/** Columns an API key update may change. */
export type ApiKeyChanges = Partial<
  Pick<ApiKeysTable, 'name' | 'description' | 'locked' | 'disabled' | 'support_sessions' | 'action_when_leaked' | 'expires_at'>
>;

export type ServiceIdChanges = Partial<Pick<ServiceIdsTable, 'name' | 'description' | 'unique_instance_crns' | 'locked'>>;

export type GroupChanges = Partial<Pick<ServiceIdGroupsTable, 'name' | 'description'>>;

export interface ApiKeyFilter {
  accountId: string;
  iamId?: string;
  ownerType?: OwnerType;
}

export interface ServiceIdFilter {
  accountId: string;
  name?: string;
  groupId?: string;
  /** Only service IDs created by this identity. */
  createdBy?: string;
}

const toApiKey = (row: Selectable<ApiKeysTable>): ApiKey => ({
  id: row.id,
  iamId: row.iam_id,
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  ownerType: row.owner_type as OwnerType,
  locked: row.locked === 1,
  disabled: row.disabled === 1,
  supportSessions: row.support_sessions === 1,
  actionWhenLeaked: (row.action_when_leaked ?? 'none') as ActionWhenLeaked,
  expiresAt: row.expires_at,
  createdBy: row.created_by,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  entityTag: row.entity_tag,
  lastAuthn: row.last_authn,
  authnCount: Number(row.authn_count),
});

const toServiceId = (row: Selectable<ServiceIdsTable>): ServiceId => ({
  id: row.id,
  iamId: row.iam_id,
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  groupId: row.group_id,
  uniqueInstanceCrns: JSON.parse(row.unique_instance_crns) as string[],
  locked: row.locked === 1,
  createdBy: row.created_by,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  entityTag: row.entity_tag,
});

const toGroup = (row: Selectable<ServiceIdGroupsTable>): ServiceIdGroup => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  createdBy: row.created_by,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  entityTag: row.entity_tag,
});

const flag = (value: boolean) => (value ? 1 : 0);

/**
 * Reads one keyset window (see paging.ts) of a single-table query: rows ordered by (sort column,
 * id), starting after or before the cursor, at most `size` of them, and whether more follow.
 * A NULL sort value sorts as the empty string.
 */
export async function readWindow<TB extends keyof Schema, O extends { id: string }>(
  query: SelectQueryBuilder<Schema, TB, O>,
  window: Window,
): Promise<Slice<O>> {
  const sortValue = sql<string>`coalesce(${sql.ref(window.sortColumn)}, '')`;
  const id = sql.ref('id');
  const backwards = window.cursor?.direction === 'before';
  const ascending = (window.order === 'asc') !== backwards;
  let q = query;
  if (window.cursor) {
    const [value, lastId] = window.cursor.key;
    q = q.where(sql<boolean>`(${sortValue}, ${id}) ${sql.raw(ascending ? '>' : '<')} (${value}, ${lastId})`);
  }
  const direction = ascending ? 'asc' : 'desc';
  const rows = await q.orderBy(sortValue, direction).orderBy(id, direction).limit(window.size + 1).execute();
  const more = rows.length > window.size;
  const items = rows.slice(0, window.size);
  if (backwards) items.reverse();
  const keys = items.map((row): [string, string] => [String((row as Record<string, unknown>)[window.sortColumn] ?? ''), row.id]);
  return { items, keys, more };
}

const mapSlice = <R, T>(slice: Slice<R>, map: (row: R) => T): Slice<T> => ({ ...slice, items: slice.items.map(map) });

/**
 * What a token grant needs of an API key, read in one query: the key, the service ID it
 * authenticates as (null columns for a user key, or a service ID that is gone) and its account's
 * identity settings (null when never set).
 */
export interface KeyCredential {
  keyId: string;
  iamId: string;
  accountId: string;
  ownerType: string;
  disabled: number;
  locked: number;
  expiresAt: string | null;
  serviceId: string | null;
  serviceIdLocked: number | null;
  serviceIdName: string | null;
  serviceIdAccountId: string | null;
  /** The key's account's settings JSON (IBM wire names). */
  settings: string | null;
}

/** Authentications to add to an API key's activity. */
export interface ActivityUpdate {
  apiKeyId: string;
  count: number;
  lastAuthn: string;
}

export function createIdentityStore(db: Db) {
  const credentials = () =>
    db
      .selectFrom('api_keys as k')
      .leftJoin('service_ids as s', 's.iam_id', 'k.iam_id')
      .leftJoin('account_settings as st', 'st.account_id', 'k.account_id')
      .select([
        'k.id as keyId',
        'k.iam_id as iamId',
        'k.account_id as accountId',
        'k.owner_type as ownerType',
        'k.disabled as disabled',
        'k.locked as locked',
        'k.expires_at as expiresAt',
        's.id as serviceId',
        's.locked as serviceIdLocked',
        's.name as serviceIdName',
        's.account_id as serviceIdAccountId',
        'st.settings as settings',
      ]);
  // The hot query of every API-key grant, built and compiled once; each call only binds the hash.
  const credentialByHash = credentials().where('k.key_hash', '=', '').compile();

  return {
    // ── Credentials (token grants) ──────────────────────────────────────────────────────────

    /** The API key with this value hash, with its service ID and account settings; undefined when no key has it. */
    async credentialByKeyHash(keyHash: string): Promise<KeyCredential | undefined> {
      const { rows } = await db.executeQuery<KeyCredential>({ ...credentialByHash, parameters: [keyHash] });
      return rows[0];
    },

    /** The API key with this id, with its service ID and account settings; undefined when it was deleted. */
    async credentialByKeyId(keyId: string): Promise<KeyCredential | undefined> {
      return credentials().where('k.id', '=', keyId).executeTakeFirst();
    },

    /** Adds authentications to API keys' activity (keys deleted meanwhile are skipped). */
    async recordActivity(updates: ActivityUpdate[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        for (const u of updates) {
          await trx
            .updateTable('api_keys')
            .set((eb) => ({ authn_count: eb('authn_count', '+', u.count), last_authn: u.lastAuthn }))
            .where('id', '=', u.apiKeyId)
            .execute();
        }
      });
    },

    // ── API keys ────────────────────────────────────────────────────────────────────────────

    /**
     * Inserts a key; `keyHash` is hashSecret(value). Throws identityErrors.unusableApiKeyValue (the
     * same 400 as a weak chosen value) when a key with that value exists: the column is unique, so
     * two racing creates with one chosen value settle there.
     */
    async insertApiKey(trx: Trx, key: ApiKey, keyHash: string): Promise<void> {
      const insert = trx
        .insertInto('api_keys')
        .values({
          id: key.id,
          iam_id: key.iamId,
          account_id: key.accountId,
          name: key.name,
          description: key.description,
          key_hash: keyHash,
          owner_type: key.ownerType,
          locked: flag(key.locked),
          disabled: flag(key.disabled),
          support_sessions: flag(key.supportSessions),
          action_when_leaked: key.actionWhenLeaked,
          expires_at: key.expiresAt,
          created_by: key.createdBy,
          created_at: key.createdAt,
          modified_at: key.modifiedAt,
          entity_tag: key.entityTag,
          last_authn: key.lastAuthn,
          authn_count: key.authnCount,
        })
        .execute();
      await conflictOnDuplicate(insert, () => identityErrors.unusableApiKeyValue());
    },

    /** The key with that id, or undefined when there is none. */
    async getApiKey(id: string, executor: Executor = db): Promise<ApiKey | undefined> {
      const row = await executor.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toApiKey(row);
    },

    /** The key whose value hashes to `keyHash`, or undefined when none does. */
    async getApiKeyByHash(keyHash: string, executor: Executor = db): Promise<ApiKey | undefined> {
      const row = await executor.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
      return row && toApiKey(row);
    },

    /** Every key that authenticates as `iamId`. */
    async apiKeysOf(iamId: string, executor: Executor = db): Promise<ApiKey[]> {
      const rows = await executor.selectFrom('api_keys').selectAll().where('iam_id', '=', iamId).orderBy('id').execute();
      return rows.map(toApiKey);
    },

    /** One window of the keys matching the filter. */
    async listApiKeys(filter: ApiKeyFilter, window: Window): Promise<Slice<ApiKey>> {
      let query = db.selectFrom('api_keys').selectAll().where('account_id', '=', filter.accountId);
      if (filter.iamId !== undefined) query = query.where('iam_id', '=', filter.iamId);
      if (filter.ownerType !== undefined) query = query.where('owner_type', '=', filter.ownerType);
      return mapSlice(await readWindow(query, window), toApiKey);
    },

    /**
     * Applies the changes when the key's entity tag is `expectedTag` (any tag when undefined).
     * Returns false, changing nothing, when the key is gone or its tag differs.
     */
    async updateApiKey(trx: Trx, id: string, expectedTag: string | undefined, changes: ApiKeyChanges & Stamp): Promise<boolean> {
      let query = trx.updateTable('api_keys').set(changes).where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteApiKey(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('api_keys').where('id', '=', id).execute();
    },

    /** Sign-in activity of an identity, summed over its keys (no keys: zero, never). */
    async activityOf(iamId: string): Promise<Activity> {
      const row = await db
        .selectFrom('api_keys')
        .select((eb) => [eb.fn.max('last_authn').as('last_authn'), eb.fn.sum<number>('authn_count').as('authn_count')])
        .where('iam_id', '=', iamId)
        .executeTakeFirst();
      return { lastAuthn: row?.last_authn ?? null, authnCount: Number(row?.authn_count ?? 0) };
    },

    // ── Service IDs ─────────────────────────────────────────────────────────────────────────

    async insertServiceId(trx: Trx, serviceId: ServiceId): Promise<void> {
      await trx
        .insertInto('service_ids')
        .values({
          id: serviceId.id,
          iam_id: serviceId.iamId,
          account_id: serviceId.accountId,
          name: serviceId.name,
          description: serviceId.description,
          group_id: serviceId.groupId,
          unique_instance_crns: JSON.stringify(serviceId.uniqueInstanceCrns),
          locked: flag(serviceId.locked),
          created_by: serviceId.createdBy,
          created_at: serviceId.createdAt,
          modified_at: serviceId.modifiedAt,
          entity_tag: serviceId.entityTag,
        })
        .execute();
    },

    /** The service ID with that id, or undefined when there is none. */
    async getServiceId(id: string, executor: Executor = db): Promise<ServiceId | undefined> {
      const row = await executor.selectFrom('service_ids').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toServiceId(row);
    },

    /** The service ID with that IAM id (`iam-ServiceId-…`), or undefined when there is none. */
    async getServiceIdByIamId(iamId: string, executor: Executor = db): Promise<ServiceId | undefined> {
      const row = await executor.selectFrom('service_ids').selectAll().where('iam_id', '=', iamId).executeTakeFirst();
      return row && toServiceId(row);
    },

    async listServiceIds(filter: ServiceIdFilter, window: Window): Promise<Slice<ServiceId>> {
      let query = db.selectFrom('service_ids').selectAll().where('account_id', '=', filter.accountId);
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
      if (filter.createdBy !== undefined) query = query.where('created_by', '=', filter.createdBy);
      return mapSlice(await readWindow(query, window), toServiceId);
    },

    /** As updateApiKey: false when the service ID is gone or its tag is not `expectedTag`. */
    async updateServiceId(trx: Trx, id: string, expectedTag: string | undefined, changes: ServiceIdChanges & Stamp): Promise<boolean> {
      let query = trx.updateTable('service_ids').set(changes).where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteServiceId(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('service_ids').where('id', '=', id).execute();
    },

    async countServiceIdsInGroup(trx: Trx, groupId: string): Promise<number> {
      const row = await trx
        .selectFrom('service_ids')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('group_id', '=', groupId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    // ── Service ID groups ───────────────────────────────────────────────────────────────────

    /** Inserts a group. Throws the 409 groupNameTaken when the account already has a group of that name (a unique index). */
    async insertGroup(trx: Trx, group: ServiceIdGroup): Promise<void> {
      const insert = trx
        .insertInto('service_id_groups')
        .values({
          id: group.id,
          account_id: group.accountId,
          name: group.name,
          description: group.description,
          created_by: group.createdBy,
          created_at: group.createdAt,
          modified_at: group.modifiedAt,
          entity_tag: group.entityTag,
        })
        .execute();
      await conflictOnDuplicate(insert, () => identityErrors.groupNameTaken(group.name));
    },

    /** The group with that id, or undefined when there is none. */
    async getGroup(id: string, executor: Executor = db): Promise<ServiceIdGroup | undefined> {
      const row = await executor.selectFrom('service_id_groups').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toGroup(row);
    },

    async listGroups(accountId: string): Promise<ServiceIdGroup[]> {
      const rows = await db
        .selectFrom('service_id_groups')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toGroup);
    },

    /**
     * As updateApiKey: false when the group is gone or its tag is not `expectedTag`. Throws the 409
     * groupNameTaken when renaming to the name of another group of the account.
     */
    async updateGroup(trx: Trx, id: string, expectedTag: string | undefined, changes: GroupChanges & Stamp): Promise<boolean> {
      let query = trx.updateTable('service_id_groups').set(changes).where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await conflictOnDuplicate(query.executeTakeFirst(), () => identityErrors.groupNameTaken(changes.name ?? ''));
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteGroup(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('service_id_groups').where('id', '=', id).execute();
    },

    // ── Account identity settings ───────────────────────────────────────────────────────────

    /** The stored settings (JSON text) and tag, or undefined when the account never set any. */
    async getSettings(accountId: string, executor: Executor = db): Promise<{ settings: string; entityTag: string } | undefined> {
      const row = await executor
        .selectFrom('account_settings')
        .select(['settings', 'entity_tag'])
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return row && { settings: row.settings, entityTag: row.entity_tag };
    },

    /**
     * Stores the settings when the current tag is `expectedTag` (undefined: any). `exists` says
     * whether the caller saw a row (read in this transaction). Returns false when the tag moved
     * meanwhile. A first write is a conditional insert: when a racing first write committed the row
     * in between, the loser updates it when any tag is expected, and reports false otherwise.
     */
    async saveSettings(
      trx: Trx,
      accountId: string,
      exists: boolean,
      expectedTag: string | undefined,
      row: { settings: string; entityTag: string; modifiedAt: string },
    ): Promise<boolean> {
      if (!exists) {
        const inserted = await trx
          .insertInto('account_settings')
          .values({ account_id: accountId, settings: row.settings, entity_tag: row.entityTag, modified_at: row.modifiedAt })
          .onConflict((oc) => oc.column('account_id').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
        if (expectedTag !== undefined) return false;
      }
      let query = trx
        .updateTable('account_settings')
        .set({ settings: row.settings, entity_tag: row.entityTag, modified_at: row.modifiedAt })
        .where('account_id', '=', accountId);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    // ── History ─────────────────────────────────────────────────────────────────────────────

    async appendHistory(trx: Trx, entityId: string, record: HistoryRecord): Promise<void> {
      await trx
        .insertInto('entity_history')
        .values({
          entity_id: entityId,
          timestamp: record.timestamp,
          iam_id: record.iamId,
          iam_id_account: record.iamIdAccount,
          action: record.action,
          params: JSON.stringify(record.params),
          message: record.message,
        })
        .execute();
    },

    /** The history of an entity, oldest first (empty when it has none). */
    async historyOf(entityId: string): Promise<HistoryRecord[]> {
      const rows = await db.selectFrom('entity_history').selectAll().where('entity_id', '=', entityId).orderBy('id').execute();
      return rows.map((row) => ({
        timestamp: row.timestamp,
        iamId: row.iam_id,
        iamIdAccount: row.iam_id_account,
        action: row.action,
        params: JSON.parse(row.params) as string[],
        message: row.message,
      }));
    },

    /** Forgets the history of deleted entities. */
    async deleteHistory(trx: Trx, entityIds: string[]): Promise<void> {
      if (entityIds.length === 0) return;
      await trx.deleteFrom('entity_history').where('entity_id', 'in', entityIds).execute();
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
