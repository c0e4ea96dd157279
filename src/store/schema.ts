import type { Generated } from 'kysely';

/**
 * Table shapes, shared by both dialects. Conventions that keep SQL identical on SQLite and
 * PostgreSQL: timestamps are ISO-8601 UTC strings with milliseconds (they sort as text), booleans
 * are integers 0/1, structured values are JSON text.
 */
export interface Schema {
  accounts: AccountsTable;
  users: UsersTable;
  account_users: AccountUsersTable;
  service_ids: ServiceIdsTable;
  service_id_groups: ServiceIdGroupsTable;
  api_keys: ApiKeysTable;
  account_settings: AccountSettingsTable;
  entity_history: EntityHistoryTable;
  signing_keys: SigningKeysTable;
  refresh_tokens: RefreshTokensTable;
  feed_head: FeedHeadTable;
  changes: ChangesTable;
  audit_events: AuditEventsTable;
}

export interface AccountsTable {
  id: string;
  name: string;
  owner_iam_id: string;
  state: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  iam_id: string;
  /** Login name (IBMid: an e-mail address). Unique. */
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  realm: string;
  created_at: string;
}

/** Membership of a user in an account. */
export interface AccountUsersTable {
  account_id: string;
  iam_id: string;
  state: string;
  added_on: string;
}

export interface ServiceIdsTable {
  id: string;
  iam_id: string;
  account_id: string;
  name: string;
  description: string | null;
  group_id: string | null;
  unique_instance_crns: string;
  locked: number;
  created_by: string;
  created_at: string;
  modified_at: string;
  entity_tag: string;
}

export interface ServiceIdGroupsTable {
  id: string;
  account_id: string;
  name: string;
  description: string | null;
  created_by: string;
  created_at: string;
  modified_at: string;
  entity_tag: string;
}

export interface ApiKeysTable {
  id: string;
  /** IAM id of the identity the key authenticates as. */
  iam_id: string;
  account_id: string;
  name: string;
  description: string | null;
  /** SHA-256 of the key value, hex; the value itself is never stored. */
  key_hash: string;
  /** `user` or `serviceid`. */
  owner_type: string;
  locked: number;
  disabled: number;
  support_sessions: number;
  action_when_leaked: string | null;
  expires_at: string | null;
  created_by: string;
  created_at: string;
  modified_at: string;
  entity_tag: string;
  last_authn: string | null;
  authn_count: number;
}

export interface AccountSettingsTable {
  account_id: string;
  /** JSON object of the settings fields, IBM's wire names. */
  settings: string;
  entity_tag: string;
  modified_at: string;
}

/** `include_history` records of identity entities. */
export interface EntityHistoryTable {
  id: Generated<number>;
  entity_id: string;
  timestamp: string;
  iam_id: string;
  iam_id_account: string;
  action: string;
  /** JSON array of strings. */
  params: string;
  message: string;
}

export interface SigningKeysTable {
  kid: string;
  /**
   * The private key: its JWK (JSON) sealed under the key-encryption key, or — only in rows written
   * before migration 009 and not yet sealed at start-up — the plain JWK.
   */
  private_key: string;
  /** What `private_key` holds: `aes-256-gcm` (sealed) or `none` (plain, from before 009). */
  private_key_encryption: 'aes-256-gcm' | 'none';
  public_jwk: string;
  created_at: string;
  /** After this the key no longer signs. */
  retires_at: string;
  /** After this the key leaves the JWKS (retires_at + the longest token lifetime). */
  expires_at: string;
}

export interface RefreshTokensTable {
  /** SHA-256 of the opaque token, hex. */
  token_hash: string;
  iam_id: string;
  account_id: string;
  api_key_id: string | null;
  client_id: string;
  scope: string;
  created_at: string;
  expires_at: string;
  /** How the sign-in behind it was made (JSON: grant type, acr, amr); NULL for API-key grants (migration 021). */
  authn: string | null;
  /** The first token of its rotation chain's hash (migration 024); NULL for tokens issued before. */
  family: string | null;
  /** When a refresh spent it (migration 024); NULL while unused. */
  used_at: string | null;
}

