import type { paths } from '../../api/schema';

export type User = paths['/v2/accounts/{account_id}/users']['get']['responses'][200]['content']['application/json']['resources'][number];
export type Group = paths['/v2/groups']['get']['responses'][200]['content']['application/json']['groups'][number];

/** States an administrator may set (PENDING is the server's own until the invitation is accepted). */
export const SETTABLE_STATES = [
  { id: 'ACTIVE', label: 'Active' },
  { id: 'VPN_ONLY', label: 'VPN only' },
  { id: 'DISABLED_CLASSIC_INFRASTRUCTURE', label: 'Disabled (classic infrastructure)' },
] as const;

export const stateLabel = (state: string) => SETTABLE_STATES.find((s) => s.id === state)?.label ?? (state === 'PENDING' ? 'Invited' : state);
