/**
 * The identity domain's records, as services see them (camelCase; stored timestamps are ISO-8601
 * UTC). The wire shapes of IBM's IAM Identity API are produced from these in wire.ts.
 */

export type OwnerType = 'user' | 'serviceid';
export type ActionWhenLeaked = 'none' | 'disable' | 'delete';

export interface ApiKey {
  id: string;
  /** The identity the key authenticates as: a user's IAM id or a service ID's IAM id. */
  iamId: string;
  accountId: string;
  name: string;
  description: string | null;
  ownerType: OwnerType;
  locked: boolean;
  disabled: boolean;
  supportSessions: boolean;
  actionWhenLeaked: ActionWhenLeaked;
  expiresAt: string | null;
  createdBy: string;
  createdAt: string;
  modifiedAt: string;
  entityTag: string;
  lastAuthn: string | null;
  authnCount: number;
}

export interface ServiceId {
  id: string;
  iamId: string;
  accountId: string;
  name: string;
  description: string | null;
  groupId: string | null;
  uniqueInstanceCrns: string[];
  locked: boolean;
  createdBy: string;
  createdAt: string;
  modifiedAt: string;
  entityTag: string;
}

export interface ServiceIdGroup {
  id: string;
  accountId: string;
  name: string;
  description: string | null;
  createdBy: string;
  createdAt: string;
  modifiedAt: string;
  entityTag: string;
}

/** One `include_history` entry: who did what to an entity, and when. */
export interface HistoryRecord {
  timestamp: string;
  iamId: string;
  iamIdAccount: string;
  action: string;
  params: string[];
  message: string;
}

export interface Activity {
  lastAuthn: string | null;
  authnCount: number;
}

/** An entity with the optional extras a read may ask for. */
export interface Detailed<T> {
  entity: T;
  history?: HistoryRecord[];
  activity?: Activity;
}

/** An API key just created, with its value (shown this once, never again). */
export interface CreatedApiKey {
  apiKey: ApiKey;
  value: string;
}

/** One page of a list, with the page tokens of the first, previous and next pages (routes make them links). */
export interface Page<T> {
  items: T[];
  offset: number;
  limit: number;
  first: string;
  previous?: string;
  next?: string;
}

export type Restriction = 'RESTRICTED' | 'NOT_RESTRICTED' | 'NOT_SET';
export type MfaTrait = 'NONE' | 'NONE_NO_ROPC' | 'TOTP' | 'TOTP4ALL' | 'LEVEL1' | 'LEVEL2' | 'LEVEL3';

export interface UserMfaExemption {
  iamId: string;
  mfa: MfaTrait;
}

export interface UserDomainRestriction {
  realmId: string;
  invitationEmailAllowPatterns?: string[];
  restrictInvitation?: boolean;
}

/**
 * The identity settings of an account. Numeric settings are decimal strings or `NOT_SET` (use the
 * service default), as on the wire.
 */
export interface SettingsValues {
  restrictCreateServiceId: Restriction;
  restrictCreatePlatformApikey: Restriction;
  restrictUserListVisibility: 'RESTRICTED' | 'NOT_RESTRICTED';
  allowedIpAddresses: string;
  mfa: MfaTrait;
  userMfa: UserMfaExemption[];
  sessionExpirationInSeconds: string;
  sessionInvalidationInSeconds: string;
  maxSessionsPerIdentity: string;
  systemAccessTokenExpirationInSeconds: string;
  systemRefreshTokenExpirationInSeconds: string;
  restrictUserDomains: UserDomainRestriction[];
}

export interface AccountSettings {
  accountId: string;
  entityTag: string;
  values: SettingsValues;
}

/** A user named in settings, for `resolve_user_mfa`. */
export interface UserSummary {
  iamId: string;
  name: string;
  userName: string;
  email: string;
}

// ── Trusted profiles ──────────────────────────────────────────────────────────────────────────

/**
 * A trusted profile: an identity that others assume (its IAM id `iam-Profile-<uuid>` is what
 * policies and access-group memberships name). A profile is active for as long as it exists: the
 * v1 API has no lock or disable for profiles.
 */
export interface TrustedProfile {
  /** `Profile-<uuid>`. */
  id: string;
  /** `iam-Profile-<uuid>`. */
  iamId: string;
  crn: string;
  accountId: string;
  name: string;
  description: string | null;
  email: string | null;
  createdBy: string;
  createdAt: string;
  modifiedAt: string;
  entityTag: string;
  /** The tag of the profile's identity list; it changes with every change of that list. */
  identitiesTag: string;
}

export type ClaimRuleType = 'Profile-SAML' | 'Profile-CR';

/** The compute-resource types IBM names for Profile-CR rules and links. */
export const COMPUTE_RESOURCE_TYPES = ['VSI', 'PVS', 'BMS', 'IKS_SA', 'ROKS_SA', 'CE'] as const;
export type ComputeResourceType = (typeof COMPUTE_RESOURCE_TYPES)[number];

/** IBM's claim operators (as access-group rules'). */
export const CLAIM_OPERATORS = ['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'IN', 'NOT_IN', 'CONTAINS'] as const;
export type ClaimOperator = (typeof CLAIM_OPERATORS)[number];

/**
 * One condition of a claim rule, as given: `value` is the JSON-encoded text IBM's clients send
 * (e.g. `"\"dev\""`, or a JSON array for IN / NOT_IN); the matcher decodes it.
 */
export interface ClaimCondition {
  claim: string;
  operator: ClaimOperator;
  value: string;
}

/**
 * A claim rule: who may assume the profile by the claims of a federated sign-in (`Profile-SAML`,
 * `realmName` set) or of a compute resource's token (`Profile-CR`, `crType` set). A rule matches
 * when every condition holds. `expiration` is the session lifetime in seconds of tokens it yields.
 */
export interface ClaimRule {
  /** `ClaimRule-<uuid>`. */
  id: string;
  profileId: string;
  name: string | null;
  type: ClaimRuleType;
  realmName: string | null;
  crType: ComputeResourceType | null;
  expiration: number;
  conditions: ClaimCondition[];
  createdAt: string;
  modifiedAt: string;
  entityTag: string;
}

/** What a link points at: a compute resource by CRN, narrowed by namespace/name (Kubernetes) or component (Code Engine). */
export interface LinkTarget {
  crn: string;
  namespace?: string;
  name?: string;
  componentType?: string;
  componentName?: string;
}

/** A link: the compute resource `target` (of type `crType`) may assume the profile. */
export interface ProfileLink {
  /** `ProfileLink-<uuid>`. */
  id: string;
  profileId: string;
  name: string | null;
  crType: ComputeResourceType;
  isCrossAccount: boolean;
  target: LinkTarget;
  createdAt: string;
  modifiedAt: string;
  entityTag: string;
}

export type ProfileIdentityType = 'user' | 'serviceid' | 'crn';

/**
 * An identity that may assume the profile. `identifier` is the user's IAM id, the service ID's
 * IAM id (`iam-ServiceId-…`) or a CRN; `iamId` is the IAM id tokens of that identity carry (for a
 * CRN, `crn-<crn>`). `accounts` (users only) lists the accounts from which the user may assume it;
 * empty means the profile's own account.
 */
export interface ProfileIdentity {
  type: ProfileIdentityType;
  identifier: string;
  iamId: string;
  accounts: string[];
  description: string | null;
}
