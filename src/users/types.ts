/** User Management: a user's profile and settings in one account. */

import type { Delivery } from '../mail/mailer.js';

export type UserState = 'PENDING' | 'ACTIVE' | 'VPN_ONLY' | 'DISABLED_CLASSIC_INFRASTRUCTURE';

/** States an administrator may set; PENDING is the system's own until the user accepts. */
export const SETTABLE_STATES = ['ACTIVE', 'VPN_ONLY', 'DISABLED_CLASSIC_INFRASTRUCTURE'] as const;

export interface UserProfile {
  iamId: string;
  accountId: string;
  userId: string;
  realm: string;
  firstname: string;
  lastname: string;
  state: UserState;
  email: string;
  phonenumber: string;
  altphonenumber: string;
  photo: string;
  addedOn: string;
}

export interface UserSettings {
  language: string;
  notification_language: string;
  allowed_ip_addresses: string;
  self_manage: boolean;
}

export const DEFAULT_SETTINGS: UserSettings = { language: '', notification_language: '', allowed_ip_addresses: '', self_manage: false };

export type ProfileChanges = Partial<Pick<UserProfile, 'firstname' | 'lastname' | 'email' | 'phonenumber' | 'altphonenumber' | 'photo'>> & {
  state?: string;
};

/** An IAM policy to create for invited users (InviteUserIamPolicy). */
export interface InvitePolicy {
  type: string;
  roles?: Array<{ role_id?: string }>;
  resources?: Array<{ attributes?: Array<{ name?: string; value?: string }> }>;
}

export interface Invitation {
  email: string;
  /** Account role; `Member` is the only one this server gives (owners come with the account). */
  accountRole?: string;
}

export interface InvitedUser {
  email: string;
  iamId: string;
  state: UserState;
  /** Where the invitation e-mail went (an outbox file or an SMTP message id); never its secret. */
  delivery: Delivery;
}

export interface UserSearch {
  /** `field:value` terms, comma-separated; fields: firstname, lastname, email, state, iam_id, user_id. */
  search?: string;
  userId?: string;
}

/**
 * The fields the user list sorts by: our extension (`sort=email`, `sort=-email` descending), which
 * IBM's API and SDK do not have. Without it the list keeps IBM's order (by IAM id).
 */
export const SORT_FIELDS = ['email', 'firstname', 'lastname', 'state', 'user_id', 'added_on'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type UserSort = SortField | `-${SortField}`;
export const USER_SORTS: readonly UserSort[] = [...SORT_FIELDS, ...SORT_FIELDS.map((f) => `-${f}` as const)];

/** A sorted listing's order: the field (compared case-insensitively, a missing value as empty), then the IAM id, both ascending or both descending. */
export interface MemberOrder {
  field: SortField;
  descending: boolean;
}

export const orderOf = (sort: UserSort): MemberOrder =>
  sort.startsWith('-') ? { field: sort.slice(1) as SortField, descending: true } : { field: sort as SortField, descending: false };
