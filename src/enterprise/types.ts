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
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
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
