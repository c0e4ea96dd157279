import type { Migration } from './types.js';

/**
 * Federated sign-in (src/federation/):
 * - `federation_idps`: an account's identity providers (SAML 2.0 or OIDC). The IdP's own id (SAML
 *   entity id, OIDC issuer) is unique per account; the OIDC client secret is sealed under the
 *   key-encryption key.
 * - `federation_requests`: sign-ins sent to an IdP and not yet answered (the SAML request id, or
 *   the OIDC `state` with its nonce and sealed PKCE verifier). Deleting the row is what spends it,
 *   so two answers to one request cannot both be taken.
 * - `federation_assertions`: SAML assertion ids already accepted from an IdP, until they expire;
 *   the primary key refuses a replayed one, also between racing requests.
 * - `federation_tickets`: what the IdP asserted, kept for the few minutes the browser needs to
 *   choose how to sign in (as the user, or as a trusted profile), then spent by deletion.
 */
export const federation: Migration = {
  version: '023_federation',
  statements: () => [
    `CREATE TABLE federation_idps (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, protocol TEXT NOT NULL, issuer TEXT NOT NULL,
      sso_url TEXT, certificates TEXT NOT NULL, name_id_format TEXT, client_id TEXT, client_secret TEXT, scopes TEXT NOT NULL,
      claim_mapping TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL, entity_tag TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX federation_idps_issuer ON federation_idps (account_id, issuer)`,
    `CREATE TABLE federation_requests (
      id TEXT PRIMARY KEY, idp_id TEXT NOT NULL, nonce TEXT, code_verifier TEXT, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
    `CREATE INDEX federation_requests_expiry ON federation_requests (expires_at)`,
    `CREATE TABLE federation_assertions (idp_id TEXT NOT NULL, assertion_id TEXT NOT NULL, expires_at TEXT NOT NULL, PRIMARY KEY (idp_id, assertion_id))`,
    `CREATE INDEX federation_assertions_expiry ON federation_assertions (expires_at)`,
    `CREATE TABLE federation_tickets (
      ticket_hash TEXT PRIMARY KEY, idp_id TEXT NOT NULL, account_id TEXT NOT NULL, subject TEXT NOT NULL, member_iam_id TEXT,
      claims TEXT NOT NULL, authn TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
    `CREATE INDEX federation_tickets_expiry ON federation_tickets (expires_at)`,
  ],
};
