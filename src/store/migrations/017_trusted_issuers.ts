import type { Migration } from './types.js';

/**
 * Trusted issuers of workload tokens (a Portcullis extension of IAM Identity): per account, who
 * may sign the compute-resource tokens the cr-token grant accepts. One issuer URL per account (a
 * token's `iss` names at most one issuer there); JSON columns hold the audiences, the allowed
 * algorithms and an uploaded public JWKS.
 */
export const trustedIssuers: Migration = {
  version: '017_trusted_issuers',
  statements: () => [
    `CREATE TABLE trusted_issuers (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
      type TEXT NOT NULL, issuer TEXT NOT NULL, audiences TEXT NOT NULL, jwks_url TEXT, jwks TEXT,
      algorithms TEXT NOT NULL, max_clock_skew_seconds INTEGER NOT NULL, resource_crn TEXT,
      created_by TEXT NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL, entity_tag TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX trusted_issuers_account_issuer ON trusted_issuers (account_id, issuer)`,
    `CREATE INDEX trusted_issuers_issuer ON trusted_issuers (issuer)`,
  ],
};
