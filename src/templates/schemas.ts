import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AnyValue, noContent, ok, type Operations } from '../http/openapi.js';
import { limitParam } from '../http/query.js';
import type { LimitRange } from '../kernel/cursor.js';
import { limits } from '../kernel/limits.js';
import type { PolicyApi } from './wire.js';

/**
 * Request and response shapes of the policy-management template APIs (policy, action-control
 * and role templates and their assignments; the SDK's iam-policy-management/v1 models). Requests
 * are checked for JSON types here; meaning is the kinds' to judge (kinds/*.ts).
 */

/** Page sizes of template and assignment listings. */
export const TEMPLATE_LIMITS: LimitRange = { min: 1, max: 100, default: 50 };

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const S = Type.String();
const id = Type.String({ minLength: 1, maxLength: limits.id });
const text = Type.String({ maxLength: limits.text });

// ── The kinds' content ──────────────────────────────────────────────────────────────────────────

const attribute = Type.Object({ key: Type.String({ maxLength: limits.id }), operator: Type.String({ maxLength: limits.id }), value: AnyValue });
const tag = Type.Object({ key: Type.String({ maxLength: limits.id }), operator: Type.String({ maxLength: limits.id }), value: Type.String({ maxLength: limits.id }) });

export const TemplatePolicySchema = Type.Object({
  type: Type.String({ maxLength: limits.id }),
  description: opt(Type.String({ maxLength: 300 })),
  resource: opt(Type.Object({ attributes: Type.Array(attribute, { maxItems: 20 }), tags: opt(Type.Array(tag, { maxItems: 20 })) })),
  subject: opt(Type.Object({ attributes: Type.Array(attribute, { minItems: 1, maxItems: 20 }) })),
  pattern: opt(Type.String({ maxLength: limits.id })),
  rule: opt(AnyValue),
  control: opt(
    Type.Object({
      grant: Type.Object({
        roles: opt(Type.Array(Type.Object({ role_id: Type.String({ maxLength: limits.id }) }), { maxItems: 20 })),
        role_template_references: opt(Type.Array(Type.Object({ id, version: Type.String({ maxLength: 20 }) }), { maxItems: 20 })),
      }),
    }),
  ),
});

export const TemplateActionControlSchema = Type.Object({
  service_name: Type.String({ maxLength: limits.id }),
  description: opt(text),
  actions: Type.Array(Type.String({ maxLength: limits.id }), { maxItems: 100 }),
});

export const TemplateRoleSchema = Type.Object({
  name: opt(Type.String({ maxLength: 30 })),
  display_name: opt(Type.String({ maxLength: 50 })),
  service_name: opt(Type.String({ maxLength: limits.id })),
  description: opt(text),
  actions: opt(Type.Array(Type.String({ maxLength: limits.id }), { maxItems: 100 })),
});

// ── Requests ────────────────────────────────────────────────────────────────────────────────────

/** The create body of a kind: name and account, plus its content field (`policy` required, the others optional). */
export const createBody = (field: string, content: TSchema, required: boolean) =>
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 300 }),
    account_id: id,
    description: opt(text),
    committed: opt(Type.Boolean()),
    [field]: required ? content : opt(content),
  });

/** The body of a new version or a replace: the content field, name and description optional. */
export const versionBody = (field: string, content: TSchema, required: boolean) =>
  Type.Object({
    name: opt(Type.String({ minLength: 1, maxLength: 300 })),
    description: opt(text),
    committed: opt(Type.Boolean()),
    [field]: required ? content : opt(content),
  });

export const TemplateParams = (param: string) => Type.Object({ [param]: id });
export const VersionParams = (param: string) => Type.Object({ [param]: id, version: Type.String({ minLength: 1, maxLength: 20 }) });
export const AssignmentParams = Type.Object({ assignment_id: id });

