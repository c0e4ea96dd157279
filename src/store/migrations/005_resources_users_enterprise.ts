import type { Migration } from './types.js';

/**
 * Resource groups, resource instances and their reclamations; user-management profile fields and
 * invitations on account memberships; enterprises, account groups and enterprise accounts.
 */
export const resourcesUsersEnterprise: Migration = {
  version: '005_resources_users_enterprise',
  statements: () => [
    `CREATE TABLE resource_groups (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), name TEXT NOT NULL,
      state TEXT NOT NULL, is_default INTEGER NOT NULL, quota_id TEXT NOT NULL, created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL, deleted_at TEXT)`,
    `CREATE INDEX resource_groups_by_account ON resource_groups (account_id, created_at)`,
    `CREATE TABLE resource_instances (
      guid TEXT PRIMARY KEY, crn TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL REFERENCES accounts(id),
      resource_group_id TEXT NOT NULL REFERENCES resource_groups(id), name TEXT NOT NULL,
      service_name TEXT NOT NULL, resource_id TEXT NOT NULL, resource_plan_id TEXT NOT NULL,
      location TEXT NOT NULL, state TEXT NOT NULL, type TEXT NOT NULL, sub_type TEXT,
      parameters TEXT NOT NULL, tags TEXT NOT NULL, allow_cleanup INTEGER NOT NULL, locked INTEGER NOT NULL,
      created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
      deleted_at TEXT, deleted_by TEXT, scheduled_reclaim_at TEXT, scheduled_reclaim_by TEXT,
      restored_at TEXT, restored_by TEXT)`,
    `CREATE INDEX resource_instances_by_account ON resource_instances (account_id, guid)`,
    `CREATE INDEX resource_instances_by_group ON resource_instances (resource_group_id)`,
    `CREATE TABLE reclamations (
      id TEXT PRIMARY KEY, instance_guid TEXT NOT NULL REFERENCES resource_instances(guid),
      account_id TEXT NOT NULL, resource_group_id TEXT NOT NULL, state TEXT NOT NULL, target_time TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)`,
    `CREATE INDEX reclamations_by_account ON reclamations (account_id, state)`,
    // Per-account profile fields override the user's own (NULL = the user's value).
    `ALTER TABLE account_users ADD COLUMN firstname TEXT`,
    `ALTER TABLE account_users ADD COLUMN lastname TEXT`,
    `ALTER TABLE account_users ADD COLUMN email TEXT`,
    `ALTER TABLE account_users ADD COLUMN phonenumber TEXT`,
    `ALTER TABLE account_users ADD COLUMN altphonenumber TEXT`,
    `ALTER TABLE account_users ADD COLUMN photo TEXT`,
    `ALTER TABLE account_users ADD COLUMN settings TEXT`,
    `ALTER TABLE account_users ADD COLUMN invitation_hash TEXT`,
    `ALTER TABLE account_users ADD COLUMN invited_by TEXT`,
    `CREATE UNIQUE INDEX account_users_by_invitation ON account_users (invitation_hash)`,
    `CREATE TABLE enterprises (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id), name TEXT NOT NULL,
      domain TEXT, state TEXT NOT NULL, primary_contact_iam_id TEXT NOT NULL, source_account_id TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)`,
    `CREATE TABLE account_groups (
      id TEXT PRIMARY KEY, enterprise_id TEXT NOT NULL REFERENCES enterprises(id), parent TEXT NOT NULL,
      name TEXT NOT NULL, state TEXT NOT NULL, primary_contact_iam_id TEXT NOT NULL, created_at TEXT NOT NULL,
      created_by TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)`,
    `CREATE INDEX account_groups_by_enterprise ON account_groups (enterprise_id, id)`,
    `CREATE TABLE enterprise_accounts (
      account_id TEXT PRIMARY KEY REFERENCES accounts(id), enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
      parent TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
      updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)`,
    `CREATE INDEX enterprise_accounts_by_enterprise ON enterprise_accounts (enterprise_id, account_id)`,
  ],
};
