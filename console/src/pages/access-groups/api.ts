import type { paths } from '../../api/schema';

export type Group = paths['/v2/groups']['get']['responses'][200]['content']['application/json']['groups'][number];
export type Member = paths['/v2/groups/{access_group_id}/members']['get']['responses'][200]['content']['application/json']['members'][number];
export type Rule = paths['/v2/groups/{access_group_id}/rules']['get']['responses'][200]['content']['application/json']['rules'][number];
export type Policy = paths['/v1/policies']['get']['responses'][200]['content']['application/json']['policies'][number];

/** The kinds of member an access group has, as the API names them. */
export const MEMBER_KINDS = [
  { type: 'user', label: 'User' },
  { type: 'service', label: 'Service ID' },
  { type: 'profile', label: 'Trusted profile' },
] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number]['type'];