export const ListTemplatesQuery = Type.Object({
  account_id: id,
  name: opt(text),
  state: opt(Type.Union([Type.Literal('active'), Type.Literal('deleted')])),
  limit: opt(limitParam(TEMPLATE_LIMITS)),
  start: opt(Type.String({ maxLength: limits.opaque })),
});
export type ListTemplatesQuery = Static<typeof ListTemplatesQuery>;

export const ListVersionsQuery = Type.Object({
  state: opt(Type.Union([Type.Literal('active'), Type.Literal('deleted')])),
  limit: opt(limitParam(TEMPLATE_LIMITS)),
  start: opt(Type.String({ maxLength: limits.opaque })),
});

export const StateQuery = Type.Object({ state: opt(Type.Union([Type.Literal('active'), Type.Literal('deleted')])) });

/** The `version` query parameter of the v1 policy-assignment routes (`1.0`). */
const apiVersion = Type.String({ maxLength: 20 });

export const ListAssignmentsQuery = (withVersion: boolean) =>
  Type.Object({
    account_id: id,
    template_id: opt(id),
    template_version: opt(Type.String({ maxLength: 20 })),
    limit: opt(limitParam(TEMPLATE_LIMITS)),
    start: opt(Type.String({ maxLength: limits.opaque })),
    ...(withVersion ? { version: apiVersion } : {}),
  });
export interface ListAssignmentsQuery {
  account_id: string;
  template_id?: string;
  template_version?: string;
  limit?: number;
  start?: string;
}

export const VersionQuery = (withVersion: boolean) => Type.Object(withVersion ? { version: apiVersion } : {});

export const TargetSchema = Type.Object({ type: Type.Union([Type.Literal('Account'), Type.Literal('AccountGroup')]), id });

export const CreateAssignmentBody = Type.Object({
  target: TargetSchema,
  templates: Type.Array(Type.Object({ id, version: Type.String({ minLength: 1, maxLength: 20 }) }), { minItems: 1, maxItems: 10 }),
});
export type CreateAssignmentBody = Static<typeof CreateAssignmentBody>;

export const UpdateAssignmentBody = Type.Object({ template_version: Type.String({ minLength: 1, maxLength: 20 }) });

// ── Responses ───────────────────────────────────────────────────────────────────────────────────

const stamps = { href: opt(S), created_at: opt(S), created_by_id: opt(S), last_modified_at: opt(S), last_modified_by_id: opt(S) };
const page = { limit: opt(Type.Integer()), first: opt(Type.Object({ href: opt(S) })), next: opt(Type.Object({ href: opt(S), start: opt(S) })), previous: opt(Type.Object({ href: opt(S), start: opt(S) })) };

/** A template version as the API shows it, with its content under `field`. */
export const TemplateResponse = (title: string, field: string, content: TSchema) =>
  Type.Object(
    { id: S, name: S, description: opt(S), account_id: S, version: S, committed: Type.Boolean(), state: S, [field]: opt(content), ...stamps },
    { title },
  );

export const TemplateCollection = (title: string, key: string, item: TSchema) => Type.Object({ ...page, [key]: Type.Array(item) }, { title });

const resourceError = Type.Object({ name: opt(S), errorCode: opt(S), message: opt(S), code: opt(S), errors: opt(Type.Array(Type.Object({ code: S, message: S }))) });
/** One managed resource of an assignment in its target account: what was made (`resource_created`), or why not. */
const assignmentResource = (field: string) =>
  Type.Object({
    target: opt(Type.Object({ type: S, id: S })),
    [field]: opt(Type.Object({ resource_created: opt(Type.Object({ id: opt(S) })), status: opt(S), error_message: opt(resourceError) })),
  });

export const AssignmentResponse = (title: string, field: string) =>
  Type.Object(
    {
      id: S,
      account_id: S,
      ...stamps,
      operation: opt(S),
      target: Type.Object({ type: S, id: S }),
      template: Type.Object({ id: S, version: S }),
      status: S,
      resources: Type.Array(assignmentResource(field)),
    },
    { title },
  );

