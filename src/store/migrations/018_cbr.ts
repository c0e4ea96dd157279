import type { Migration } from './types.js';

/**
 * Context-based restrictions: network zones (one name per account: a unique index) and rules.
 * Addresses, exclusions, resources, contexts and operations are JSON documents; rules are filed by
 * account for listing and counting.
 */
export const cbr: Migration = {
  version: '018_cbr',
  statements: () => [
    `CREATE TABLE cbr_zones (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
      addresses TEXT NOT NULL, excluded TEXT NOT NULL, entity_tag TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by_id TEXT NOT NULL, last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX cbr_zones_account_name ON cbr_zones (account_id, name)`,
    `CREATE TABLE cbr_rules (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, description TEXT NOT NULL, resources TEXT NOT NULL,
      contexts TEXT NOT NULL, operations TEXT, enforcement_mode TEXT NOT NULL, entity_tag TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by_id TEXT NOT NULL, last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL)`,
    `CREATE INDEX cbr_rules_account ON cbr_rules (account_id, created_at)`,
  ],
};
