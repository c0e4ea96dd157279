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

/** The sortable columns' values: the users API does not sort, so the console orders the page it shows. */
export const SORT_VALUES: Record<string, (u: User) => string> = {
  name: nameOf,
  email: (u) => u.email.toLowerCase(),
  state: (u) => stateLabel(u.state),
  added_on: (u) => u.added_on ?? '',
};
