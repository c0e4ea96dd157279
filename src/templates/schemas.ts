import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AnyValue } from '../http/openapi.js';
import { limitParam } from '../http/query.js';
import type { LimitRange } from '../kernel/cursor.js';
import { limits } from '../kernel/limits.js';

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
