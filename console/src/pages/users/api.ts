import type { Sort } from '../../ui/DataList.tsx';
import type { paths } from '../../api/schema';

export type User = paths['/v2/accounts/{account_id}/users']['get']['responses'][200]['content']['application/json']['resources'][number];
export type UserProfile = paths['/v2/accounts/{account_id}/users/{iam_id}']['get']['responses'][200]['content']['application/json'];
export type Group = paths['/v2/groups']['get']['responses'][200]['content']['application/json']['groups'][number];

/** States an administrator may set (PENDING is the server's own until the invitation is accepted). */
export const SETTABLE_STATES = [
  { id: 'ACTIVE', label: 'Active' },
  { id: 'VPN_ONLY', label: 'VPN only' },
  { id: 'DISABLED_CLASSIC_INFRASTRUCTURE', label: 'Disabled (classic infrastructure)' },
] as const;

export const stateLabel = (state: string) => SETTABLE_STATES.find((s) => s.id === state)?.label ?? (state === 'PENDING' ? 'Invited' : state);

export const nameOf = (u: { firstname: string; lastname: string; user_id: string }) => `${u.firstname} ${u.lastname}`.trim() || u.user_id;
export const STATE_TAGS: Record<string, 'green' | 'blue' | 'gray' | 'purple'> = { ACTIVE: 'green', PENDING: 'blue', VPN_ONLY: 'purple' };

/** What removing a user does (the list's and the detail page's confirmation). */
export const REMOVE_CONSEQUENCE = 'The user leaves the account: their access groups, policies and API keys in it go with them.';

type UserSort = NonNullable<NonNullable<paths['/v2/accounts/{account_id}/users']['get']['parameters']['query']>['sort']>;

/** The list's sort as the users API takes it (our extension of IBM's API): the Name column sorts by first name. */
const SORT_FIELDS: Record<string, UserSort> = { name: 'firstname', email: 'email', state: 'state', added_on: 'added_on' };
export const sortOf = (sort: Sort): UserSort | undefined => {
  const field = SORT_FIELDS[sort.key];
  return field && sort.direction === 'DESC' ? (`-${field}` as UserSort) : field;
};
