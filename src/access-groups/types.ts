/** The access-groups domain as services see it (timestamps ISO-8601 UTC with milliseconds). */

/** The Public Access group's fixed id, the same in every account; it exists without being stored. */
export const PUBLIC_ACCESS_GROUP_ID = 'AccessGroupId-PublicAccess';

export const SERVICE_NAME = 'iam-groups';

export interface AccessGroup {
  id: string;
  accountId: string;
  name: string;
  description: string;
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
  /** True when the group has dynamic-membership rules. */
  isFederated: boolean;
}

export type MemberType = 'user' | 'service' | 'profile';

export type MembershipType = 'static' | 'dynamic' | 'all';

export interface Member {
  iamId: string;
  type: MemberType;
  membershipType: 'static' | 'dynamic';
  createdAt: string;
  createdById: string;
  /** Dynamic memberships only: when the membership lapses. */
  expiresAt?: string;
  /** Present on verbose listings: user full name, or service ID name. */
  name?: string;
  email?: string;
  description?: string;
}

/** IBM's dynamic-rule operators (SDK enum `RuleConditions.Operator`). */
export const OPERATORS = ['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'IN', 'CONTAINS'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface RuleCondition {
  claim: string;
  operator: Operator;
  /** As sent: a JSON-encoded value (`"\"admins\""`, `"true"`, `"[\"a\",\"b\"]"`) or plain text. */
  value: string;
}

export interface Rule {
  id: string;
  accountId: string;
  groupId: string;
  name: string;
  /** Hours a membership granted by the rule lasts. */
  expiration: number;
  realmName: string;
  conditions: RuleCondition[];
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
}

/** A rule as a client sent it (checked by `checkRuleInput`). */
export interface RuleInput {
  name?: string;
  expiration: number;
  realmName: string;
  conditions: { claim: string; operator: string; value: string }[];
}

export interface CheckedRuleInput extends RuleInput {
  conditions: RuleCondition[];
}

export interface Settings {
  accountId: string;
  publicAccessEnabled: boolean;
  /** Absent while the account still has the default settings. */
  lastModifiedAt?: string;
  lastModifiedById?: string;
}

/** A membership as the decision point indexes it. */
export interface Membership {
  accountId: string;
  groupId: string;
  iamId: string;
  /** Dynamic memberships only: the membership counts strictly before this instant. */
  expiresAt?: string;
}

/** One page of an offset-paginated list. */
export interface OffsetPage<T> {
  items: T[];
  totalCount: number;
  limit: number;
  offset: number;
}

export interface PageRequest {
  limit: number;
  offset: number;
}