/** One row holding the newest revision; incrementing it serialises commits in revision order. */
export interface FeedHeadTable {
  id: number;
  revision: number;
}

export interface ChangesTable {
  id: Generated<number>;
  revision: number;
  /** What changed: `apikey`, `serviceid`, `policy`, `group_member`, … */
  entity: string;
  entity_id: string;
  account_id: string | null;
  op: string;
  at: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: string;
  request_id: string;
  initiator_iam_id: string;
  initiator_account_id: string | null;
  account_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  outcome: string;
  /** JSON with extra facts (never secrets). */
  detail: string;
}

// ── Resources, users and enterprises (migration 005) ───────────────────────────────────────────
// Declared as interface merges so this block stays self-contained.

export interface Schema {
  resource_groups: ResourceGroupsTable;
  resource_instances: ResourceInstancesTable;
  reclamations: ReclamationsTable;
  enterprises: EnterprisesTable;
  account_groups: AccountGroupsTable;
  enterprise_accounts: EnterpriseAccountsTable;
}

/** User-management fields of a membership; NULL profile fields fall back to the user's own. */
export interface AccountUsersTable {
  firstname: string | null;
  lastname: string | null;
  email: string | null;
  phonenumber: string | null;
  altphonenumber: string | null;
  photo: string | null;
  /** JSON object of UserSettings, IBM's wire names; NULL = defaults. */
  settings: string | null;
  /** SHA-256 (hex) of the pending invitation's token; NULL once accepted or for non-invited members. */
  invitation_hash: string | null;
  invited_by: string | null;
  /** When the pending invitation lapses (ISO 8601); NULL for members not invited, or invited before 010. */
  invitation_expires_at: string | null;
}

