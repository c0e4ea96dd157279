import type { Migration } from './types.js';

/**
 * Enterprise-managed IAM templates (src/templates), every kind in the same tables:
 * - `templates`: one row per template — its kind, account, name (unique per kind and account) and
 *   the next version number it hands out (a conditional increment, so racing creates of versions
 *   never share a number);
 * - `template_versions`: one row per version, the kind's content as JSON, `committed` 0/1;
 * - `template_assignments`: one per (kind, template, target) (a unique index: assigning the same
 *   template to the same target twice is a conflict), with its status;
 * - `template_assignment_resources`: what an assignment made in each target account, one row per
 *   managed resource (kind-chosen key), with the version applied and the failure, if any;
 * - managed resources of the policy kinds carry their template metadata: columns on `policies`
 *   and `custom_roles`, and the `template_action_controls` table (action controls assigned to a
 *   child account).
 */
export const templates: Migration = {
  version: '019_templates',
  statements: () => [
    `CREATE TABLE templates (
      id TEXT PRIMARY KEY, kind TEXT NOT NULL, account_id TEXT NOT NULL, name TEXT NOT NULL,
      next_version INTEGER NOT NULL, created_at TEXT NOT NULL, created_by_id TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX templates_name ON templates (kind, account_id, name)`,
    `CREATE TABLE template_versions (
      template_id TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, description TEXT,
      body TEXT NOT NULL, committed INTEGER NOT NULL, created_at TEXT NOT NULL, created_by_id TEXT NOT NULL,
      last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL, entity_tag TEXT NOT NULL,
      PRIMARY KEY (template_id, version))`,
    `CREATE TABLE template_assignments (
      id TEXT PRIMARY KEY, kind TEXT NOT NULL, account_id TEXT NOT NULL, template_id TEXT NOT NULL,
      template_version INTEGER NOT NULL, target_type TEXT NOT NULL, target TEXT NOT NULL,
      status TEXT NOT NULL, operation TEXT NOT NULL, created_at TEXT NOT NULL, created_by_id TEXT NOT NULL,
      last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL, entity_tag TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX template_assignments_target ON template_assignments (kind, template_id, target_type, target)`,
    `CREATE INDEX template_assignments_account ON template_assignments (account_id, kind, created_at)`,
    `CREATE TABLE template_assignment_resources (
      assignment_id TEXT NOT NULL, account_id TEXT NOT NULL, resource_key TEXT NOT NULL,
      resource_id TEXT, version INTEGER NOT NULL, status TEXT NOT NULL, error TEXT,
      PRIMARY KEY (assignment_id, account_id, resource_key))`,
    `CREATE INDEX template_assignment_resources_account ON template_assignment_resources (account_id)`,
    `ALTER TABLE policies ADD COLUMN template TEXT`,
    `ALTER TABLE custom_roles ADD COLUMN template TEXT`,
    `CREATE TABLE template_action_controls (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, service_name TEXT NOT NULL, description TEXT,
      actions TEXT NOT NULL, template TEXT NOT NULL, created_at TEXT NOT NULL, created_by_id TEXT NOT NULL,
      last_modified_at TEXT NOT NULL, last_modified_by_id TEXT NOT NULL)`,
    `CREATE INDEX template_action_controls_account ON template_action_controls (account_id)`,
  ],
};
