import { identityCrn } from '../../identity/context.js';
import { statusOf } from '../../http/errors.js';
import { identityTimestamp } from '../../kernel/time.js';
import { INTERRUPTED_KEY } from '../errors.js';
import type { Assignment, AssignmentResource, TemplateVersion } from '../types.js';

/**
 * IBM's wire shapes of the IAM Identity templates (trusted-profile and account-settings) and their
 * assignments: versions are numbers, entities carry `entity_tag`, and an assignment's `resources`
 * hold per child account the kind's main resource and its policy template references.
 */

/** What differs between the identity template kinds on the wire. */
export interface IdentityWireSpec<B> {
  /** URL segments: `account_settings_templates`, `account_settings_assignments`. */
  templates: string;
  assignments: string;
  /** CRN resource type of a template. */
  crnType: string;
  /** The kind's content fields of a template response. */
  content(body: B): Record<string, unknown>;
  /** The main resource's key in the kind (AssignmentResource.key) and its field in `resources` entries. */
  resourceKey: string;
}

export function templateWire<B>(spec: IdentityWireSpec<B>, t: TemplateVersion<B>) {
  return {
    id: t.id,
    version: t.version,
    account_id: t.accountId,
    name: t.name,
    description: t.description ?? '',
    committed: t.committed,
    ...spec.content(t.body),
    entity_tag: t.entityTag,
    crn: identityCrn(t.accountId, spec.crnType, t.id),
    created_at: identityTimestamp(t.createdAt),
    created_by_id: t.createdById,
    last_modified_at: identityTimestamp(t.lastModifiedAt),
    last_modified_by_id: t.lastModifiedById,
  };
}

/** One resource's result (TemplateAssignmentResponseResourceDetail); `id` is the template (or referenced policy template) it came from. */
function detail(r: AssignmentResource, id: string) {
  return {
    id,
    version: String(r.version),
    ...(r.resourceId !== undefined ? { resource_created: { id: r.resourceId } } : {}),
    ...(r.error ? { error_message: { name: r.error.kind, errorCode: r.error.code, message: r.error.message, statusCode: String(statusOf[r.error.kind]) } } : {}),
    status: r.drifted ? 'drifted' : r.status,
  };
}

const POLICY_PREFIX = 'policy_template:';

function resourcesWire<B>(spec: IdentityWireSpec<B>, a: Assignment, resources: AssignmentResource[]) {
  const accounts = [...new Set(resources.map((r) => r.accountId))];
  return accounts.map((target) => {
    const mine = resources.filter((r) => r.accountId === target);
    const own = mine.find((r) => r.key === spec.resourceKey);
    // A run interrupted in the account is the main resource's entry, on its row when there is one.
    const whole = mine.find((r) => r.key === INTERRUPTED_KEY);
    const main = whole && own ? { ...own, status: whole.status, error: whole.error!, drifted: false } : (own ?? mine.find((r) => r.status === 'failed' && !r.key.startsWith(POLICY_PREFIX)));
    const refs = mine.filter((r) => r.key.startsWith(POLICY_PREFIX));
    return {
      target,
      ...(main ? { [spec.resourceKey]: detail(main, a.templateId) } : {}),
      ...(refs.length > 0 ? { policy_template_references: refs.map((r) => detail(r, r.key.slice(POLICY_PREFIX.length))) } : {}),
    };
  });
}

export function assignmentWire<B>(spec: IdentityWireSpec<B>, siteUrl: string, a: Assignment, resources?: AssignmentResource[]) {
  return {
    id: a.id,
    account_id: a.accountId,
    template_id: a.templateId,
    template_version: a.templateVersion,
    target_type: a.targetType,
    target: a.target,
    status: a.status,
    ...(resources ? { resources: resourcesWire(spec, a, resources) } : {}),
    href: `${siteUrl}/v1/${spec.assignments}/${encodeURIComponent(a.id)}`,
    created_at: identityTimestamp(a.createdAt),
    created_by_id: a.createdById,
    last_modified_at: identityTimestamp(a.lastModifiedAt),
    last_modified_by_id: a.lastModifiedById,
    entity_tag: a.entityTag,
  };
}
