import { pageLinks } from '../../access-groups/paging.js';
import { secondsTimestamp } from '../../kernel/time.js';
import type { AssignmentView } from '../assignments.js';
import { INTERRUPTED_KEY } from '../errors.js';
import type { Assignment, AssignmentResource, TemplateVersion } from '../types.js';
import type { GroupTemplateBody } from './types.js';

/** IBM's wire shapes of access-group templates and assignments (versions are strings there). */

export function templateWire(t: TemplateVersion<GroupTemplateBody>, siteUrl: string) {
  return {
    id: t.id,
    name: t.name,
    description: t.description ?? '',
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

/** IBM's operation names: an assignment's first run is `assign`. */
const OPERATION = { create: 'assign', update: 'update', remove: 'remove' } as const;

function entry(r: AssignmentResource, operation: string) {
  return {
    id: r.resourceId ?? r.key,
    version: String(r.version),
    resource: r.resourceId ?? '',
    error: r.error ? `${r.error.code}: ${r.error.message}` : '',
    operation,
    status: r.drifted ? 'drifted' : r.status,
  };
}

/** The per-account results (ResourceListWithTargetAccountID): the group, its members and rules, its policy template references. */
function resourcesWire(a: Assignment, resources: AssignmentResource[]) {
  const operation = OPERATION[a.operation];
  const accounts = [...new Set(resources.map((r) => r.accountId))];
  return accounts.map((target) => {
    const mine = resources.filter((r) => r.accountId === target);
    const groupRow = mine.find((r) => r.key === 'group');
    // A run interrupted in the account is the group's entry, on the group's row when there is one.
    const whole = mine.find((r) => r.key === INTERRUPTED_KEY);
    const failedFirst = mine.find((r) => r.status === 'failed' && !r.key.includes(':'));
    const shown = whole && groupRow ? { ...groupRow, status: whole.status, error: whole.error!, drifted: false } : (groupRow ?? failedFirst);
    const groupEntry = shown ? entry(shown, operation) : undefined;
    return {
      target,
      group: {
        group: groupEntry ?? { id: '', resource: '', error: '', operation, status: 'failed' },
        members: mine.filter((r) => r.key.startsWith('member:')).map((r) => ({ ...entry(r, operation), name: r.key.slice('member:'.length) })),
        rules: mine.filter((r) => r.key.startsWith('rule:')).map((r) => entry(r, operation)),
      },
      policy_template_references: mine.filter((r) => r.key.startsWith('policy_template:')).map((r) => ({ ...entry(r, operation), name: r.key.slice('policy_template:'.length) })),
    };
  });
}

export function assignmentWire(a: Assignment, siteUrl: string, resources?: AssignmentResource[]) {
  return {
    id: a.id,
    account_id: a.accountId,
    template_id: a.templateId,
    template_version: String(a.templateVersion),
    target_type: a.targetType,
    target: a.target,
    operation: OPERATION[a.operation],
    status: a.status,
    href: `${siteUrl}/v1/group_assignments/${encodeURIComponent(a.id)}`,
    created_at: secondsTimestamp(a.createdAt),
    created_by_id: a.createdById,
    last_modified_at: secondsTimestamp(a.lastModifiedAt),
    last_modified_by_id: a.lastModifiedById,
    ...(resources ? { resources: resourcesWire(a, resources) } : {}),
  };
}

export const assignmentViewWire = (view: AssignmentView, siteUrl: string) => assignmentWire(view.assignment, siteUrl, view.resources);

/** An offset page of the access-groups API over a complete, ordered list. */
export function offsetPageWire<T>(all: T[], limit: number, offset: number, key: string, item: (t: T) => unknown, hrefAt: (offset: number) => string) {
  const page = { limit, offset, totalCount: all.length };
  return { limit, offset, total_count: all.length, ...pageLinks(page, hrefAt), [key]: all.slice(offset, offset + limit).map(item) };
}
