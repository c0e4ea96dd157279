import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../../kernel/limits.js';

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
