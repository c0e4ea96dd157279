import type { Migration } from './types.js';

/**
 * Policies (v1 and v2 share them), their access tags, custom roles and the access-management
 * settings. Structured parts are JSON text; the columns next to them exist for filters and indexes.
 * An active policy is unique per account and conflict key (type, subject, resource, tags, rule).
 */
export const policies: Migration = {
  version: '003_policies',
  statements: () => [
    `CREATE TABLE policies (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL, description TEXT,
      subject TEXT NOT NULL, resource TEXT NOT NULL, tags TEXT NOT NULL, roles TEXT NOT NULL, rule TEXT, pattern TEXT,
      subject_iam_id TEXT, subject_access_group_id TEXT, service_name TEXT, service_type TEXT, service_group_id TEXT,
      conflict_key TEXT NOT NULL, created_at TEXT NOT NULL, created_by_id TEXT NOT NULL, last_modified_at TEXT NOT NULL,
      last_modified_by_id TEXT NOT NULL, entity_tag TEXT NOT NULL)`,
    `CREATE INDEX policies_by_account ON policies (account_id, state, created_at, id)`,
    `CREATE INDEX policies_by_subject ON policies (subject_iam_id)`,
    `CREATE UNIQUE INDEX policies_active_unique ON policies (account_id, conflict_key) WHERE state = 'active'`,
    `CREATE TABLE policy_tags (
      policy_id TEXT NOT NULL REFERENCES policies(id), name TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (policy_id, name, value))`,
    `CREATE INDEX policy_tags_by_name ON policy_tags (name, value)`,
    `CREATE TABLE custom_roles (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL, crn TEXT NOT NULL UNIQUE,
      service_name TEXT NOT NULL, display_name TEXT NOT NULL, description TEXT, actions TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by_id TEXT NOT NULL, last_modified_at TEXT NOT NULL,
      last_modified_by_id TEXT NOT NULL, entity_tag TEXT NOT NULL, UNIQUE (account_id, name))`,
    `CREATE INDEX custom_roles_by_service ON custom_roles (account_id, service_name)`,
    `CREATE TABLE access_management_settings (
      account_id TEXT PRIMARY KEY, settings TEXT NOT NULL, entity_tag TEXT NOT NULL, last_modified_at TEXT NOT NULL,
      last_modified_by_id TEXT NOT NULL)`,
  ],
};
