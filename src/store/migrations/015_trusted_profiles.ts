import type { Migration } from './types.js';

/**
 * Trusted profiles (IAM Identity v1): the profile (its name unique in its account, a unique index
 * so racing creates settle in the database), its claim rules, its compute-resource links (one link
 * per target: a unique index over the link's type and every target part, absent parts stored as
 * ''), and the identities that may assume it (one row per type and identifier; the profile row
 * carries the tag of that list, `identities_tag`, so replacing the list is a conditional update).
 * Links are indexed by CRN and identities by IAM id: token grants look profiles up from both.
 */
export const trustedProfiles: Migration = {
  version: '015_trusted_profiles',
  statements: () => [
    `CREATE TABLE trusted_profiles (
      id TEXT PRIMARY KEY, iam_id TEXT NOT NULL UNIQUE, crn TEXT NOT NULL UNIQUE,
      account_id TEXT NOT NULL REFERENCES accounts(id), name TEXT NOT NULL, description TEXT, email TEXT,
      created_by TEXT NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL, entity_tag TEXT NOT NULL,
      identities_tag TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX trusted_profiles_name ON trusted_profiles (account_id, name)`,
    `CREATE TABLE profile_claim_rules (
      id TEXT PRIMARY KEY, profile_id TEXT NOT NULL REFERENCES trusted_profiles(id) ON DELETE CASCADE,
      name TEXT, type TEXT NOT NULL, realm_name TEXT, cr_type TEXT, expiration INTEGER NOT NULL,
      conditions TEXT NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL, entity_tag TEXT NOT NULL)`,
    `CREATE INDEX profile_claim_rules_by_profile ON profile_claim_rules (profile_id, created_at)`,
    `CREATE TABLE profile_links (
      id TEXT PRIMARY KEY, profile_id TEXT NOT NULL REFERENCES trusted_profiles(id) ON DELETE CASCADE,
      name TEXT, cr_type TEXT NOT NULL, is_cross_account INTEGER NOT NULL, crn TEXT NOT NULL,
      namespace TEXT NOT NULL, link_name TEXT NOT NULL, component_type TEXT NOT NULL, component_name TEXT NOT NULL,
      created_at TEXT NOT NULL, modified_at TEXT NOT NULL, entity_tag TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX profile_links_target ON profile_links
      (profile_id, cr_type, crn, namespace, link_name, component_type, component_name)`,
    `CREATE INDEX profile_links_by_crn ON profile_links (crn)`,
    `CREATE TABLE profile_identities (
      profile_id TEXT NOT NULL REFERENCES trusted_profiles(id) ON DELETE CASCADE, type TEXT NOT NULL,
      identifier TEXT NOT NULL, iam_id TEXT NOT NULL, accounts TEXT NOT NULL, description TEXT,
      PRIMARY KEY (profile_id, type, identifier))`,
    `CREATE INDEX profile_identities_by_iam_id ON profile_identities (iam_id)`,
  ],
};
