import { statusOfOutcome } from '../http/outcome.js';
import { accountScope, formatCrn } from '../kernel/crn.js';
import type { Outcome } from '../kernel/outcome.js';
import { secondsTimestamp } from '../kernel/time.js';
import { pageLinks } from './paging.js';
import type { AddedMember, GroupResult, MemberResult } from './members.js';
import { SERVICE_NAME, type AccessGroup, type Member, type OffsetPage, type Rule, type Settings } from './types.js';

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

/**
 * The status part of one item of a 207 response: `success` (the route's choice) for a done item,
 * the failure's own status otherwise; failures carry the request's trace.
 */
const statusWire = (outcome: Outcome<unknown>, success: number, trace: string) => ({
  status_code: statusOfOutcome(outcome, success),
  ...(outcome.ok ? {} : { trace, errors: [{ code: outcome.error.code, message: outcome.error.message }] }),
});

export const addedMemberWire = (r: MemberResult<AddedMember>, success: number, trace: string) => ({
  iam_id: r.iamId,
  ...(r.outcome.ok
    ? { type: r.outcome.value.type, created_at: secondsTimestamp(r.outcome.value.createdAt), created_by_id: r.outcome.value.createdById }
    : r.type !== undefined
      ? { type: r.type }
      : {}),
  ...statusWire(r.outcome, success, trace),
});

export const removedMemberWire = (r: MemberResult, success: number, trace: string) => ({
  iam_id: r.iamId,
  ...statusWire(r.outcome, success, trace),
});

export const groupResultWire = (r: GroupResult, success: number, trace: string) => ({
  access_group_id: r.groupId,
  ...statusWire(r.outcome, success, trace),
});
