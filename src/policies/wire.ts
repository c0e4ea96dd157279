import type { Role } from '../catalog/index.js';
import { DomainError } from '../kernel/errors.js';
import type { ConflictWith } from './errors.js';
import type { CustomRoleRecord, PolicyListQuery, PolicyRecord, Syntax } from './types.js';
import { renderV1 } from './v1.js';
import { renderV2 } from './v2.js';

/**
 * Records → IBM's policy-management JSON. Services answer records and what rendering them needs
 * (role names, the format asked for); the routes render them here with the site's URL, which every
 * `href` starts with.
 */

/** How a policy is to be shown, as its service decides: role names and the format asked for. */
export interface PolicyLooks {
  roles: RoleBook;
  /** `format=display`: v2 roles carry their actions. */
  display?: boolean;
  /** `format=include_last_permit`: usage (`last_permit_at`, `last_permit_frequency`) is shown. */
  lastPermit?: boolean;
}

/** What a syntax's renderer needs: the looks, and the absolute URL of a policy. */
export interface RenderContext extends PolicyLooks {
  href(version: Syntax, id: string): string;
}

export interface RoleAction {
  id: string;
  display_name: string;
  description: string;
}

/** Role names and action lists, system and custom, as one lookup (built per request). */
export interface RoleBook {
  describe(crn: string): { displayName: string; description?: string } | undefined;
  /** The actions `crn` grants on the services the policy targets. */
  actionsOn(crn: string, policy: PolicyRecord): RoleAction[];
}

/** A policy as the service answers it: the record, the syntax of the request, and how to show it. */
export interface PolicyView {
  policy: PolicyRecord;
  syntax: Syntax;
  looks: PolicyLooks;
}

/** One page of a policy listing: the records, the query that asked (for the links), the next `start`. */
export interface PolicyPage {
  syntax: Syntax;
  query: PolicyListQuery;
  limit: number;
  policies: PolicyRecord[];
  next?: string;
  looks: PolicyLooks;
}

const contextOf = (baseUrl: string, looks: PolicyLooks): RenderContext => ({
  ...looks,
  href: (version, id) => `${baseUrl}/${version}/policies/${id}`,
});

function render(p: PolicyRecord, syntax: Syntax, ctx: RenderContext): Record<string, unknown> {
  const body: Record<string, unknown> = syntax === 'v1' ? renderV1(p, ctx) : renderV2(p, ctx);
  if (!ctx.lastPermit || p.lastPermit === undefined) return body;
  return { ...body, last_permit_at: p.lastPermit.at, last_permit_frequency: p.lastPermit.frequency };
}

/** A policy in the syntax it was asked for (`Policy` / `V2PolicyTemplateMetaData`). */
export const renderPolicy = (baseUrl: string, view: PolicyView) => render(view.policy, view.syntax, contextOf(baseUrl, view.looks));

const QUERY_NAMES: Record<keyof PolicyListQuery, string> = {
  accountId: 'account_id',
  iamId: 'iam_id',
  accessGroupId: 'access_group_id',
  type: 'type',
  serviceType: 'service_type',
  serviceName: 'service_name',
  serviceGroupId: 'service_group_id',
  tagName: 'tag_name',
  tagValue: 'tag_value',
  sort: 'sort',
  format: 'format',
  state: 'state',
  limit: 'limit',
  start: 'start',
};

/** The URL of the same listing (every query parameter kept), at `start`. */
function listHref(baseUrl: string, page: PolicyPage, start: string | undefined): string {
  const query: PolicyListQuery = { ...page.query, limit: page.limit, start };
  const params = new URLSearchParams();
  for (const [key, name] of Object.entries(QUERY_NAMES) as [keyof PolicyListQuery, string][]) {
    const value = query[key];
    if (value !== undefined) params.set(name, String(value));
  }
  return `${baseUrl}/${page.syntax}/policies?${params.toString()}`;
}

/** A listing page (`PolicyCollection` / `V2PolicyCollection`): `first`, and `next` while more remain. */
export function renderPolicyPage(baseUrl: string, page: PolicyPage) {
  const ctx = contextOf(baseUrl, page.looks);
  return {
    limit: page.limit,
    first: { href: listHref(baseUrl, page, undefined) },
    ...(page.next !== undefined ? { next: { href: listHref(baseUrl, page, page.next), start: page.next } } : {}),
    policies: page.policies.map((p) => render(p, page.syntax, ctx)),
  };
}

/** A custom role (`CustomRole`). */
export const renderCustomRole = (baseUrl: string, r: CustomRoleRecord) => ({
  id: r.id,
  name: r.name,
  display_name: r.displayName,
  ...(r.description !== undefined ? { description: r.description } : {}),
  actions: r.actions,
  crn: r.crn,
  account_id: r.accountId,
  service_name: r.serviceName,
  created_at: r.createdAt,
  created_by_id: r.createdById,
  last_modified_at: r.lastModifiedAt,
  last_modified_by_id: r.lastModifiedById,
  href: `${baseUrl}/v2/roles/${r.id}`,
});

/** A system or service role with the actions it grants on the services listed (`Role`). */
export interface SystemRoleView {
  role: Role;
  actions: string[];
}

export const renderSystemRole = ({ role, actions }: SystemRoleView) => ({
  display_name: role.displayName,
  description: role.description,
  actions,
  crn: role.crn,
});

/** `GET /v2/roles` (`RoleCollection`). */
export const renderRoles = (baseUrl: string, roles: { custom: CustomRoleRecord[]; service: SystemRoleView[]; system: SystemRoleView[] }) => ({
  custom_roles: roles.custom.map((r) => renderCustomRole(baseUrl, r)),
  service_roles: roles.service.map(renderSystemRole),
  system_roles: roles.system.map(renderSystemRole),
});

/** A conflict with its `details.conflicts_with` rendered: the existing policy or role, as a read would show it. */
export function renderConflict(baseUrl: string, error: ConflictWith): DomainError {
  const existing = error.existing;
  const conflictsWith =
    existing.kind === 'policy'
      ? { etag: existing.view.policy.entityTag, policy: renderPolicy(baseUrl, existing.view) }
      : { etag: existing.role.entityTag, role: renderCustomRole(baseUrl, existing.role) };
  return new DomainError(error.kind, error.code, error.message, { data: { conflicts_with: conflictsWith } });
}
