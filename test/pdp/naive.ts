import { NO_SERVICE } from '../../src/pdp/grants.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { accountOfScope, parseCrn } from '../../src/kernel/crn.js';
import { compileRule } from '../../src/pdp/conditions.js';
import type { AttributeCondition, DecisionRequest, DenyCause, Policy } from '../../src/pdp/types.js';

/**
 * The reference evaluator for differential tests: authz.md §3 read literally, over a plain list of
 * policies with no index, and its own wildcard matcher. Only rule evaluation is shared with the
 * PDP (the conditions have their own table cases).
 */
export interface World {
  catalog: Catalog;
  policies: Policy[];
  memberships: Array<{ accountId: string; groupId: string; iamId: string; expiresAt?: number }>;
  instances: Array<{ accountId: string; instanceId: string; resourceGroupId: string }>;
  publicAccess: Map<string, boolean>;
}

/**
 * Whether the request is permitted, and by which policies; when denied, why (DenyCause): the most
 * specific stage some policy got to (reached the subject, matched the resource, had a granting
 * role but a false rule).
 */
export function naiveDecide(world: World, request: DecisionRequest, nowMs: number): { permitted: boolean; policyIds: Set<string>; cause?: DenyCause } {
  const policyIds = new Set<string>();
  const { catalog } = world;
  const r = request.resource;
  if (!catalog.knowsAction(request.action)) return { permitted: false, policyIds, cause: 'unknown_action' };
  const serviceName = r.serviceName || catalog.serviceOfAction(request.action) || NO_SERVICE;
  const service = catalog.grantsOn(serviceName)?.service;
  if (!service) return { permitted: false, policyIds, cause: 'no_service' };
  const granting = catalog.rolesGranting(request.action, serviceName);
  if (granting.size === 0) return { permitted: false, policyIds, cause: 'no_role_grants_action_on_service' };
  const resourceGroupId =
    r.resourceGroupId ?? world.instances.find((i) => i.accountId === r.accountId && i.instanceId === r.serviceInstance)?.resourceGroupId;

  const attributeValue = (key: string): string | undefined => {
    switch (key) {
      case 'serviceName':
        return serviceName;
      case 'serviceType':
        return service.type;
      case 'service_group_id':
        return service.groupId;
      case 'resourceGroupId':
        return resourceGroupId;
      default:
        return r[key];
    }
  };

  let reached = false;
  let matched = false;
  let falseRule = false;
  for (const p of world.policies) {
    if (p.state !== 'active' || p.accountId !== r.accountId) continue;
    if (!subjectReaches(world, p, request, nowMs)) continue;
    reached = true;
    if (!p.resource.every((a) => (a.key === 'accountId' ? a.operator === 'stringEquals' && a.value === r.accountId : holds(a, attributeValue(a.key))))) continue;
    if (!p.tags.every((t) => (request.tags?.[t.key] ?? []).some((v) => holds(t, v)))) continue;
    matched = true;
    const roleGrants = p.roles.some((role) => granting.has(role) && customRoleUsable(role, p.accountId));
    if (!roleGrants) continue;
    if (p.rule && !compileRule(p.rule)({ nowMs, resource: r, environment: request.environment?.attributes })) {
      falseRule = true;
      continue;
    }
    policyIds.add(p.id);
  }
  if (policyIds.size > 0) return { permitted: true, policyIds };
  const cause: DenyCause = falseRule ? 'condition_not_satisfied' : matched ? 'no_role_grants_action' : reached ? 'no_policy_for_resource' : 'no_policy_for_subject';
  return { permitted: false, policyIds, cause };
}

function subjectReaches(world: World, p: Policy, request: DecisionRequest, nowMs: number): boolean {
  const subject = p.subject;
  const id = request.subject.id;
  switch (subject.kind) {
    case 'iam_id':
      return id !== '' && subject.iamId === id;
    case 'access_group':
      if (subject.groupId === 'AccessGroupId-PublicAccess' && world.publicAccess.get(p.accountId) === true) return true;
      return (
        id !== '' &&
        world.memberships.some(
          (m) => m.accountId === p.accountId && m.groupId === subject.groupId && m.iamId === id && (m.expiresAt ?? Infinity) > nowMs,
        )
      );
    case 'service': {
      const attrs = sourceAttributes(world, request);
      return attrs !== undefined && subject.attributes.every((a) => holds(a, attrs[a.key]));
    }
  }
}

function sourceAttributes(world: World, request: DecisionRequest): Record<string, string | undefined> | undefined {
  if (request.subject.attributes) return { ...request.subject.attributes };
  if (!request.subject.id.startsWith('crn-')) return undefined;
  const crn = parseCrn(request.subject.id.slice(4));
  if (!crn) return undefined;
  const accountId = accountOfScope(crn.scope);
  const none = (v: string) => v || undefined;
  return {
    serviceName: none(crn.serviceName),
    accountId,
    serviceInstance: none(crn.serviceInstance),
    region: none(crn.location),
    resourceType: none(crn.resourceType),
    resource: none(crn.resource),
    resourceGroupId: world.instances.find((i) => i.accountId === accountId && i.instanceId === crn.serviceInstance)?.resourceGroupId,
  };
}

function customRoleUsable(role: string, accountId: string): boolean {
  const scope = role.split(':')[6] ?? '';
  return !scope.startsWith('a/') || scope === `a/${accountId}`;
}

function holds(a: AttributeCondition, value: string | undefined): boolean {
  switch (a.operator) {
    case 'stringEquals':
      return value !== undefined && value === String(a.value);
    case 'stringExists':
      return (a.value === true || a.value === 'true') === (value !== undefined);
    case 'stringMatch':
      return value !== undefined && wildcardMatches(String(a.value), value);
    case 'stringEqualsAnyOf':
      return value !== undefined && (a.value as string[]).includes(value);
    case 'stringMatchAnyOf':
      return value !== undefined && (a.value as string[]).some((pattern) => wildcardMatches(pattern, value));
  }
}

/** Backtracking matcher: `*` any run, `?` one character, `{{*}}`/`{{?}}` literals. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const tokens: Array<'*' | '?' | { literal: string }> = [];
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('{{*}}', i) || pattern.startsWith('{{?}}', i)) {
      tokens.push({ literal: pattern[i + 2]! });
      i += 5;
    } else if (pattern[i] === '*' || pattern[i] === '?') {
      tokens.push(pattern[i] as '*' | '?');
      i++;
    } else {
      tokens.push({ literal: pattern[i]! });
      i++;
    }
  }
  const chars = [...value];
  const memo = new Map<string, boolean>();
  const match = (t: number, c: number): boolean => {
    const key = `${t},${c}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (t === tokens.length) result = c === chars.length;
    else {
      const token = tokens[t]!;
      if (token === '*') result = match(t + 1, c) || (c < chars.length && match(t, c + 1));
      else if (token === '?') result = c < chars.length && match(t + 1, c + 1);
      else result = c < chars.length && chars[c] === token.literal && match(t + 1, c + 1);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}
