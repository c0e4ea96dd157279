import type { Migration } from './types.js';

/**
 * Identity template kinds (access groups, trusted profiles, account settings) on the template
 * core's tables (019): a child account's write to a group or profile asks whether an assignment
 * manages it, by the resource's id, so resource rows are indexed by it.
 */
export const identityTemplates: Migration = {
  version: '020_identity_templates',
  statements: () => [`CREATE INDEX template_assignment_resources_resource ON template_assignment_resources (resource_id)`],
};
