import type IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import type IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import type UserManagementV1 from '@ibm-cloud/platform-services/user-management/v1.js';
import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import type { Api } from '../client/api.js';
import { CliError } from '../client/errors.js';

/**
 * Name-or-id lookups, as `ibmcloud iam` takes `(NAME|UUID)` arguments: an argument shaped like an
 * id of its kind is used as one, anything else is looked up by name in the current account, and
 * a name that matches several is refused with their ids.
 */
const PAGE_SIZE = 100;

/** Every page of an identity list (`next` carries the page token). */
export async function allPages<T>(page: (pagetoken?: string) => Promise<{ items: T[]; next?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (;;) {
    const answer = await page(token);
    items.push(...answer.items);
    token = answer.next ? (new URL(answer.next, 'http://x').searchParams.get('pagetoken') ?? undefined) : undefined;
    if (!token || answer.items.length === 0) return items;
  }
}

function one<T extends { id?: string | undefined }>(found: T[], kind: string, name: string): T {
  if (found.length === 0) throw new CliError(`${kind[0]!.toUpperCase()}${kind.slice(1)} '${name}' was not found.`);
  if (found.length > 1) throw new CliError(`Several ${kind}s are named '${name}' (${found.map((f) => f.id).join(', ')}): use the ID.`);
  return found[0]!;
}

export async function serviceIds(api: Api, name?: string): Promise<IamIdentityV1.ServiceId[]> {
  return allPages(async (pagetoken) => {
    const { result } = await api.identity.listServiceIds({ accountId: api.accountId, pagesize: PAGE_SIZE, ...(name && { name }), ...(pagetoken && { pagetoken }) });
    return { items: result.serviceids, next: result.next };
  });
}

export async function serviceId(api: Api, nameOrId: string): Promise<IamIdentityV1.ServiceId> {
  if (nameOrId.startsWith('ServiceId-')) return (await api.identity.getServiceId({ id: nameOrId })).result;
  if (nameOrId.startsWith('iam-ServiceId-')) return (await api.identity.getServiceId({ id: nameOrId.slice('iam-'.length) })).result;
  return one((await serviceIds(api, nameOrId)).filter((s) => s.name === nameOrId), 'service ID', nameOrId);
}

export async function apiKeysOf(api: Api, iamId: string): Promise<IamIdentityV1.ApiKey[]> {
  return allPages(async (pagetoken) => {
    const { result } = await api.identity.listApiKeys({ accountId: api.accountId, iamId, pagesize: PAGE_SIZE, ...(pagetoken && { pagetoken }) });
    return { items: result.apikeys, next: result.next };
  });
}

export async function apiKeyOf(api: Api, iamId: string, nameOrId: string): Promise<IamIdentityV1.ApiKey> {
  if (nameOrId.startsWith('ApiKey-')) return (await api.identity.getApiKey({ id: nameOrId })).result;
  return one((await apiKeysOf(api, iamId)).filter((k) => k.name === nameOrId), 'API key', nameOrId);
}

export async function users(api: Api): Promise<UserManagementV1.UserProfile[]> {
  const out: UserManagementV1.UserProfile[] = [];
  let start: string | undefined;
  for (;;) {
    const { result } = await api.users.listUsers({ accountId: api.accountId, limit: 100, ...(start && { start }) });
    out.push(...(result.resources ?? []));
    start = result.next_url ? (new URL(result.next_url, 'http://x').searchParams.get('_start') ?? undefined) : undefined;
    if (!start || !result.resources?.length) return out;
  }
}

/** A user of the account by login (user ID / e-mail) or IAM ID. */
export async function user(api: Api, loginOrIamId: string): Promise<UserManagementV1.UserProfile> {
  const all = await users(api);
  const lower = loginOrIamId.toLowerCase();
  const found = all.filter((u) => u.iam_id === loginOrIamId || u.user_id?.toLowerCase() === lower || u.email?.toLowerCase() === lower);
  if (found.length === 0) throw new CliError(`User '${loginOrIamId}' was not found in account ${api.accountId}.`);
  return found[0]!;
}

export async function accessGroups(api: Api): Promise<IamAccessGroupsV2.Group[]> {
  const out: IamAccessGroupsV2.Group[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const { result } = await api.groups.listAccessGroups({ accountId: api.accountId, limit: PAGE_SIZE, offset });
    out.push(...(result.groups ?? []));
    if ((result.groups ?? []).length < PAGE_SIZE) return out;
  }
}

export async function accessGroup(api: Api, nameOrId: string): Promise<IamAccessGroupsV2.Group> {
  if (nameOrId.startsWith('AccessGroupId-')) return (await api.groups.getAccessGroup({ accessGroupId: nameOrId })).result;
  const lower = nameOrId.toLowerCase();
  return one((await accessGroups(api)).filter((g) => g.name?.toLowerCase() === lower), 'access group', nameOrId);
}

/** Every policy of a listing (the SDK's pager walks the pages). */
export function allPolicies(api: Api, params: Omit<IamPolicyManagementV1.ListPoliciesParams, 'accountId'>): Promise<IamPolicyManagementV1.Policy[]> {
  return new IamPolicyManagementV1.PoliciesPager(api.policies, { accountId: api.accountId, ...params }).getAll();
}
