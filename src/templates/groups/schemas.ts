import { Type, type TSchema } from '@sinclair/typebox';
import { PAGE_LIMITS } from '../../access-groups/paging.js';
import { limitParam } from '../../http/query.js';
import { limits } from '../../kernel/limits.js';

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