export const AssignmentsResponse = (title: string, item: TSchema) => Type.Object({ ...page, assignments: Type.Array(item) }, { title });

/** What names one template API's operations: its paths, nouns and content schema. */
export interface TemplateOperationsSpec {
  api: Pick<PolicyApi, 'templates' | 'assignments' | 'field'>;
  /** `PolicyTemplate`, `ActionControlTemplate`, `RoleTemplate` (operationIds are built from it). */
  noun: string;
  /** `PolicyAssignment`, `ActionControlAssignment`, `RoleAssignment`. */
  assignmentNoun: string;
  /** The template id's path parameter: `policy_template_id`, … */
  param: string;
  content: TSchema;
}

/** The OpenAPI description of one API's routes (SDK operationIds). */
export function operationsOf(t: TemplateOperationsSpec): Operations {
  const base = `/v1/${t.api.templates}`;
  const one = TemplateResponse(t.noun, t.api.field, t.content);
  const list = TemplateCollection(`${t.noun}Collection`, t.api.templates, one);
  const versions = TemplateCollection(`${t.noun}VersionsCollection`, 'versions', one);
  const a = `/v1/${t.api.assignments}`;
  const assignment = AssignmentResponse(t.assignmentNoun, t.api.field);
  const assignments = AssignmentsResponse(`${t.assignmentNoun}Collection`, assignment);
  return {
    [`GET ${base}`]: { operationId: `list${t.noun}s`, summary: `List ${t.noun}s (latest versions)`, responses: ok(list) },
    [`POST ${base}`]: { operationId: `create${t.noun}`, summary: `Create a ${t.noun} (version 1)`, responses: { 201: one } },
    [`GET ${base}/:${t.param}`]: { operationId: `get${t.noun}`, summary: `Get the latest version of a ${t.noun}`, responses: ok(one) },
    [`DELETE ${base}/:${t.param}`]: { operationId: `delete${t.noun}`, summary: `Delete every version of a ${t.noun}`, responses: noContent },
    [`POST ${base}/:${t.param}/versions`]: { operationId: `create${t.noun}Version`, summary: `Create a ${t.noun} version`, responses: { 201: one } },
    [`GET ${base}/:${t.param}/versions`]: { operationId: `list${t.noun}Versions`, summary: `List the versions of a ${t.noun}`, responses: ok(versions) },
    [`PUT ${base}/:${t.param}/versions/:version`]: { operationId: `replace${t.noun}`, summary: `Replace an uncommitted ${t.noun} version`, responses: ok(one) },
    [`DELETE ${base}/:${t.param}/versions/:version`]: { operationId: `delete${t.noun}Version`, summary: `Delete a ${t.noun} version`, responses: noContent },
    [`GET ${base}/:${t.param}/versions/:version`]: { operationId: `get${t.noun}Version`, summary: `Get a ${t.noun} version`, responses: ok(one) },
    [`POST ${base}/:${t.param}/versions/:version/commit`]: { operationId: `commit${t.noun}`, summary: `Commit a ${t.noun} version`, responses: noContent },
    [`GET ${a}`]: { operationId: `list${t.assignmentNoun}s`, summary: `List ${t.assignmentNoun}s`, responses: ok(assignments) },
    [`POST ${a}`]: { operationId: `create${t.noun}Assignment`, summary: `Assign ${t.noun} versions to an account or account group`, responses: { 201: assignments } },
    [`GET ${a}/:assignment_id`]: { operationId: `get${t.assignmentNoun}`, summary: `Get a ${t.assignmentNoun}, with drift`, responses: ok(assignment) },
    [`PATCH ${a}/:assignment_id`]: { operationId: `update${t.assignmentNoun}`, summary: `Move a ${t.assignmentNoun} to another version (or re-apply it)`, responses: ok(assignment) },
    [`DELETE ${a}/:assignment_id`]: { operationId: `delete${t.assignmentNoun}`, summary: `Remove a ${t.assignmentNoun} and what it made`, responses: noContent },
  };
}
