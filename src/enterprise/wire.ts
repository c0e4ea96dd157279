import { listingUrl } from '../http/query.js';
import type { AccountGroup, Enterprise, EnterpriseAccount } from './types.js';

/**
 * Enterprise Management v1 records → IBM's JSON. The SDK's default base URL carries the version
 * (`https://enterprise.cloud.ibm.com/v1`), so its paths are `/enterprises…`; here they live under
 * `/v1` and clients use `serviceUrl: <server>/v1`.
 */
export const BASE = '/v1';

export function enterpriseWire(e: Enterprise) {
  return {
    url: `${BASE}/enterprises/${e.id}`,
    id: e.id,
    enterprise_account_id: e.accountId,
    crn: e.crn,
    name: e.name,
    ...(e.domain !== null ? { domain: e.domain } : {}),
    state: e.state,
    primary_contact_iam_id: e.primaryContactIamId,
    primary_contact_email: e.primaryContactEmail ?? '',
    source_account_id: e.sourceAccountId,
    created_at: e.createdAt,
    created_by: e.createdBy,
    updated_at: e.updatedAt,
    updated_by: e.updatedBy,
  };
}

export function accountWire(a: EnterpriseAccount) {
  return {
    url: `${BASE}/accounts/${a.id}`,
    id: a.id,
    crn: a.crn,
    parent: a.parent,
    enterprise_account_id: a.enterpriseAccountId,
    enterprise_id: a.enterpriseId,
    enterprise_path: a.path,
    name: a.name,
    state: a.state,
    owner_iam_id: a.ownerIamId,
    paid: true,
    owner_email: a.ownerEmail ?? '',
    is_enterprise_account: a.isEnterpriseAccount,
    ...(a.traits ? { traits: { mfa: a.traits.mfa, enterprise_iam_managed: a.traits.enterpriseIamManaged } } : {}),
    created_at: a.createdAt,
    created_by: a.createdBy,
    updated_at: a.updatedAt,
    updated_by: a.updatedBy,
  };
}

export function groupWire(g: AccountGroup) {
  return {
    url: `${BASE}/account-groups/${g.id}`,
    id: g.id,
    crn: g.crn,
    parent: g.parent,
    enterprise_account_id: g.enterpriseAccountId,
    enterprise_id: g.enterpriseId,
    enterprise_path: g.path,
    name: g.name,
    state: g.state,
    primary_contact_iam_id: g.primaryContactIamId,
    primary_contact_email: g.primaryContactEmail ?? '',
    created_at: g.createdAt,
    created_by: g.createdBy,
    updated_at: g.updatedAt,
    updated_by: g.updatedBy,
  };
}

/**
 * An Enterprise Management listing page (conventions.md §3): `limit` + `next_docid`; the page carries
 * `rows_count`, `next_url` (path and query of the next page, null on the last) and `resources`.
 * The SDK's pager reads `next_docid` back out of `next_url`.
 */
export function docPage<T, W>(path: string, query: object, page: { items: T[]; next?: string }, wire: (item: T) => W) {
  const next = page.next === undefined ? null : listingUrl(path, query, { next_docid: page.next });
  return { rows_count: page.items.length, next_url: next, resources: page.items.map(wire) };
}
