import type { PickerSource } from '../ui/SearchPicker.tsx';
import { accountId, api, cursorOf, data, nextOffset } from './client.ts';
import { noun, type Noun } from '../ui/counted.ts';

/**
 * The identities and groups of the account as picker sources (SearchPicker): each kind paged
 * through its list API, and looked up by the API's own filter for what the user types. Used
 * wherever access or membership is given (assign access, access group members).
 */

export type IdentityKind = 'user' | 'serviceid' | 'profile' | 'group';

export interface IdentityChoice {
  kind: IdentityKind;
  /** The IAM id (users, service IDs, profiles) or the access group's id. */
  id: string;
  label: string;
}

/** What each kind is called, plural, in a sentence. */
export const IDENTITY_NOUNS: Record<IdentityKind, Noun> = { user: noun('user'), serviceid: noun('service ID'), profile: noun('trusted profile'), group: noun('access group') };

const PAGE = 100;

type UserPage = Awaited<ReturnType<typeof userPage>>;
const userPage = (query: { _start?: string; search?: string }) =>
  data(api.GET('/v2/accounts/{account_id}/users', { params: { path: { account_id: accountId() }, query: { limit: PAGE, ...query } } }));
const usersOf = (page: UserPage): IdentityChoice[] =>
  page.resources.map((u) => ({ kind: 'user', id: u.iam_id, label: `${`${u.firstname ?? ''} ${u.lastname ?? ''}`.trim() || u.user_id} (${u.email ?? u.user_id})` }));

/** The user search compares whole values of one field; a term with its separators cannot be asked. */
async function findUsers(text: string): Promise<IdentityChoice[]> {
  if (/[,:]/.test(text)) return [];
  const fields = text.includes('@') ? ['email'] : ['firstname', 'lastname'];
  const pages = await Promise.all(fields.map((field) => userPage({ search: `${field}:${text}` })));
  return pages.flatMap(usersOf);
}

const serviceIdPage = (query: { pagetoken?: string; name?: string }) => data(api.GET('/v1/serviceids', { params: { query: { account_id: accountId(), pagesize: PAGE, ...query } } }));
const serviceIdsOf = (page: Awaited<ReturnType<typeof serviceIdPage>>): IdentityChoice[] => page.serviceids.map((s) => ({ kind: 'serviceid', id: s.iam_id, label: s.name }));

const profilePage = (query: { pagetoken?: string; name?: string }) => data(api.GET('/v1/profiles', { params: { query: { account_id: accountId(), pagesize: PAGE, ...query } } }));
const profilesOf = (page: Awaited<ReturnType<typeof profilePage>>): IdentityChoice[] => (page.profiles ?? []).map((p) => ({ kind: 'profile', id: p.iam_id, label: p.name }));

const groupPage = (query: { offset?: number; search?: string; hide_public_access?: boolean }) =>
  data(api.GET('/v2/groups', { params: { query: { account_id: accountId(), limit: PAGE, ...query } } }));
const groupsOf = (page: Awaited<ReturnType<typeof groupPage>>): IdentityChoice[] => (page.groups ?? []).map((g) => ({ kind: 'group', id: g.id ?? '', label: g.name ?? g.id ?? '' }));

export const IDENTITY_SOURCES: Record<IdentityKind, PickerSource<IdentityChoice>> = {
  user: {
    browse: async (cursor) => {
      const page = await userPage(cursor ? { _start: cursor } : {});
      return { items: usersOf(page), next: cursorOf(page.next_url, '_start') };
    },
    find: findUsers,
  },
  serviceid: {
    browse: async (cursor) => {
      const page = await serviceIdPage(cursor ? { pagetoken: cursor } : {});
      return { items: serviceIdsOf(page), next: cursorOf(page.next) };
    },
    find: async (name) => serviceIdsOf(await serviceIdPage({ name })),
  },
  profile: {
    browse: async (cursor) => {
      const page = await profilePage(cursor ? { pagetoken: cursor } : {});
      return { items: profilesOf(page), next: cursorOf(page.next) };
    },
    find: async (name) => profilesOf(await profilePage({ name })),
  },
  group: {
    browse: async (cursor) => {
      const page = await groupPage({ offset: Number(cursor ?? 0) });
      return { items: groupsOf(page), next: nextOffset(page) };
    },
    find: async (search) => groupsOf(await groupPage({ search })),
  },
};

/** The access groups that can take members: all but Public Access (which holds every identity already). */
export const MEMBER_GROUP_SOURCE: PickerSource<IdentityChoice> = {
  browse: async (cursor) => {
    const page = await groupPage({ offset: Number(cursor ?? 0), hide_public_access: true });
    return { items: groupsOf(page), next: nextOffset(page) };
  },
  find: async (search) => groupsOf(await groupPage({ search, hide_public_access: true })),
};
