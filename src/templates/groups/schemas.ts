import { Type, type TSchema } from '@sinclair/typebox';
import { PAGE_LIMITS } from '../../access-groups/paging.js';
import { limitParam } from '../../http/query.js';
import { limits } from '../../kernel/limits.js';
import { created, noContent, ok, type Operations } from '../../http/openapi.js';

/**
 * Request schemas of the access-group template routes (`/v1/group_templates`,
 * `/v1/group_assignments`; the SDK's iam-access-groups/v2 parameter types). Bodies reject unknown
 * fields and wrong types (400); query strings tolerate unknown parameters.
 */

const strict = { additionalProperties: false } as const;
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const Id = Type.String({ minLength: 1, maxLength: limits.id });
const Text = Type.String({ maxLength: limits.text });
const Flag = Type.Boolean();

const paging = {
  limit: opt(limitParam(PAGE_LIMITS, `${PAGE_LIMITS.min}–${PAGE_LIMITS.max}, default ${PAGE_LIMITS.default}.`)),
  offset: opt(Type.Integer({ minimum: 0, maximum: limits.offset })),
};

const Members = Type.Object(
  {
    users: opt(Type.Array(Id, { maxItems: 50 })),
    services: opt(Type.Array(Id, { maxItems: 50 })),
    action_controls: opt(Type.Object({ add: opt(Flag), remove: opt(Flag) }, strict)),
  },
  strict,
);

const Condition = Type.Object({ claim: opt(Text), operator: opt(Type.String({ maxLength: 32 })), value: opt(Text) }, strict);

const RuleInput = Type.Object(
  {
    name: opt(Text),
    expiration: opt(Type.Integer()),
    realm_name: opt(Text),
    conditions: opt(Type.Array(Condition, { maxItems: 10 })),
    action_controls: opt(Type.Object({ remove: opt(Flag) }, strict)),
  },
  strict,
);

export const GroupInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: limits.text }),
    description: opt(Text),
    members: opt(Members),
    assertions: opt(
      Type.Object({ rules: opt(Type.Array(RuleInput, { maxItems: 10 })), action_controls: opt(Type.Object({ add: opt(Flag), remove: opt(Flag) }, strict)) }, strict),
    ),
    action_controls: opt(Type.Object({ access: opt(Type.Object({ add: opt(Flag) }, strict)) }, strict)),
  },
  strict,
);

const PolicyTemplateRefs = Type.Array(Type.Object({ id: opt(Id), version: opt(Type.String({ maxLength: 16 })) }, strict), { maxItems: 20 });

export const CreateTemplateBody = Type.Object(
  { name: Type.String({ maxLength: limits.text }), account_id: Id, description: opt(Text), group: opt(GroupInput), policy_template_references: opt(PolicyTemplateRefs) },
  strict,
);

export const VersionBody = Type.Object(
  { name: opt(Type.String({ maxLength: limits.text })), description: opt(Text), group: opt(GroupInput), policy_template_references: opt(PolicyTemplateRefs) },
  strict,
);

export const TemplateParams = Type.Object({ template_id: Id });
export const VersionParams = Type.Object({ template_id: Id, version_num: Type.String({ minLength: 1, maxLength: 16 }) });
export const AssignmentParams = Type.Object({ assignment_id: Id });

export const TemplateListQuery = Type.Object({ account_id: Id, verbose: opt(Flag), ...paging });
export const VersionListQuery = Type.Object({ ...paging });
export const VerboseQuery = Type.Object({ verbose: opt(Flag) });

export const CreateAssignmentBody = Type.Object(
  {
    template_id: Id,
    template_version: Type.String({ minLength: 1, maxLength: 16 }),
    target_type: Type.Union([Type.Literal('Account'), Type.Literal('AccountGroup')]),
    target: Id,
  },
  strict,
);

export const UpdateAssignmentBody = Type.Object({ template_version: Type.String({ minLength: 1, maxLength: 16 }) }, strict);

export const AssignmentListQuery = Type.Object({
  account_id: Id,
  template_id: opt(Id),
  template_version: opt(Type.String({ maxLength: 16 })),
  target: opt(Id),
  status: opt(Type.Union([Type.Literal('accepted'), Type.Literal('in_progress'), Type.Literal('succeeded'), Type.Literal('failed')])),
  ...paging,
});

// ── Responses and operations ───────────────────────────────────────────────────────────────────

/**
 * Response schemas of the access-group template routes (the SDK's iam-access-groups/v2 models)
 * and what the OpenAPI document says of each operation. Responses are serialized through these
 * schemas: a field missing here is missing on the wire.
 */

const S = Type.String();
const B = Type.Boolean();
const Href = Type.Object({ href: opt(S) });

const ActionControls = Type.Object({ add: opt(B), remove: opt(B) });
const AccessGroup = Type.Object({
  name: S,
  description: opt(S),
  members: opt(Type.Object({ users: opt(Type.Array(S)), services: opt(Type.Array(S)), action_controls: opt(ActionControls) })),
  assertions: opt(
    Type.Object({
      rules: opt(
        Type.Array(
          Type.Object({
            name: opt(S),
            expiration: opt(Type.Integer()),
            realm_name: opt(S),
            conditions: opt(Type.Array(Type.Object({ claim: opt(S), operator: opt(S), value: opt(S) }))),
            action_controls: opt(Type.Object({ remove: opt(B) })),
          }),
        ),
      ),
      action_controls: opt(ActionControls),
    }),
  ),
  action_controls: opt(Type.Object({ access: opt(Type.Object({ add: opt(B) })) })),
});
const PolicyTemplates = Type.Array(Type.Object({ id: opt(S), version: opt(S) }));

