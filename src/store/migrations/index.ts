import { foundation } from './001_foundation.js';
import { policies } from './003_policies.js';
import { accessGroups } from './004_access_groups.js';
import { resourcesUsersEnterprise } from './005_resources_users_enterprise.js';
import { catalog } from './006_catalog.js';
import { policyPermits } from './007_policy_permits.js';
import { uniqueNames } from './008_unique_names.js';
import { sealedSigningKeys } from './009_sealed_signing_keys.js';
import { invitationExpiry } from './010_invitation_expiry.js';
import { accountTraits } from './013_account_traits.js';
import { identityExtras } from './014_identity_extras.js';
import { trustedProfiles } from './015_trusted_profiles.js';
import { trustedIssuers } from './017_trusted_issuers.js';
import { cbr } from './018_cbr.js';
import { templates } from './019_templates.js';
import { identityTemplates } from './020_identity_templates.js';
import { signinPasswords } from './021_signin_passwords.js';
import { signinMfaSessions } from './022_signin_mfa_sessions.js';
import { federation } from './023_federation.js';
import { signinHardening } from './024_signin_hardening.js';
import { assignmentRuns } from './025_assignment_runs.js';
import { auditReads } from './026_audit_reads.js';
import type { Ddl, Migration } from './types.js';

/**
 * Every migration, in order. Versions are shared by both dialects; a migration that needs
 * dialect-specific SQL branches on `ddl.dialect` inside its own file.
 */
export const migrations: Migration[] = [
  foundation, policies, accessGroups, resourcesUsersEnterprise, catalog, policyPermits, uniqueNames, sealedSigningKeys, invitationExpiry,
  accountTraits, identityExtras, trustedProfiles, trustedIssuers, cbr, templates, identityTemplates, signinPasswords, signinMfaSessions,
  federation, signinHardening, assignmentRuns, auditReads,
];

export const sqliteDdl: Ddl = { dialect: 'sqlite', autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' };
export const postgresDdl: Ddl = { dialect: 'postgres', autoId: 'BIGSERIAL PRIMARY KEY', bigint: 'BIGINT' };
