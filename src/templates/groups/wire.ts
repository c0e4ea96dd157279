import { pageLinks } from '../../access-groups/paging.js';
import { secondsTimestamp } from '../../kernel/time.js';
import type { Assignment, Slice, TemplateVersion } from '../managed/types.js';
import type { GroupTemplateBody } from './types.js';

/** IBM's wire shapes of access-group templates and assignments (versions are strings there). */

export function templateWire(t: TemplateVersion<GroupTemplateBody>, siteUrl: string) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    account_id: t.accountId,
    version: String(t.version),
    committed: t.committed,
    group: t.body.group,
    policy_template_references: t.body.policy_template_references,
    href: `${siteUrl}/v1/group_templates/${encodeURIComponent(t.id)}/versions/${t.version}`,
    created_at: secondsTimestamp(t.createdAt),
    created_by_id: t.createdById,
    last_modified_at: secondsTimestamp(t.lastModifiedAt),
    last_modified_by_id: t.lastModifiedById,
  };
}

export function assignmentWire(a: Assignment, siteUrl: string, verbose: boolean) {
  return {
    id: a.id,
    account_id: a.accountId,
    template_id: a.templateId,
    template_version: String(a.templateVersion),
    target_type: a.targetType,
    target: a.target,
    operation: a.operation,
    status: a.status,
    href: `${siteUrl}/v1/group_assignments/${encodeURIComponent(a.id)}`,
    created_at: secondsTimestamp(a.createdAt),
    created_by_id: a.createdById,
    last_modified_at: secondsTimestamp(a.lastModifiedAt),
    last_modified_by_id: a.lastModifiedById,
    ...(verbose ? { resources: a.resources.map((r) => r.detail) } : {}),
  };
}

export function pageWire<T>(page: Slice<T>, key: string, item: (t: T) => unknown, hrefAt: (offset: number) => string) {
  return { limit: page.limit, offset: page.offset, total_count: page.totalCount, ...pageLinks(page, hrefAt), [key]: page.items.map(item) };
}
