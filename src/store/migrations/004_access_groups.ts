import type { Migration } from './types.js';

/**
 * Access groups, their static members, dynamic-membership rules, the dynamic memberships granted
 * at federated sign-in, and the per-account access-groups settings.
 *
 * Groups are keyed by (account_id, id) because the Public Access group has the same id,
 * `AccessGroupId-PublicAccess`, in every account; it is never stored (see src/access-groups).
 * `name_key` is the lower-cased name: names are unique per account, case-insensitively.
 */
export const accessGroups: Migration = {
  version: '004_access_groups',
  statements: () => [
    `CREATE TABLE access_groups (
      account_id TEXT NOT NULL REFERENCES accounts(id), id TEXT NOT NULL, name TEXT NOT NULL,
      name_key TEXT NOT NULL, description TEXT NOT NULL, created_at TEXT NOT NULL, created_by_id TEXT NOT NULL,
      last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL, entity_tag TEXT NOT NULL,
      PRIMARY KEY (account_id, id), UNIQUE (account_id, name_key))`,
    `CREATE UNIQUE INDEX access_groups_by_id ON access_groups (id)`,
    `CREATE TABLE access_group_members (
      account_id TEXT NOT NULL, group_id TEXT NOT NULL, iam_id TEXT NOT NULL, type TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by_id TEXT NOT NULL,
      PRIMARY KEY (account_id, group_id, iam_id),
      FOREIGN KEY (account_id, group_id) REFERENCES access_groups(account_id, id))`,
    `CREATE INDEX access_group_members_by_iam_id ON access_group_members (iam_id, account_id)`,
    `CREATE TABLE access_group_rules (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, group_id TEXT NOT NULL, name TEXT NOT NULL,
      expiration INTEGER NOT NULL, realm_name TEXT NOT NULL, conditions TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by_id TEXT NOT NULL, last_modified_at TEXT NOT NULL,
      last_modified_by_id TEXT NOT NULL, entity_tag TEXT NOT NULL,
      FOREIGN KEY (account_id, group_id) REFERENCES access_groups(account_id, id))`,
    `CREATE INDEX access_group_rules_by_group ON access_group_rules (account_id, group_id, created_at)`,
    `CREATE INDEX access_group_rules_by_realm ON access_group_rules (account_id, realm_name)`,
    `CREATE TABLE access_group_dynamic_members (
      account_id TEXT NOT NULL, group_id TEXT NOT NULL, iam_id TEXT NOT NULL, type TEXT NOT NULL,
      realm_name TEXT NOT NULL, rule_ids TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
      PRIMARY KEY (account_id, group_id, iam_id),
      FOREIGN KEY (account_id, group_id) REFERENCES access_groups(account_id, id))`,
    `CREATE INDEX access_group_dynamic_members_by_iam_id ON access_group_dynamic_members (iam_id, account_id)`,
    `CREATE TABLE access_group_settings (
      account_id TEXT PRIMARY KEY REFERENCES accounts(id), public_access_enabled INTEGER NOT NULL,
      last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL)`,
  ],
};
