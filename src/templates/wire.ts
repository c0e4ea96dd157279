import type { AssignmentView } from './assignments.js';
import type { AssignmentResource, AssignmentStatus, TemplateVersion } from './types.js';

/**
 * Templates and assignments of the policy-management APIs as IBM's JSON (the SDK's PolicyTemplate,
 * ActionControlTemplate, RoleTemplate, PolicyAssignmentV1, ActionControlAssignment, RoleAssignment).
 * The three APIs differ in paths, the content field and the assignment statuses only.
 */
export interface PolicyApi {
  /** `policy_templates`, `action_control_templates`, `role_templates`. */
  templates: string;
  /** `policy_assignments`, … */
  assignments: string;
  /** The content field of a template and the resource field of an assignment: `policy`, `action_control`, `role`. */
  field: 'policy' | 'action_control' | 'role';
  /** The API's words for the core's assignment statuses. */
  status(status: AssignmentStatus): string;
}

export const POLICY_API: PolicyApi = { templates: 'policy_templates', assignments: 'policy_assignments', field: 'policy', status: (s) => s };
/** Action-control and role assignments say `accepted` for a done assignment and `failure` for a failed one. */
const acceptedOrFailure = (s: AssignmentStatus) => (s === 'succeeded' ? 'accepted' : s === 'failed' ? 'failure' : s);
export const ACTION_CONTROL_API: PolicyApi = { templates: 'action_control_templates', assignments: 'action_control_assignments', field: 'action_control', status: acceptedOrFailure };
export const ROLE_API: PolicyApi = { templates: 'role_templates', assignments: 'role_assignments', field: 'role', status: acceptedOrFailure };

/** A template version; the content is the kind's body (`{policy}` is the body itself, the others hold their field). */
export function renderTemplate(api: PolicyApi, v: TemplateVersion, baseUrl: string) {
  const content = api.field === 'policy' ? v.body : (v.body as Record<string, unknown>)[api.field];
  return {
    id: v.id,
    name: v.name,
    ...(v.description !== undefined ? { description: v.description } : {}),
    account_id: v.accountId,
    version: String(v.version),
    committed: v.committed,
    state: v.state,
    ...(content !== undefined ? { [api.field]: content } : {}),
    href: `${baseUrl}/v1/${api.templates}/${v.id}/versions/${v.version}`,
    created_at: v.createdAt,
    created_by_id: v.createdById,
    last_modified_at: v.lastModifiedAt,
    last_modified_by_id: v.lastModifiedById,
  };
}

/** Why a resource did not apply, in the API's AssignmentResourceError shape (`name`: the kind of failure). */
function errorMessage(r: AssignmentResource) {
  if (!r.error) return undefined;
  return { name: r.error.kind, errorCode: r.error.code, message: r.error.message, code: r.error.code, errors: [{ code: r.error.code, message: r.error.message }] };
}

export function renderAssignment(api: PolicyApi, view: AssignmentView, baseUrl: string) {
  const a = view.assignment;
  return {
    id: a.id,
    account_id: a.accountId,
    href: `${baseUrl}/v1/${api.assignments}/${a.id}`,
    created_at: a.createdAt,
    created_by_id: a.createdById,
    last_modified_at: a.lastModifiedAt,
    last_modified_by_id: a.lastModifiedById,
    operation: a.operation,
    target: { type: a.targetType, id: a.target },
    template: { id: a.templateId, version: String(a.templateVersion) },
    status: api.status(a.status),
    resources: view.resources.map((r) => {
      const error = errorMessage(r);
      return {
        target: { type: 'Account', id: r.accountId },
        [api.field]: {
          ...(r.resourceId !== undefined ? { resource_created: { id: r.resourceId } } : {}),
          status: r.drifted ? 'drifted' : r.status,
          ...(error ? { error_message: error } : {}),
        },
      };
    }),
  };
}
