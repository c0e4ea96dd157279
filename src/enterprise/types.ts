import type { LimitRange } from '../kernel/cursor.js';
/** Enterprises, account groups and enterprise accounts as the service sees them. */

export interface Enterprise {
  id: string;
  crn: string;
  /** The enterprise account: the account the enterprise was created from. */
  accountId: string;
  name: string;
  domain: string | null;
  state: 'ACTIVE';
  primaryContactIamId: string;
  primaryContactEmail: string | null;
  sourceAccountId: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export type MemberState = 'ACTIVE' | 'DELETED';

export interface AccountGroup {
  id: string;
  crn: string;
  enterpriseId: string;
  enterpriseAccountId: string;
  /** CRN of the enterprise or the parent account group. */
  parent: string;
  /** `enterprise:<id>/account-group:<id>/…`, from the enterprise down to this group. */
  path: string;
  name: string;
  state: MemberState;
  primaryContactIamId: string;
  primaryContactEmail: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface EnterpriseAccount {
  id: string;
  crn: string;
  enterpriseId: string;
  enterpriseAccountId: string;
  parent: string;
  path: string;
  name: string;
  state: MemberState;
  ownerIamId: string;
  ownerEmail: string | null;
  isEnterpriseAccount: boolean;
  /** The traits it was created with; undefined for the enterprise account and imported accounts. */
  traits?: AccountTraits;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/**
 * Properties a child account is created with (CreateAccountRequestTraits). `mfa`: the account's
 * starting MFA level (identity setting `mfa`), `NONE_NO_ROPC` by default, '' to opt out (the
 * account keeps the server's default); `enterpriseIamManaged`: whether the enterprise account may
 * assign IAM resources to it (recorded; off by default).
 */
export interface AccountTraits {
  mfa: string;
  enterpriseIamManaged: boolean;
}

/** A page of a list in Enterprise Management style: the items and the docid the next page starts after. */
export interface DocPage<T> {
  items: T[];
  next?: string;
}

export interface PageRequest {
  limit?: number;
  nextDocid?: string;
}

/** Page sizes of enterprise listings. */
export const ENTERPRISE_LIMITS: LimitRange = { min: 1, max: 100, default: 100 };