export interface ResourceGroupsTable {
  id: string;
  account_id: string;
  name: string;
  /** `ACTIVE` or `DELETED` (soft-deleted groups show with include_deleted). */
  state: string;
  is_default: number;
  quota_id: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface ResourceInstancesTable {
  guid: string;
  crn: string;
  account_id: string;
  resource_group_id: string;
  name: string;
  /** Catalog service name (the CRN's service segment), from the plan. */
  service_name: string;
  /** Catalog id of the service offering. */
  resource_id: string;
  resource_plan_id: string;
  location: string;
  /** ResourceInstance.State: `active`, `pending_reclamation`, `removed`, … */
  state: string;
  type: string;
  sub_type: string | null;
  /** JSON object. */
  parameters: string;
  /** JSON array of strings. */
  tags: string;
  allow_cleanup: number;
  locked: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  deleted_at: string | null;
  deleted_by: string | null;
  scheduled_reclaim_at: string | null;
  scheduled_reclaim_by: string | null;
  restored_at: string | null;
  restored_by: string | null;
}

export interface ReclamationsTable {
  id: string;
  instance_guid: string;
  account_id: string;
  resource_group_id: string;
  /** `SCHEDULED` while it can be restored or reclaimed; then `RESTORED` or `RECLAIMED`. */
  state: string;
  target_time: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface EnterprisesTable {
  id: string;
  /** The enterprise account: the account the enterprise was created from. */
  account_id: string;
  name: string;
  domain: string | null;
  state: string;
  primary_contact_iam_id: string;
  source_account_id: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface AccountGroupsTable {
  id: string;
  enterprise_id: string;
  /** CRN of the enterprise or of the parent account group. */
  parent: string;
  name: string;
  /** `ACTIVE` or `DELETED`. */
  state: string;
  primary_contact_iam_id: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface EnterpriseAccountsTable {
  account_id: string;
  enterprise_id: string;
  /** CRN of the enterprise or of the account group the account sits in. */
  parent: string;
  /** `ACTIVE` or `DELETED`. */
  state: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  /** Trait `mfa` the account was created with ('' = opted out); NULL when not created in the enterprise (013). */
  mfa?: string | null;
  /** Trait `enterprise_iam_managed` (0/1); NULL when not created in the enterprise (013). */
  enterprise_iam_managed?: number | null;
}

// ── Access groups (migration 004) ───────────────────────────────────────────────────────────────
// Declared as an interface merge so this block stays self-contained.

export interface Schema {
  access_groups: AccessGroupsTable;
  access_group_members: AccessGroupMembersTable;
  access_group_rules: AccessGroupRulesTable;
  access_group_dynamic_members: AccessGroupDynamicMembersTable;
  access_group_settings: AccessGroupSettingsTable;
}

export interface AccessGroupsTable {
  account_id: string;
  /** `AccessGroupId-<uuid>`; unique across accounts. The Public Access group is never stored. */
  id: string;
  name: string;
  /** `name` lower-cased: unique per account. */
  name_key: string;
  description: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
  entity_tag: string;
}

/** A static member: added explicitly, stays until removed. */
export interface AccessGroupMembersTable {
  account_id: string;
  group_id: string;
  iam_id: string;
  /** `user`, `service` or `profile`. */
  type: string;
  created_at: string;
  created_by_id: string;
}

/** A dynamic-membership rule: federated users whose claims match join the group at sign-in. */
export interface AccessGroupRulesTable {
  /** `ClaimRule-<uuid>`. */
  id: string;
  account_id: string;
  group_id: string;
  name: string;
  /** Hours a membership granted by this rule lasts (1–24). */
  expiration: number;
  realm_name: string;
  /** JSON array of `{claim, operator, value}`. */
  conditions: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
  entity_tag: string;
}

/** A membership granted by rules at a federated sign-in; void once `expires_at` has passed. */
export interface AccessGroupDynamicMembersTable {
  account_id: string;
  group_id: string;
  iam_id: string;
  type: string;
  realm_name: string;
  /** JSON array of the ids of the rules that matched. */
  rule_ids: string;
  created_at: string;
  expires_at: string;
}

/** Access-groups settings of an account; no row = defaults (public access enabled). */
export interface AccessGroupSettingsTable {
  account_id: string;
  public_access_enabled: number;
  last_modified_at: string;
  last_modified_by_id: string;
}

// ── Policies, custom roles, access-management settings (migration 003) ─────────────────────────

export interface Schema {
  policies: PoliciesTable;
  policy_tags: PolicyTagsTable;
  custom_roles: CustomRolesTable;
  access_management_settings: AccessManagementSettingsTable;
}

/** v1 and v2 policies, one id space. JSON columns hold the decision point's model (src/pdp/types.ts). */
export interface PoliciesTable {
  id: string;
  account_id: string;
  /** `access` or `authorization`. */
  type: string;
  /** `active` or `deleted`. */
  state: string;
  description: string | null;
  /** JSON PolicySubject. */
  subject: string;
  /** JSON array of resource AttributeConditions, without accountId. */
  resource: string;
  /** JSON array of tag AttributeConditions. */
  tags: string;
  /** JSON array of role CRNs. */
  roles: string;
  /** JSON Rule, or NULL. */
  rule: string | null;
  pattern: string | null;
  /** Filter columns, copied from subject and resource (`stringEquals` values only). */
  subject_iam_id: string | null;
  subject_access_group_id: string | null;
  service_name: string | null;
  service_type: string | null;
  service_group_id: string | null;
  /** Hash of (type, subject, resource, tags, pattern, rule): equal keys are duplicates. */
  conflict_key: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
  entity_tag: string;
  /** When the policy last granted a permit (ISO 8601), '' if never; usage, not part of the policy. */
  last_permit_at: Generated<string>;
  /** How many permits it has granted (PostgreSQL returns its BIGINT as a string). */
  last_permit_frequency: Generated<number | string>;
  /** JSON TemplateMetadata when a template assignment made the policy (migration 019); NULL otherwise. */
  template?: string | null;
}

/** A policy's access tags, for the `tag_name`/`tag_value` list filters. */
export interface PolicyTagsTable {
  policy_id: string;
  name: string;
  value: string;
}

export interface CustomRolesTable {
  id: string;
  account_id: string;
  name: string;
  crn: string;
  service_name: string;
  display_name: string;
  description: string | null;
  /** JSON array of action ids, sorted. */
  actions: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
  entity_tag: string;
  /** JSON TemplateMetadata when a role-template assignment made the role (migration 019); NULL otherwise. */
  template?: string | null;
}

/** Access-management settings of an account; no row = defaults (every identity type enabled). */
export interface AccessManagementSettingsTable {
  account_id: string;
  /** JSON AccessManagementSettings, IBM's wire names. */
  settings: string;
  entity_tag: string;
  last_modified_at: string;
  last_modified_by_id: string;
}

// ── Service catalog (migration 006) ─────────────────────────────────────────────────────────────

export interface Schema {
  catalog_services: CatalogServicesTable;
}

/** A service registered through the catalog API (the seed services are not stored). */
export interface CatalogServicesTable {
  name: string;
  /** JSON of the service as registered (the catalog file's shape, roles as CRNs). */
  definition: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
  entity_tag: string;
}

// ── Identity preferences and activity reports (migration 014) ───────────────────────────────────

export interface Schema {
  identity_preferences: IdentityPreferencesTable;
  identity_reports: IdentityReportsTable;
}

/** One preference of one identity in one account; exactly one of the two values is set. */
export interface IdentityPreferencesTable {
  account_id: string;
  iam_id: string;
  service: string;
  preference_id: string;
  value_string: string | null;
  /** JSON array of strings. */
  value_list: string | null;
  updated_at: string;
  updated_by: string;
}

/** An activity report job: `running`, then `done` with its JSON result, or `failed`. */
export interface IdentityReportsTable {
  reference: string;
  account_id: string;
  type: string;
  duration_hours: number;
  status: 'running' | 'done' | 'failed';
  created_by: string;
  created_at: string;
  completed_at: string | null;
  /** The report body (IBM's wire names), once done. */
  result: string | null;
}

// ── Trusted profiles (migration 015) ────────────────────────────────────────────────────────────

export interface Schema {
  trusted_profiles: TrustedProfilesTable;
  profile_claim_rules: ProfileClaimRulesTable;
  profile_links: ProfileLinksTable;
  profile_identities: ProfileIdentitiesTable;
}

export interface TrustedProfilesTable {
  id: string;
  iam_id: string;
  crn: string;
  account_id: string;
  name: string;
  description: string | null;
  email: string | null;
  created_by: string;
  created_at: string;
  modified_at: string;
  entity_tag: string;
  /** The entity tag of the profile's identity list (IBM's `entity_tag` of getProfileIdentities). */
  identities_tag: string;
}

export interface ProfileClaimRulesTable {
  id: string;
  profile_id: string;
  name: string | null;
  type: string;
  realm_name: string | null;
  cr_type: string | null;
  expiration: number;
  /** JSON array of `{claim, operator, value}`. */
  conditions: string;
  created_at: string;
  modified_at: string;
  entity_tag: string;
}

/** A compute-resource link; absent target parts are stored as '' so one unique index covers them all. */
export interface ProfileLinksTable {
  id: string;
  profile_id: string;
  name: string | null;
  cr_type: string;
  is_cross_account: number;
  crn: string;
  namespace: string;
  link_name: string;
  component_type: string;
  component_name: string;
  created_at: string;
  modified_at: string;
  entity_tag: string;
}

export interface ProfileIdentitiesTable {
  profile_id: string;
  type: string;
  identifier: string;
  iam_id: string;
  /** JSON array of account ids (users only; empty otherwise). */
  accounts: string;
  description: string | null;
}

// ── Trusted issuers of workload tokens (migration 017) ──────────────────────────────────────────

export interface Schema {
  trusted_issuers: TrustedIssuersTable;
}

/** An issuer of compute-resource tokens an account trusts (src/workload/). */
export interface TrustedIssuersTable {
  id: string;
  account_id: string;
  name: string;
  description: string | null;
  /** `kubernetes` | `code_engine` | `oidc`. */
  type: string;
  /** The `iss` of its tokens; unique per account. */
  issuer: string;
  /** JSON array of strings: a token must carry one of them in `aud`. */
  audiences: string;
  jwks_url: string | null;
  /** JSON: an uploaded public JWKS (exactly one of `jwks_url` and `jwks` is set). */
  jwks: string | null;
  /** JSON array of JWS algorithm names. */
  algorithms: string;
  max_clock_skew_seconds: number;
  /** The CRN of the compute resource (e.g. the cluster) its tokens come from, if given. */
  resource_crn: string | null;
  created_by: string;
  created_at: string;
  modified_at: string;
  entity_tag: string;
}

// ── Sign-in (migrations 021, 022) ──────────────────────────────────────────────────────────────

export interface Schema {
  user_passwords: UserPasswordsTable;
  password_resets: PasswordResetsTable;
  mfa_totp: MfaTotpTable;
  mfa_totp_steps: MfaTotpStepsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  signin_sessions: SignInSessionsTable;
}

/** A user's TOTP authenticator. */
export interface MfaTotpTable {
  iam_id: string;
  /** The base32 secret sealed under the key-encryption key (context `mfa-totp:<iam id>`). */
  secret: string;
  created_at: string;
  /** When a first code confirmed it; NULL while enrolment is pending (then it is not a factor). */
  confirmed_at: string | null;
  last_used_at: string | null;
}

/** A TOTP time step whose code was accepted (never again). */
export interface MfaTotpStepsTable {
  iam_id: string;
  step: number;
  used_at: string;
}

export interface MfaRecoveryCodesTable {
  iam_id: string;
  /** SHA-256 of the normalised code, hex. */
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

/** A browser session. */
export interface SignInSessionsTable {
  id: string;
  /** SHA-256 of the cookie's secret, hex. */
  secret_hash: string;
  /** SHA-256 of the session's CSRF token, hex. */
  csrf_hash: string;
  iam_id: string;
  account_id: string;
  /** JSON AuthnLevel: how the session signed in. */
  authn: string;
  created_at: string;
  last_seen_at: string;
  /** The absolute end (the account's session_expiration_in_seconds after creation). */
  expires_at: string;
  /** When it was signed out or revoked; NULL while live. */
  ended_at: string | null;
  /** Why it ended (`logout`, `revoked`, `expired`, `idle`); NULL while live (migration 024). */
  end_reason: string | null;
}

/** A user's password: its argon2id hash (PHC string), one per user. */
export interface UserPasswordsTable {
  iam_id: string;
  hash: string;
  updated_at: string;
}

/** An e-mailed password-reset link, usable once until `expires_at`. */
export interface PasswordResetsTable {
  /** SHA-256 of the link's secret, hex. */
  token_hash: string;
  iam_id: string;
  created_at: string;
  expires_at: string;
}

// ── Enterprise-managed templates (migration 019) ────────────────────────────────────────────────

export interface Schema {
  templates: TemplatesTable;
  template_versions: TemplateVersionsTable;
  template_assignments: TemplateAssignmentsTable;
  template_assignment_resources: TemplateAssignmentResourcesTable;
  template_action_controls: TemplateActionControlsTable;
}

/** A template of any kind; its name is unique per (kind, account). */
export interface TemplatesTable {
  id: string;
  kind: string;
  account_id: string;
  name: string;
  /** The number the next created version takes (versions count from 1). */
  next_version: number;
  created_at: string;
  created_by_id: string;
}

export interface TemplateVersionsTable {
  template_id: string;
  version: number;
  name: string;
  description: string | null;
  /** JSON: the kind's content. */
  body: string;
  committed: number;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
  entity_tag: string;
}

export interface TemplateAssignmentsTable {
  id: string;
  kind: string;
  account_id: string;
  template_id: string;
  template_version: number;
  /** `Account` or `AccountGroup`. */
  target_type: string;
  target: string;
  status: string;
  operation: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
  entity_tag: string;
  /** While in progress: the process running it and its last heartbeat (migration 025); null otherwise. */
  runner: string | null;
  heartbeat_at: string | null;
}

export interface TemplateAssignmentResourcesTable {
  assignment_id: string;
  account_id: string;
  resource_key: string;
  resource_id: string | null;
  version: number;
  /** `succeeded` or `failed`. */
  status: string;
  /** JSON ResourceError, when failed. */
  error: string | null;
}

/** An action control an action-control assignment placed in a child account. */
export interface TemplateActionControlsTable {
  id: string;
  account_id: string;
  service_name: string;
  description: string | null;
  /** JSON array of action ids. */
  actions: string;
  /** JSON TemplateMetadata. */
  template: string;
  created_at: string;
  created_by_id: string;
  last_modified_at: string;
  last_modified_by_id: string;
}

// ── Sign-in hardening (migration 024) ──────────────────────────────────────────────────────────

export interface Schema {
  webauthn_credentials: WebAuthnCredentialsTable;
  webauthn_challenges: WebAuthnChallengesTable;
  signin_failures: SignInFailuresTable;
  signin_revocations: SignInRevocationsTable;
  refresh_families_revoked: RefreshFamiliesRevokedTable;
}

/** A user's passkey (WebAuthn credential). */
export interface WebAuthnCredentialsTable {
  id: string;
  /** The authenticator's credential id, base64url. */
  credential_id: string;
  iam_id: string;
  name: string;
  /** The COSE public key, base64url. */
  public_key: string;
  /** The signature counter last seen. */
  counter: number;
  /** JSON array of transport hints. */
  transports: string;
  created_at: string;
  last_used_at: string | null;
}

/** A WebAuthn challenge handed out, spent once. */
export interface WebAuthnChallengesTable {
  /** The challenge, base64url (random, 32 bytes). */
  challenge: string;
  /** `register` or `authenticate`. */
  purpose: string;
  iam_id: string;
  /** The account a sign-in's challenge was issued for; NULL for a registration. */
  account_id: string | null;
  expires_at: string;
}

/** Failed sign-ins of one login or one client address (`key` is a digest). */
export interface SignInFailuresTable {
  key: string;
  failures: number;
  window_ends_at: string;
  /** Until when sign-ins for this key are refused; NULL when not locked. */
  locked_until: string | null;
}

/** Sessions and refresh tokens of the identity created before `not_before` no longer count. */
export interface SignInRevocationsTable {
  iam_id: string;
  /** The account it applies in, or `*` for every account. */
  account_id: string;
  not_before: string;
}

/** A refresh-token family revoked because a spent token of it was presented again. */
export interface RefreshFamiliesRevokedTable {
  family: string;
  revoked_at: string;
  /** After this every token of the family has expired; the row may be purged. */
  expires_at: string;
}

// ── Federated sign-in (migration 023) ─────────────────────────────────────────────────────────────

export interface Schema {
  federation_idps: FederationIdpsTable;
  federation_requests: FederationRequestsTable;
  federation_assertions: FederationAssertionsTable;
  federation_tickets: FederationTicketsTable;
}

/** An identity provider of an account (src/federation/). */
export interface FederationIdpsTable {
  id: string;
  account_id: string;
  name: string;
  description: string | null;
  /** `saml` or `oidc`. */
  protocol: string;
  /** The SAML IdP's entity id, or the OIDC issuer URL (the realm of claim rules). */
  issuer: string;
  sso_url: string | null;
  /** JSON array of the SAML IdP's signing certificates (base64 DER); `[]` for OIDC. */
  certificates: string;
  name_id_format: string | null;
  client_id: string | null;
  /** Sealed under the key-encryption key. */
  client_secret: string | null;
  /** JSON array of OIDC scopes. */
  scopes: string;
  /** JSON object: which claim holds the e-mail address, the name, the MFA methods. */
  claim_mapping: string;
  created_by: string;
  created_at: string;
  modified_at: string;
  entity_tag: string;
}

/** A sign-in sent to an IdP, awaiting its answer. */
export interface FederationRequestsTable {
  /** SAML: the AuthnRequest ID; OIDC: the `state`. */
  id: string;
  idp_id: string;
  nonce: string | null;
  /** The sealed PKCE code verifier (OIDC). */
  code_verifier: string | null;
  created_at: string;
  expires_at: string;
}

export interface FederationAssertionsTable {
  idp_id: string;
  assertion_id: string;
  expires_at: string;
}

/** What an IdP asserted, until the browser chooses how to sign in. */
export interface FederationTicketsTable {
  ticket_hash: string;
  idp_id: string;
  account_id: string;
  subject: string;
  member_iam_id: string | null;
  /** JSON object of the asserted claims. */
  claims: string;
  /** JSON AuthnLevel. */
  authn: string;
  created_at: string;
  expires_at: string;
}
