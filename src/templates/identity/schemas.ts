import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../../kernel/limits.js';
import { created, noContent, ok, type Operations } from '../../http/openapi.js';

/**
 * Request schemas shared by the IAM Identity template routes (`/v1/profile_templates`,
 * `/v1/account_settings_templates` and their assignments; the SDK's iam-identity/v1 parameter
 * types). Each kind adds its content fields (`account_settings`; `profile`,
 * `policy_template_references`). Bodies reject unknown fields (400); query strings tolerate them.
 */

const strict = { additionalProperties: false } as const;
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const Id = Type.String({ minLength: 1, maxLength: limits.id });
const Text = Type.String({ maxLength: limits.text });
/** A version number in a path: digits (checked further by the route). */
const VersionText = Type.String({ minLength: 1, maxLength: 16 });
const Sort = (values: string[]) => opt(Type.Union(values.map((v) => Type.Literal(v))));
const Order = opt(Type.Union([Type.Literal('asc'), Type.Literal('desc')]));
/** `limit` of template listings is a string in the SDK (`"20"`); 1–100. */
const LimitText = Type.String({ pattern: '^(100|[1-9][0-9]?)$' });

export const templateBodies = (content: Record<string, TSchema>) => ({
  create: Type.Object({ account_id: Id, name: Type.String({ minLength: 1, maxLength: limits.text }), description: opt(Text), ...content }, strict),
  version: Type.Object({ account_id: opt(Id), name: opt(Type.String({ minLength: 1, maxLength: limits.text })), description: opt(Text), ...content }, strict),
});

export const TemplateParams = Type.Object({ template_id: Id });
export const VersionParams = Type.Object({ template_id: Id, version: VersionText });
export const AssignmentParams = Type.Object({ assignment_id: Id });

const History = { include_history: opt(Type.Boolean()) };
export const HistoryQuery = Type.Object(History);

export const TemplateListQuery = Type.Object({
  account_id: opt(Id),
  limit: opt(LimitText),
  pagetoken: opt(Type.String({ maxLength: 2048 })),
  sort: Sort(['created_at', 'last_modified_at', 'name']),
  order: Order,
  ...History,
});
export const VersionListQuery = Type.Object({
  limit: opt(LimitText),
  pagetoken: opt(Type.String({ maxLength: 2048 })),
  sort: Sort(['created_at', 'last_modified_at', 'name']),
  order: Order,
  ...History,
});

const TargetType = Type.Union([Type.Literal('Account'), Type.Literal('AccountGroup')]);

export const CreateAssignmentBody = Type.Object(
  { template_id: Id, template_version: Type.Integer({ minimum: 1, maximum: 999_999_999 }), target_type: TargetType, target: Id },
  strict,
);
export const UpdateAssignmentBody = Type.Object({ template_version: Type.Integer({ minimum: 1, maximum: 999_999_999 }) }, strict);

export const AssignmentListQuery = Type.Object({
  account_id: opt(Id),
  template_id: opt(Id),
  template_version: opt(Type.String({ pattern: '^[1-9][0-9]{0,8}$' })),
  target: opt(Id),
  target_type: opt(TargetType),
  limit: opt(Type.Integer({ minimum: 1, maximum: 100 })),
  pagetoken: opt(Type.String({ maxLength: 2048 })),
  sort: Sort(['template_id', 'created_at', 'last_modified_at']),
  order: Order,
  ...History,
});

// ── Responses and operations ───────────────────────────────────────────────────────────────────

/**
 * Response schemas of the IAM Identity template routes (the SDK's iam-identity/v1 models) and what
 * the OpenAPI document says of each operation. Responses are serialized through these schemas: a
 * field missing here is missing on the wire.
 */

const S = Type.String();
const N = Type.Integer();

/** What differs per kind: names in operation ids and summaries, the content fields, the list key. */
export interface IdentityOperationsSpec {
  templates: string;
  assignments: string;
  /** `AccountSettings` / `Profile` (operation ids: `createAccountSettingsTemplate` …). */
  idWord: string;
  /** `TrustedProfile` in `createTrustedProfileAssignment`; the idWord otherwise. */
  assignmentWord: string;
  /** `account settings` / `trusted profile` (summaries). */
  noun: string;
  contentSchema: Record<string, TSchema>;
  listKey: string;
  resourceKey: string;
  title: string;
}

