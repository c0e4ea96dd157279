import type { Migration } from './types.js';

export const foundation: Migration = {
  version: '001_foundation',
  statements: (t) => [
    `CREATE TABLE accounts (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, owner_iam_id TEXT NOT NULL, state TEXT NOT NULL,
      created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
    `CREATE TABLE users (
      iam_id TEXT PRIMARY KEY, user_id TEXT NOT NULL UNIQUE, email TEXT NOT NULL, first_name TEXT NOT NULL,
      last_name TEXT NOT NULL, realm TEXT NOT NULL, created_at TEXT NOT NULL)`,
    `CREATE TABLE account_users (
      account_id TEXT NOT NULL REFERENCES accounts(id), iam_id TEXT NOT NULL REFERENCES users(iam_id),
      state TEXT NOT NULL, added_on TEXT NOT NULL, PRIMARY KEY (account_id, iam_id))`,
    `CREATE INDEX account_users_by_iam_id ON account_users (iam_id)`,
    `CREATE TABLE service_id_groups (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), name TEXT NOT NULL,
      description TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL,
      entity_tag TEXT NOT NULL, UNIQUE (account_id, name))`,
    `CREATE TABLE service_ids (
      id TEXT PRIMARY KEY, iam_id TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL REFERENCES accounts(id),
      name TEXT NOT NULL, description TEXT, group_id TEXT, unique_instance_crns TEXT NOT NULL,
      locked INTEGER NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL,
      entity_tag TEXT NOT NULL)`,
    `CREATE INDEX service_ids_by_account ON service_ids (account_id, created_at)`,
    `CREATE TABLE api_keys (
      id TEXT PRIMARY KEY, iam_id TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES accounts(id),
      name TEXT NOT NULL, description TEXT, key_hash TEXT NOT NULL UNIQUE, owner_type TEXT NOT NULL,
      locked INTEGER NOT NULL, disabled INTEGER NOT NULL, support_sessions INTEGER NOT NULL,
      action_when_leaked TEXT, expires_at TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
      modified_at TEXT NOT NULL, entity_tag TEXT NOT NULL, last_authn TEXT, authn_count INTEGER NOT NULL)`,
    `CREATE INDEX api_keys_by_iam_id ON api_keys (iam_id, created_at)`,
    `CREATE INDEX api_keys_by_account ON api_keys (account_id, created_at)`,
    `CREATE TABLE account_settings (
      account_id TEXT PRIMARY KEY REFERENCES accounts(id), settings TEXT NOT NULL, entity_tag TEXT NOT NULL,
      modified_at TEXT NOT NULL)`,
    `CREATE TABLE entity_history (
      id ${t.autoId}, entity_id TEXT NOT NULL, timestamp TEXT NOT NULL, iam_id TEXT NOT NULL,
      iam_id_account TEXT NOT NULL, action TEXT NOT NULL, params TEXT NOT NULL, message TEXT NOT NULL)`,
    `CREATE INDEX entity_history_by_entity ON entity_history (entity_id, id)`,
    `CREATE TABLE signing_keys (
      kid TEXT PRIMARY KEY, private_jwk TEXT NOT NULL, public_jwk TEXT NOT NULL, created_at TEXT NOT NULL,
      retires_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
    `CREATE TABLE refresh_tokens (
      token_hash TEXT PRIMARY KEY, iam_id TEXT NOT NULL, account_id TEXT NOT NULL, api_key_id TEXT,
      client_id TEXT NOT NULL, scope TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
    `CREATE INDEX refresh_tokens_by_iam_id ON refresh_tokens (iam_id)`,
    `CREATE TABLE feed_head (id INTEGER PRIMARY KEY, revision ${t.bigint} NOT NULL)`,
    `INSERT INTO feed_head (id, revision) VALUES (1, 0)`,
    `CREATE TABLE changes (
      id ${t.autoId}, revision ${t.bigint} NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL,
      account_id TEXT, op TEXT NOT NULL, at TEXT NOT NULL)`,
    `CREATE INDEX changes_by_revision ON changes (revision)`,
    `CREATE TABLE audit_events (
      id ${t.autoId}, at TEXT NOT NULL, request_id TEXT NOT NULL, initiator_iam_id TEXT NOT NULL,
      initiator_account_id TEXT, account_id TEXT, action TEXT NOT NULL, target_type TEXT NOT NULL,
      target_id TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL)`,
    `CREATE INDEX audit_events_by_account ON audit_events (account_id, id)`,
  ],
};
