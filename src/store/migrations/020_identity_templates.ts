import type { Migration } from './types.js';

/**
 * Enterprise-managed identity templates (access groups, trusted profiles, account settings): each
 * version of a template is one row (`committed` versions are immutable); an assignment applies one
 * committed version to a child account or to every account of an account group, and records the
 * per-account result of its last run; a managed resource row marks what an assignment created in
 * a child account (it cannot be changed or deleted there except through the assignment).
 */
export const identityTemplates: Migration = {
  version: '020_identity_templates',
  statements: () => [
    `CREATE TABLE iam_templates (
      kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, account_id TEXT NOT NULL,
      name TEXT NOT NULL, description TEXT NOT NULL, committed INTEGER NOT NULL, body TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by_id TEXT NOT NULL, last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL,
      entity_tag TEXT NOT NULL,
      PRIMARY KEY (id, version))`,
    `CREATE INDEX iam_templates_account ON iam_templates (kind, account_id, id)`,
    `CREATE TABLE iam_template_assignments (
      kind TEXT NOT NULL, id TEXT PRIMARY KEY, account_id TEXT NOT NULL, template_id TEXT NOT NULL,
      template_version INTEGER NOT NULL, target_type TEXT NOT NULL, target TEXT NOT NULL,
      operation TEXT NOT NULL, status TEXT NOT NULL, resources TEXT NOT NULL,
      created_at TEXT NOT NULL, created_by_id TEXT NOT NULL, last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL,
      entity_tag TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX iam_template_assignments_target ON iam_template_assignments (kind, template_id, target_type, target)`,
    `CREATE INDEX iam_template_assignments_account ON iam_template_assignments (kind, account_id, created_at)`,
    `CREATE TABLE iam_managed_resources (
      kind TEXT NOT NULL, resource_id TEXT NOT NULL, account_id TEXT NOT NULL, assignment_id TEXT NOT NULL,
      template_id TEXT NOT NULL, template_version INTEGER NOT NULL, action_controls TEXT NOT NULL,
      PRIMARY KEY (kind, resource_id))`,
    `CREATE UNIQUE INDEX iam_managed_resources_assignment ON iam_managed_resources (assignment_id, account_id, kind)`,
  ],
};
