import { invalidPolicy } from './conditions.js';
import type { AttributeCondition, AttributeOperator, Policy, PolicySubject, Rule } from './types.js';

/**
 * Converts the policy shapes of IBM's wire format (authz.md §2.1 v1 and §2.2 v2) into the
 * decision point's Policy. Pure: no catalog checks (the policies service validates roles and
 * services before storing). Throws DomainError('invalid', 'invalid_policy') for a shape the
 * decision point cannot evaluate: no account, no subject, an unknown operator.
 *
 * v1: `{type, subjects:[{attributes:[{name,value}]}], roles:[{role_id}], resources:[{attributes:[{name,value,operator?}], tags?}]}`
 * v2: `{type, subject:{attributes:[{key,operator,value}]}, resource:{attributes, tags?}, control:{grant:{roles:[{role_id}]}}, rule?, pattern?}`
 * Both may carry `id` and `state`; `defaults` supplies them when the body does not (a create).
 * v2 role template references must be resolved to `roles` by the caller.
 */
export function fromWirePolicy(wire: unknown, defaults: { id?: string; state?: Policy['state'] } = {}): Policy {
  if (!isRecord(wire)) throw invalidPolicy('A policy must be an object.');
  const id = typeof wire.id === 'string' ? wire.id : defaults.id;
  if (!id) throw invalidPolicy('The policy has no id.');
  const type = wire.type;
  if (type !== 'access' && type !== 'authorization') throw invalidPolicy(`Policy ${id}: type must be "access" or "authorization".`);
  const state = wire.state === 'deleted' ? 'deleted' : wire.state === undefined || wire.state === 'active' ? (defaults.state ?? 'active') : undefined;
  if (state === undefined) throw invalidPolicy(`Policy ${id}: state must be "active" or "deleted".`);

  const v1 = Array.isArray(wire.subjects) || Array.isArray(wire.resources);
  const subjectAttributes = v1 ? single(wire.subjects, id, 'subjects').attributes : recordAt(wire, 'subject', id).attributes;
  const resource = v1 ? single(wire.resources, id, 'resources') : recordAt(wire, 'resource', id);
  const roles = v1 ? wire.roles : recordAt(recordAt(wire, 'control', id), 'grant', id).roles;

  const subjectConditions = conditions(subjectAttributes, id, 'subject.attributes', v1);
  const resourceConditions = conditions(resource.attributes, id, 'resource.attributes', v1);
  const tags = resource.tags === undefined ? [] : conditions(resource.tags, id, 'resource.tags', v1);

  const account = resourceConditions.find((a) => a.key === 'accountId');
  if (!account || account.operator !== 'stringEquals' || typeof account.value !== 'string' || account.value === '') {
    throw invalidPolicy(`Policy ${id}: resource attributes must include accountId (stringEquals).`);
  }

  const policy: Policy = {
    id,
    accountId: account.value,
    type,
    state,
    subject: subjectOf(type, subjectConditions, id),
    resource: resourceConditions.filter((a) => a !== account),
    tags,
    roles: roleIds(roles, id),
  };
  if (!v1 && wire.rule !== undefined && wire.rule !== null) {
    if (!isRecord(wire.rule)) throw invalidPolicy(`Policy ${id}: rule must be an object.`);
    policy.rule = wire.rule as unknown as Rule;
    if (typeof wire.pattern === 'string') policy.pattern = wire.pattern;
  }
  return policy;
}

const OPERATORS: ReadonlySet<string> = new Set<AttributeOperator>([
  'stringEquals',
  'stringExists',
  'stringMatch',
  'stringEqualsAnyOf',
  'stringMatchAnyOf',
]);

function subjectOf(type: 'access' | 'authorization', attrs: AttributeCondition[], id: string): PolicySubject {
  const named = (key: string) => {
    const a = attrs.find((x) => x.key === key);
    return a && a.operator === 'stringEquals' && typeof a.value === 'string' ? a.value : undefined;
  };
  if (type === 'access') {
    const iamId = named('iam_id');
    if (iamId !== undefined) return { kind: 'iam_id', iamId };
    const groupId = named('access_group_id');
    if (groupId !== undefined) return { kind: 'access_group', groupId };
    throw invalidPolicy(`Policy ${id}: an access policy's subject is an iam_id or an access_group_id.`);
  }
  if (attrs.length === 0) throw invalidPolicy(`Policy ${id}: an authorization policy's subject needs attributes.`);
  return { kind: 'service', attributes: attrs };
}

function conditions(raw: unknown, id: string, where: string, v1: boolean): AttributeCondition[] {
  if (!Array.isArray(raw)) throw invalidPolicy(`Policy ${id}: ${where} must be a list.`);
  return raw.map((entry, i) => {
    if (!isRecord(entry)) throw invalidPolicy(`Policy ${id}: ${where}[${i}] must be an object.`);
    // v2 uses `key`; v1 uses `name` (also accepted in v2 as an alias, authz.md §2.2).
    const key = typeof entry.key === 'string' ? entry.key : entry.name;
    const operator = entry.operator ?? (v1 ? 'stringEquals' : undefined);
    if (typeof key !== 'string' || key === '') throw invalidPolicy(`Policy ${id}: ${where}[${i}] has no key.`);
    if (typeof operator !== 'string' || !OPERATORS.has(operator)) {
      throw invalidPolicy(`Policy ${id}: ${where}[${i}] has unsupported operator ${String(operator)}.`);
    }
    const value = entry.value;
    const ok = typeof value === 'string' || typeof value === 'boolean' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) throw invalidPolicy(`Policy ${id}: ${where}[${i}] value must be a string, boolean or list of strings.`);
    return { key, operator: operator as AttributeOperator, value: value as AttributeCondition['value'] };
  });
}

function roleIds(raw: unknown, id: string): string[] {
  if (!Array.isArray(raw)) throw invalidPolicy(`Policy ${id}: roles must be a list.`);
  return raw.map((r, i) => {
    if (!isRecord(r) || typeof r.role_id !== 'string') throw invalidPolicy(`Policy ${id}: roles[${i}] needs a role_id.`);
    return r.role_id;
  });
}

function single(raw: unknown, id: string, where: string): Record<string, unknown> {
  if (!Array.isArray(raw) || raw.length !== 1 || !isRecord(raw[0])) throw invalidPolicy(`Policy ${id}: ${where} must hold exactly one entry.`);
  return raw[0];
}

function recordAt(obj: Record<string, unknown>, key: string, id: string): Record<string, unknown> {
  const value = obj[key];
  if (!isRecord(value)) throw invalidPolicy(`Policy ${id}: ${key} is missing or malformed.`);
  return value;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