const templateFields = {
  id: S,
  name: S,
  description: S,
  account_id: S,
  version: S,
  committed: B,
  group: AccessGroup,
  policy_template_references: PolicyTemplates,
  href: S,
  created_at: S,
  created_by_id: S,
  last_modified_at: S,
  last_modified_by_id: S,
};

export const TemplateVersionResponse = Type.Object(templateFields, { title: 'TemplateVersionResponse' });

const pageFields = { limit: Type.Integer(), offset: Type.Integer(), total_count: Type.Integer(), first: Href, previous: opt(Href), next: opt(Href), last: Href };

const Entry = Type.Object({ id: S, name: opt(S), version: opt(S), resource: S, error: S, operation: opt(S), status: S });
const AccountResources = Type.Object({
  target: opt(S),
  group: opt(Type.Object({ group: Entry, members: Type.Array(Entry), rules: Type.Array(Entry) })),
  policy_template_references: opt(Type.Array(Entry)),
});

const assignmentFields = {
  id: S,
  account_id: S,
  template_id: S,
  template_version: S,
  target_type: S,
  target: S,
  operation: S,
  status: S,
  href: S,
  created_at: S,
  created_by_id: S,
  last_modified_at: S,
  last_modified_by_id: S,
};
export const AssignmentResponse = Type.Object(assignmentFields, { title: 'TemplateAssignmentResponse' });
export const AssignmentVerboseResponse = Type.Object(
  { ...assignmentFields, resources: opt(Type.Array(AccountResources)) },
  { title: 'TemplateAssignmentVerboseResponse' },
);

export const groupTemplateOperations: Operations = {
  'POST /v1/group_templates': { operationId: 'createTemplate', summary: 'Create an access group template (version 1)', responses: created(TemplateVersionResponse) },
  'GET /v1/group_templates': {
    operationId: 'listTemplates',
    summary: 'List the access group templates of an account (latest versions)',
    responses: ok(Type.Object({ ...pageFields, group_templates: Type.Array(TemplateVersionResponse) }, { title: 'ListTemplatesResponse' })),
  },
  'POST /v1/group_templates/:template_id/versions': {
    operationId: 'createTemplateVersion',
    summary: 'Create a new version of an access group template',
    responses: created(TemplateVersionResponse),
  },
  'GET /v1/group_templates/:template_id/versions': {
    operationId: 'listTemplateVersions',
    summary: 'List the versions of an access group template',
    responses: ok(Type.Object({ ...pageFields, group_template_versions: Type.Array(TemplateVersionResponse) }, { title: 'ListTemplateVersionsResponse' })),
  },
  'GET /v1/group_templates/:template_id/versions/:version_num': {
    operationId: 'getTemplateVersion',
    summary: 'Get a version of an access group template',
    responses: ok(TemplateVersionResponse),
  },
  'PUT /v1/group_templates/:template_id/versions/:version_num': {
    operationId: 'updateTemplateVersion',
    summary: 'Update an uncommitted version of an access group template',
    responses: created(TemplateVersionResponse),
  },
  'DELETE /v1/group_templates/:template_id/versions/:version_num': {
    operationId: 'deleteTemplateVersion',
    summary: 'Delete a version of an access group template',
    responses: noContent,
  },
  'POST /v1/group_templates/:template_id/versions/:version_num/commit': {
    operationId: 'commitTemplate',
    summary: 'Commit a version of an access group template (immutable afterwards)',
    responses: noContent,
  },
  'GET /v1/group_templates/:template_id': {
    operationId: 'getLatestTemplateVersion',
    summary: 'Get the latest version of an access group template',
    responses: ok(TemplateVersionResponse),
  },
  'DELETE /v1/group_templates/:template_id': { operationId: 'deleteTemplate', summary: 'Delete every version of an access group template', responses: noContent },
  'POST /v1/group_assignments': {
    operationId: 'createAssignment',
    summary: 'Assign a committed access group template version to an account or account group',
    responses: { 202: AssignmentResponse },
  },
  'GET /v1/group_assignments': {
    operationId: 'listAssignments',
    summary: 'List the access group template assignments of an account',
    responses: ok(Type.Object({ ...pageFields, assignments: Type.Array(AssignmentResponse) }, { title: 'ListTemplateAssignmentResponse' })),
  },
  'GET /v1/group_assignments/:assignment_id': {
    operationId: 'getAssignment',
    summary: 'Get an access group template assignment and its per-account results',
    responses: ok(AssignmentVerboseResponse),
  },
  'PATCH /v1/group_assignments/:assignment_id': {
    operationId: 'updateAssignment',
    summary: 'Move an assignment to another committed version, or apply it again',
    responses: { 202: AssignmentVerboseResponse },
  },
  'DELETE /v1/group_assignments/:assignment_id': {
    operationId: 'deleteAssignment',
    summary: 'Remove an assignment and the resources it created',
    responses: { 202: null },
  },
};
