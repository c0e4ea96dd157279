import { accountScope, formatCrn } from '../kernel/crn.js';
import { secondsTimestamp } from '../kernel/time.js';
import { pageLinks } from './paging.js';
import type { GroupResult, MemberResult } from './members.js';
import { SERVICE_NAME, type AccessGroup, type ItemResult, type Member, type OffsetPage, type Rule, type Settings } from './types.js';

/** IBM's wire shapes of the access-groups models (SDK iam-access-groups/v2 interfaces). */

export interface GroupShape {
  showFederated?: boolean;
  showCrn?: boolean;
}

export const groupCrn = (accountId: string, groupId: string) =>
  formatCrn({ serviceName: SERVICE_NAME, scope: accountScope(accountId), resourceType: 'group', resource: groupId });

export function groupWire(group: AccessGroup, siteUrl: string, shape: GroupShape = {}) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    account_id: group.accountId,
    created_at: secondsTimestamp(group.createdAt),
    created_by_id: group.createdById,
    last_modified_at: secondsTimestamp(group.lastModifiedAt),
    last_modified_by_id: group.lastModifiedById,
    href: `${siteUrl}/v2/groups/${encodeURIComponent(group.id)}`,
    ...(shape.showFederated ? { is_federated: group.isFederated } : {}),
    ...(shape.showCrn ? { crn: groupCrn(group.accountId, group.id) } : {}),
  };
}

export function memberWire(member: Member, groupId: string, siteUrl: string) {
  return {
    iam_id: member.iamId,
    type: member.type,
    membership_type: member.membershipType,
    ...(member.name !== undefined ? { name: member.name } : {}),
    ...(member.email !== undefined ? { email: member.email } : {}),
    ...(member.description !== undefined ? { description: member.description } : {}),
    href: `${siteUrl}/v2/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(member.iamId)}`,
    created_at: secondsTimestamp(member.createdAt),
    created_by_id: member.createdById,
    ...(member.expiresAt !== undefined ? { expires_at: secondsTimestamp(member.expiresAt) } : {}),
  };
}

export function ruleWire(rule: Rule) {
  return {
    id: rule.id,
    name: rule.name,
    expiration: rule.expiration,
    realm_name: rule.realmName,
    access_group_id: rule.groupId,
    account_id: rule.accountId,
    conditions: rule.conditions.map((c) => ({ claim: c.claim, operator: c.operator, value: c.value })),
    created_at: secondsTimestamp(rule.createdAt),
    created_by_id: rule.createdById,
    last_modified_at: secondsTimestamp(rule.lastModifiedAt),
    last_modified_by_id: rule.lastModifiedById,
  };
}

export function settingsWire(settings: Settings) {
  return {
    account_id: settings.accountId,
    ...(settings.lastModifiedAt !== undefined ? { last_modified_at: secondsTimestamp(settings.lastModifiedAt) } : {}),
    ...(settings.lastModifiedById !== undefined ? { last_modified_by_id: settings.lastModifiedById } : {}),
    public_access_enabled: settings.publicAccessEnabled,
  };
}

/** A list page: `{limit, offset, total_count, first, previous?, next?, last, <key>: items}`. */
export function pageWire<T>(page: OffsetPage<T>, key: string, item: (t: T) => unknown, hrefAt: (offset: number) => string) {
  return {
    limit: page.limit,
    offset: page.offset,
    total_count: page.totalCount,
    ...pageLinks(page, hrefAt),
    [key]: page.items.map(item),
  };
}

/** The status part of one item of a 207 response; failures carry the request's trace. */
const statusWire = (result: ItemResult, trace: string) => ({
  status_code: result.status,
  ...(result.error ? { trace, errors: [result.error] } : {}),
});

export const addedMemberWire = (r: MemberResult, trace: string) => ({
  iam_id: r.iamId,
  ...(r.type !== undefined ? { type: r.type } : {}),
  ...(r.createdAt !== undefined ? { created_at: secondsTimestamp(r.createdAt) } : {}),
  ...(r.createdById !== undefined ? { created_by_id: r.createdById } : {}),
  ...statusWire(r, trace),
});

export const removedMemberWire = (r: MemberResult, trace: string) => ({ iam_id: r.iamId, ...statusWire(r, trace) });

export const groupResultWire = (r: GroupResult, trace: string) => ({ access_group_id: r.groupId, ...statusWire(r, trace) });