export function identityTemplateOperations(spec: IdentityOperationsSpec): Operations {
  const { templates: t, assignments: a, idWord: w, assignmentWord: aw, noun } = spec;
  const Template = Type.Object(
    {
      id: S,
      version: N,
      account_id: S,
      name: S,
      description: opt(S),
      committed: Type.Boolean(),
      ...spec.contentSchema,
      entity_tag: S,
      crn: S,
      created_at: opt(S),
      created_by_id: opt(S),
      last_modified_at: opt(S),
      last_modified_by_id: opt(S),
    },
    { title: `${spec.title}Response` },
  );
  const List = Type.Object({ limit: opt(N), first: opt(S), next: opt(S), [spec.listKey]: Type.Array(Template) }, { title: `${spec.title}List` });
  const Detail = Type.Object({
    id: opt(S),
    version: opt(S),
    resource_created: opt(Type.Object({ id: opt(S) })),
    error_message: opt(Type.Object({ name: opt(S), errorCode: opt(S), message: opt(S), statusCode: opt(S) })),
    status: S,
  });
  const Assignment = Type.Object(
    {
      id: S,
      account_id: S,
      template_id: S,
      template_version: N,
      target_type: S,
      target: S,
      status: S,
      resources: opt(Type.Array(Type.Object({ target: S, [spec.resourceKey]: opt(Detail), policy_template_references: opt(Type.Array(Detail)) }))),
      href: opt(S),
      created_at: S,
      created_by_id: S,
      last_modified_at: S,
      last_modified_by_id: S,
      entity_tag: S,
    },
    { title: `${spec.title}AssignmentResponse` },
  );
  const Assignments = Type.Object({ limit: opt(N), first: opt(S), next: opt(S), assignments: Type.Array(Assignment) }, { title: `${spec.title}AssignmentList` });
  return {
    [`POST /v1/${t}`]: { operationId: `create${w}Template`, summary: `Create a ${noun} template (version 1)`, responses: created(Template) },
    [`GET /v1/${t}`]: { operationId: `list${w}Templates`, summary: `List the ${noun} templates of an account (latest versions)`, responses: ok(List) },
    [`GET /v1/${t}/:template_id`]: { operationId: `getLatest${w}TemplateVersion`, summary: `Get the latest version of a ${noun} template`, responses: ok(Template) },
    [`DELETE /v1/${t}/:template_id`]: { operationId: `deleteAllVersionsOf${w}Template`, summary: `Delete every version of a ${noun} template`, responses: noContent },
    [`GET /v1/${t}/:template_id/versions`]: { operationId: `listVersionsOf${w}Template`, summary: `List the versions of a ${noun} template`, responses: ok(List) },
    [`POST /v1/${t}/:template_id/versions`]: { operationId: `create${w}TemplateVersion`, summary: `Create a new version of a ${noun} template`, responses: created(Template) },
    [`GET /v1/${t}/:template_id/versions/:version`]: { operationId: `get${w}TemplateVersion`, summary: `Get a version of a ${noun} template`, responses: ok(Template) },
    [`PUT /v1/${t}/:template_id/versions/:version`]: { operationId: `update${w}TemplateVersion`, summary: `Update an uncommitted version of a ${noun} template`, responses: ok(Template) },
    [`DELETE /v1/${t}/:template_id/versions/:version`]: { operationId: `delete${w}TemplateVersion`, summary: `Delete a version of a ${noun} template`, responses: noContent },
    [`POST /v1/${t}/:template_id/versions/:version/commit`]: {
      operationId: `commit${w}Template`,
      summary: `Commit a version of a ${noun} template (immutable afterwards)`,
      responses: noContent,
    },
    [`POST /v1/${a}`]: { operationId: `create${aw}Assignment`, summary: `Assign a committed ${noun} template version to an account or account group`, responses: { 202: Assignment } },
    [`GET /v1/${a}`]: { operationId: `list${aw}Assignments`, summary: `List the ${noun} template assignments of an account`, responses: ok(Assignments) },
    [`GET /v1/${a}/:assignment_id`]: { operationId: `get${aw}Assignment`, summary: `Get a ${noun} template assignment and its per-account results`, responses: ok(Assignment) },
    [`PATCH /v1/${a}/:assignment_id`]: { operationId: `update${aw}Assignment`, summary: `Move a ${noun} template assignment to another committed version, or apply it again`, responses: { 202: Assignment } },
    [`DELETE /v1/${a}/:assignment_id`]: { operationId: `delete${aw}Assignment`, summary: `Remove a ${noun} template assignment`, responses: { 202: null } },
  };
}
