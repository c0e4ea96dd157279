import type { AttributeCondition, AttributeOperator, PolicySubject, Rule } from '../pdp/types.js';
import { policyErrors } from './errors.js';
import { ACCOUNT_ATTRIBUTE, splitAccount } from './validate.js';
import type { RenderContext } from './wire.js';
import { templateMetadataOf, type PolicyDraft, type PolicyRecord } from './types.js';

/** The v2 policy syntax (authz.md §2.2): singular `subject`/`resource`, `key`/`operator`/`value`, `control`, `rule`. */

export interface V2Attribute {
  key: string;
  operator: string;
  value: unknown;
}

export interface V2PolicyBody {
  type: string;
  description?: string;
  subject?: { attributes: V2Attribute[] };
  resource?: { attributes: V2Attribute[]; tags?: V2Attribute[] };
  control: { grant: { roles: Array<{ role_id: string }> } };
  pattern?: string;
  rule?: unknown;
}

const SUBJECT_OPERATORS = new Set(['stringEquals', 'stringExists']);
const RESOURCE_OPERATORS = new Set(['stringEquals', 'stringExists', 'stringMatch', 'stringEqualsAnyOf', 'stringMatchAnyOf']);
const TAG_OPERATORS = new Set(['stringEquals', 'stringMatch']);

function condition(attr: V2Attribute, allowed: ReadonlySet<string>, where: string): AttributeCondition {
  if (!allowed.has(attr.operator)) {
    throw policyErrors.invalidBody(`${where} ${attr.key}: operator ${attr.operator} is not allowed here (${[...allowed].join(', ')}).`);
  }
  const value = attr.value;
  const ok =
    attr.operator === 'stringExists' ? typeof value === 'boolean'
    : attr.operator.endsWith('AnyOf') ? Array.isArray(value) && value.length >= 1 && value.length <= 10 && value.every((v) => typeof v === 'string')
    : typeof value === 'string';
  if (!ok) {
    const expected =
      attr.operator === 'stringExists' ? 'true or false'
      : attr.operator.endsWith('AnyOf') ? 'a list of 1 to 10 strings'
      : 'a string';
    throw policyErrors.invalidBody(`${where} ${attr.key}: operator ${attr.operator} takes ${expected}.`);
  }
  return { key: attr.key, operator: attr.operator as AttributeOperator, value: value as AttributeCondition['value'] };
}

/** Parses a v2 create/replace body; rule grammar is checked later (rules.ts), with the rest of validation. */
export function parseV2(body: V2PolicyBody): PolicyDraft {
  if (body.type !== 'access' && body.type !== 'authorization') {
    throw policyErrors.invalidBody(`Policy type must be access or authorization, not ${JSON.stringify(body.type)}.`);
  }
  if (!body.subject) throw policyErrors.invalidBody('The policy subject is required.');
  if (!body.resource) throw policyErrors.invalidBody('The policy resource is required.');
  const { accountId, rest } = splitAccount(body.resource.attributes.map((a) => condition(a, RESOURCE_OPERATORS, 'Resource attribute')));
  return {
    syntax: 'v2',
    type: body.type,
    ...(body.description !== undefined ? { description: body.description } : {}),
    accountId,
    subject: subjectOf(body.type, body.subject.attributes),
    resource: rest,
    tags: (body.resource.tags ?? []).map((t) => condition(t, TAG_OPERATORS, 'Resource tag')),
    roles: body.control.grant.roles.map((r) => r.role_id),
    ...(body.rule !== undefined ? { rule: body.rule as Rule } : {}),
    ...(body.pattern !== undefined ? { pattern: body.pattern } : {}),
  };
}

function subjectOf(type: 'access' | 'authorization', attributes: V2Attribute[]): PolicySubject {
  const conditions = attributes.map((a) => condition(a, SUBJECT_OPERATORS, 'Subject attribute'));
  if (type === 'authorization') return { kind: 'service', attributes: conditions };
  const [only, ...more] = conditions;
  if (!only || more.length > 0) throw policyErrors.invalidBody('An access policy subject has exactly one attribute: iam_id or access_group_id.');
  if (only.operator !== 'stringEquals' || typeof only.value !== 'string') {
    throw policyErrors.invalidBody(`Subject attribute ${only.key} takes operator stringEquals and a string value.`);
  }
  if (only.key === 'iam_id') return { kind: 'iam_id', iamId: only.value };
  if (only.key === 'access_group_id') return { kind: 'access_group', groupId: only.value };
  throw policyErrors.invalidBody(`Unknown subject attribute ${only.key}: use iam_id or access_group_id.`);
}

const attribute = (a: AttributeCondition) => ({ key: a.key, operator: a.operator, value: a.value });

function subjectAttributes(subject: PolicySubject) {
  switch (subject.kind) {
    case 'iam_id':
      return [{ key: 'iam_id', operator: 'stringEquals', value: subject.iamId }];
    case 'access_group':
      return [{ key: 'access_group_id', operator: 'stringEquals', value: subject.groupId }];
    case 'service':
      return subject.attributes.map(attribute);
  }
}

/** The v2 view of a policy (`V2PolicyTemplateMetaData`); `ctx.display` enriches roles with actions. */
export function renderV2(p: PolicyRecord, ctx: RenderContext) {
  const roles = p.roles.map((crn) => {
    if (!ctx.display) return { role_id: crn };
    const role = ctx.roles.describe(crn);
    return {
      role_id: crn,
      ...(role ? { display_name: role.displayName } : {}),
      ...(role?.description !== undefined ? { description: role.description } : {}),
      actions: ctx.roles.actionsOn(crn, p),
    };
  });
  return {
    id: p.id,
    type: p.type,
    ...(p.description !== undefined ? { description: p.description } : {}),
    subject: { attributes: subjectAttributes(p.subject) },
    resource: {
      attributes: [{ key: ACCOUNT_ATTRIBUTE, operator: 'stringEquals', value: p.accountId }, ...p.resource.map(attribute)],
      ...(p.tags.length > 0 ? { tags: p.tags.map(attribute) } : {}),
    },
    ...(p.pattern !== undefined ? { pattern: p.pattern } : {}),
    ...(p.rule !== undefined ? { rule: p.rule } : {}),
    href: ctx.href('v2', p.id),
    control: { grant: { roles } },
    created_at: p.createdAt,
    created_by_id: p.createdById,
    last_modified_at: p.lastModifiedAt,
    last_modified_by_id: p.lastModifiedById,
    state: p.state,
    ...(p.template ? { template: templateMetadataOf(p.template) } : {}),
  };
}
