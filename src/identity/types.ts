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
