import type { Migration } from './types.js';

/**
 * Template assignment runs survive their process (templates/core.ts, recovery): an assignment in
 * progress names the process running it (`runner`) and when that process last said it still was
 * (`heartbeat_at`). An assignment in progress whose heartbeat is older than the run lease was
 * left by a process that stopped; any node claims it with a conditional update (its entity tag)
 * and fails it, retriable. Rows from before this migration have neither: in progress, they count
 * as stale.
 */
export const assignmentRuns: Migration = {
  version: '025_assignment_runs',
  statements: () => [
    `ALTER TABLE template_assignments ADD COLUMN runner TEXT`,
    `ALTER TABLE template_assignments ADD COLUMN heartbeat_at TEXT`,
    `CREATE INDEX template_assignments_status ON template_assignments (status)`,
  ],
};
