import { unsupportedVersionRole } from '../catalog/index.js';
import type { AttributeCondition, AttributeOperator, PolicySubject } from '../pdp/types.js';
import { policyErrors } from './errors.js';
import { ACCOUNT_ATTRIBUTE, splitAccount } from './validate.js';
import type { RenderContext } from './wire.js';
import { templateMetadataOf, type PolicyDraft, type PolicyRecord } from './types.js';

/** The v1 policy syntax (authz.md §2.1): `subjects[]`, `roles[]`, `resources[]` with `name`/`value`. */

export interface V1Attribute {
  name: string;
  value: string;
  operator?: string;
}

export interface V1PolicyBody {
  type: string;
  description?: string;
  subjects: Array<{ attributes: Array<{ name: string; value: string }> }>;
  roles: Array<{ role_id: string }>;
  resources: Array<{ attributes: V1Attribute[]; tags?: V1Attribute[] }>;
}

/** v1 knows only these two operators; an omitted operator means `stringEquals`. */
const V1_OPERATORS = new Set(['stringEquals', 'stringMatch']);

function condition(attr: V1Attribute, where: string): AttributeCondition {
  const operator = attr.operator ?? 'stringEquals';
  if (!V1_OPERATORS.has(operator)) {
    throw policyErrors.invalidBody(`${where} ${attr.name}: operator ${operator} is not supported in v1 (use stringEquals or stringMatch).`);
  }
  return { key: attr.name, operator: operator as AttributeOperator, value: attr.value };
}

/** Parses a v1 create/replace body; throws invalid_body for shapes v1 does not allow. */
export function parseV1(body: V1PolicyBody): PolicyDraft {
  if (body.type !== 'access' && body.type !== 'authorization') {
    throw policyErrors.invalidBody(`Policy type must be access or authorization, not ${JSON.stringify(body.type)}.`);
  }
  const [subject, ...moreSubjects] = body.subjects;
  const [resource, ...moreResources] = body.resources;
  if (!subject || moreSubjects.length > 0) throw policyErrors.invalidBody('A policy has exactly one subject.');
  if (!resource || moreResources.length > 0) throw policyErrors.invalidBody('A policy has exactly one resource.');
  const { accountId, rest } = splitAccount(resource.attributes.map((a) => condition(a, 'Resource attribute')));
  return {
    syntax: 'v1',
    type: body.type,
    ...(body.description !== undefined ? { description: body.description } : {}),
    accountId,
    subject: subjectOf(body.type, subject.attributes),
    resource: rest,
    tags: (resource.tags ?? []).map((t) => condition(t, 'Resource tag')),
    roles: body.roles.map((r) => r.role_id),
  };
}

function subjectOf(type: 'access' | 'authorization', attributes: Array<{ name: string; value: string }>): PolicySubject {
  if (type === 'authorization') {
    return { kind: 'service', attributes: attributes.map((a) => ({ key: a.name, operator: 'stringEquals', value: a.value })) };
  }
  const [only, ...more] = attributes;
  if (!only || more.length > 0) throw policyErrors.invalidBody('An access policy subject has exactly one attribute: iam_id or access_group_id.');
  if (only.name === 'iam_id') return { kind: 'iam_id', iamId: only.value };
  if (only.name === 'access_group_id') return { kind: 'access_group', groupId: only.value };
  throw policyErrors.invalidBody(`Unknown subject attribute ${only.name}: use iam_id or access_group_id.`);
}

const v1Expressible = (a: AttributeCondition) => V1_OPERATORS.has(a.operator) && typeof a.value === 'string';

/** Whether v1 can show the policy as it is; otherwise v1 shows a placeholder (authz.md §2.1). */
export function isV1Expressible(p: PolicyRecord): boolean {
  if (p.rule !== undefined || p.pattern !== undefined) return false;
  if (p.subject.kind === 'service' && !p.subject.attributes.every((a) => a.operator === 'stringEquals' && typeof a.value === 'string')) {
    return false;
  }
  return p.resource.every(v1Expressible) && p.tags.every(v1Expressible);
}

const attribute = (a: AttributeCondition) => ({ name: a.key, value: a.value as string, operator: a.operator });

function subjectsOf(p: PolicyRecord) {
  switch (p.subject.kind) {
    case 'iam_id':
      return [{ attributes: [{ name: 'iam_id', value: p.subject.iamId }] }];
    case 'access_group':
      return [{ attributes: [{ name: 'access_group_id', value: p.subject.groupId }] }];
    case 'service':
      return [{ attributes: p.subject.attributes.map((a) => ({ name: a.key, value: a.value as string })) }];
  }
}

const common = (p: PolicyRecord) => ({
  ...(p.template ? { template: templateMetadataOf(p.template) } : {}),
  id: p.id,
  type: p.type,
  created_at: p.createdAt,
  created_by_id: p.createdById,
  last_modified_at: p.lastModifiedAt,
  last_modified_by_id: p.lastModifiedById,
  state: p.state,
});

const UNSUPPORTED_DESCRIPTION =
  'This policy uses version 2 syntax (conditions or operators) that version 1 cannot show. Use /v2/policies to view or change it.';

/** The v1 view of a policy (`Policy` / `PolicyTemplateMetaData` in the SDK). */
export function renderV1(p: PolicyRecord, ctx: RenderContext) {
  const account = { name: ACCOUNT_ATTRIBUTE, value: p.accountId, operator: 'stringEquals' };
  if (!isV1Expressible(p)) {
    return {
      ...common(p),
      description: UNSUPPORTED_DESCRIPTION,
      subjects: [{ attributes: [{ name: 'iam_id', value: 'unsupported version' }] }],
      roles: [{ role_id: unsupportedVersionRole, display_name: 'UnsupportedVersion', description: UNSUPPORTED_DESCRIPTION }],
      resources: [{ attributes: [account] }],
      href: ctx.href('v2', p.id),
    };
  }
  return {
    ...common(p),
    ...(p.description !== undefined ? { description: p.description } : {}),
    subjects: subjectsOf(p),
    roles: p.roles.map((crn) => {
      const role = ctx.roles.describe(crn);
      return {
        role_id: crn,
        ...(role ? { display_name: role.displayName } : {}),
        ...(role?.description !== undefined ? { description: role.description } : {}),
      };
    }),
    resources: [{ attributes: [account, ...p.resource.map(attribute)], ...(p.tags.length > 0 ? { tags: p.tags.map(attribute) } : {}) }],
    href: ctx.href('v1', p.id),
  };
}
