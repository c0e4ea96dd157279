import type { Migration } from './types.js';

/**
 * When each policy last granted a permit, and how many it has granted (`format=include_last_permit`).
 * Usage figures, not part of the policy: updating them changes neither its ETag nor the change feed.
 */
export const policyPermits: Migration = {
  version: '007_policy_permits',
  statements: (ddl) => [
    `ALTER TABLE policies ADD COLUMN last_permit_at TEXT NOT NULL DEFAULT ''`,
    `ALTER TABLE policies ADD COLUMN last_permit_frequency ${ddl.bigint} NOT NULL DEFAULT 0`,
  ],
};
