import type { Db } from '../store/db.js';
import type { Trx } from '../store/unit-of-work.js';
import type { Rule, Zone } from './types.js';

interface ZonesTable {
  id: string;
  account_id: string;
  name: string;
  description: string;
  addresses: string;
  excluded: string;
  entity_tag: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
}

interface RulesTable {
  id: string;
  account_id: string;
  description: string;
  resources: string;
  contexts: string;
  operations: string | null;
  enforcement_mode: string;
  entity_tag: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
}

declare module '../store/schema.js' {
  interface Schema {
    cbr_zones: ZonesTable;
    cbr_rules: RulesTable;
  }
}

const zoneOf = (row: ZonesTable): Zone => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  addresses: JSON.parse(row.addresses) as Zone['addresses'],
  excluded: JSON.parse(row.excluded) as Zone['excluded'],
  entityTag: row.entity_tag,
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
});

const zoneRow = (zone: Zone): ZonesTable => ({
  id: zone.id,
  account_id: zone.accountId,
  name: zone.name,
  description: zone.description,
  addresses: JSON.stringify(zone.addresses),
  excluded: JSON.stringify(zone.excluded),
  entity_tag: zone.entityTag,
  created_at: zone.createdAt,
  created_by_id: zone.createdById,
  last_modified_at: zone.lastModifiedAt,
  last_modified_by_id: zone.lastModifiedById,
});

const ruleOf = (row: RulesTable): Rule => ({
  id: row.id,
  accountId: row.account_id,
  description: row.description,
  resources: JSON.parse(row.resources) as Rule['resources'],
  contexts: JSON.parse(row.contexts) as Rule['contexts'],
  ...(row.operations !== null ? { operations: JSON.parse(row.operations) as NonNullable<Rule['operations']> } : {}),
  enforcementMode: row.enforcement_mode as Rule['enforcementMode'],
  entityTag: row.entity_tag,
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
});

const ruleRow = (rule: Rule): RulesTable => ({
  id: rule.id,
  account_id: rule.accountId,
  description: rule.description,
  resources: JSON.stringify(rule.resources),
  contexts: JSON.stringify(rule.contexts),
  operations: rule.operations ? JSON.stringify(rule.operations) : null,
  enforcement_mode: rule.enforcementMode,
  entity_tag: rule.entityTag,
  created_at: rule.createdAt,
  created_by_id: rule.createdById,
  last_modified_at: rule.lastModifiedAt,
  last_modified_by_id: rule.lastModifiedById,
});

/**
 * Zones and rules of context-based restrictions.
 * Contracts (test/conformance/cbr.test.ts, both databases):
 * - insertZone throws the database's unique violation when the account already has a zone of that
 *   name (the service maps it to 409 through store/conflicts.ts); so does replaceZone.
 * - replaceZone / replaceRule change the row only while its entity tag is still `expectedTag`
 *   (any tag when undefined) and report whether they did; deletes report whether a row went.
 * - Lists are in creation order (then id).
 */
export function createCbrStore(db: Db) {
  return {
    async getZone(id: string, executor: Db | Trx = db): Promise<Zone | undefined> {
      const row = await executor.selectFrom('cbr_zones').selectAll().where('id', '=', id).executeTakeFirst();
      return row && zoneOf(row);
    },

    async listZones(accountId: string, name?: string): Promise<Zone[]> {
      let query = db.selectFrom('cbr_zones').selectAll().where('account_id', '=', accountId);
      if (name !== undefined) query = query.where('name', '=', name);
      return (await query.orderBy('created_at').orderBy('id').execute()).map(zoneOf);
    },

    /** Every zone of every account (the decision point's start-up load). */
    async allZones(): Promise<Zone[]> {
      return (await db.selectFrom('cbr_zones').selectAll().orderBy('id').execute()).map(zoneOf);
    },

    async countZones(accountId: string, executor: Db | Trx = db): Promise<number> {
      const row = await executor.selectFrom('cbr_zones').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async insertZone(trx: Trx, zone: Zone): Promise<void> {
      await trx.insertInto('cbr_zones').values(zoneRow(zone)).execute();
    },

    async replaceZone(trx: Trx, zone: Zone, expectedTag: string | undefined): Promise<boolean> {
      const { id, created_at: _a, created_by_id: _b, ...changes } = zoneRow(zone);
      let query = trx.updateTable('cbr_zones').set(changes).where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteZone(trx: Trx, id: string): Promise<boolean> {
      const result = await trx.deleteFrom('cbr_zones').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async getRule(id: string, executor: Db | Trx = db): Promise<Rule | undefined> {
      const row = await executor.selectFrom('cbr_rules').selectAll().where('id', '=', id).executeTakeFirst();
      return row && ruleOf(row);
    },

    async listRules(accountId: string, executor: Db | Trx = db): Promise<Rule[]> {
      return (await executor.selectFrom('cbr_rules').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute()).map(ruleOf);
    },

    /** Every rule of every account (the decision point's start-up load). */
    async allRules(): Promise<Rule[]> {
      return (await db.selectFrom('cbr_rules').selectAll().orderBy('id').execute()).map(ruleOf);
    },

    async insertRule(trx: Trx, rule: Rule): Promise<void> {
      await trx.insertInto('cbr_rules').values(ruleRow(rule)).execute();
    },

    async replaceRule(trx: Trx, rule: Rule, expectedTag: string | undefined): Promise<boolean> {
      const { id, created_at: _a, created_by_id: _b, ...changes } = ruleRow(rule);
      let query = trx.updateTable('cbr_rules').set(changes).where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteRule(trx: Trx, id: string): Promise<boolean> {
      const result = await trx.deleteFrom('cbr_rules').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

export type CbrStore = ReturnType<typeof createCbrStore>;
