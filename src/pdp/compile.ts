import { compileRule, compileStringTest, invalidPolicy, type CompiledRule, type StringTest } from './conditions.js';
import type { AttributeCondition, Decision, Policy, ResourceAttributes } from './types.js';

/**
 * A policy turned into what a decision runs: precompiled attribute tests, the keys it is indexed
 * under, and its permit decisions (one per role, built once so a permit allocates nothing).
 */
export interface CompiledPolicy {
  readonly policy: Policy;
  readonly id: string;
  /** The roles that can grant here: a custom role of another account never does. */
  readonly roles: readonly string[];
  /** `permits[i]` is the decision when `roles[i]` grants the action. */
  readonly permits: readonly Decision[];
  readonly resourceTests: readonly ResourceTest[];
  readonly tagTests: readonly TagTest[];
  /** For authorization policies: tests on the source (subject) attributes. */
  readonly subjectTests: readonly SubjectTest[];
  readonly rule: CompiledRule | undefined;
  readonly placement: Placement;
}

/** Where a resource test reads its value: attributes the decision point derives, or the request. */
export const Source = {
  Attribute: 0,
  ServiceName: 1,
  ServiceType: 2,
  ServiceGroup: 3,
  ResourceGroup: 4,
} as const;
export type Source = (typeof Source)[keyof typeof Source];

export interface ResourceTest {
  readonly source: Source;
  readonly key: string;
  readonly test: StringTest;
}

export interface TagTest {
  readonly key: string;
  readonly test: StringTest;
}

export interface SubjectTest {
  readonly key: string;
  readonly test: StringTest;
}

/** The index keys of a policy: which service bucket and which scope within it. */
export interface Placement {
  readonly service: { readonly by: 'name' | 'type' | 'group'; readonly value: string } | undefined;
  readonly scope: { readonly by: ScopeKey; readonly value: string } | undefined;
  /** For authorization policies, the source service (undefined = any). */
  readonly subjectService: string | undefined;
}

export type ScopeKey = 'serviceInstance' | 'resourceGroupId' | 'resource';
export const SCOPE_KEYS: readonly ScopeKey[] = ['serviceInstance', 'resourceGroupId', 'resource'];

const derivedSources: Readonly<Record<string, Source>> = {
  serviceName: Source.ServiceName,
  serviceType: Source.ServiceType,
  service_group_id: Source.ServiceGroup,
  resourceGroupId: Source.ResourceGroup,
};

/** Custom role CRNs carry their account: `crn:v1:ibmcloud:public:iam-access-management::a/<acct>::customRole:<Name>`. */
function roleUsableIn(roleCrn: string, accountId: string): boolean {
  const scope = roleCrn.split(':')[6] ?? '';
  return !scope.startsWith('a/') || scope === `a/${accountId}`;
}

/** Throws DomainError('invalid', 'invalid_policy') when an operator, value or rule is malformed. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  if (!policy.id || !policy.accountId) throw invalidPolicy('A policy needs an id and an account.');
  const at = (i: number, what: string) => `policy ${policy.id} ${what}[${i}]`;

  const resourceTests: ResourceTest[] = [];
  let foreignAccount = false;
  for (const [i, attr] of policy.resource.entries()) {
    if (attr.key === 'accountId') {
      // The policy's account is authoritative; a contradicting accountId attribute matches nothing.
      if (attr.operator !== 'stringEquals' || attr.value !== policy.accountId) foreignAccount = true;
      continue;
    }
    resourceTests.push({
      source: derivedSources[attr.key] ?? Source.Attribute,
      key: attr.key,
      test: compileStringTest(attr.operator, attr.value, at(i, 'resource.attributes')),
    });
  }
  if (foreignAccount) resourceTests.push({ source: Source.Attribute, key: 'accountId', test: () => false });

  const tagTests = policy.tags.map((tag, i) => ({ key: tag.key, test: compileStringTest(tag.operator, tag.value, at(i, 'resource.tags')) }));
  const subjectTests =
    policy.subject.kind === 'service'
      ? policy.subject.attributes.map((a, i) => ({ key: a.key, test: compileStringTest(a.operator, a.value, at(i, 'subject.attributes')) }))
      : [];
  const rule = policy.rule ? compileRule(policy.rule) : undefined;

  const roles = [...new Set(policy.roles)].filter((crn) => roleUsableIn(crn, policy.accountId));
  const permits = roles.map((role) =>
    Object.freeze({ permitted: true, reason: `Permitted by policy ${policy.id} (role ${role}).`, policyId: policy.id, role }),
  );

  return {
    policy,
    id: policy.id,
    roles,
    permits,
    resourceTests,
    tagTests,
    subjectTests,
    rule,
    placement: placementOf(policy),
  };
}

const equalsValue = (attrs: readonly AttributeCondition[], key: string) => {
  const attr = attrs.find((a) => a.key === key && a.operator === 'stringEquals');
  return typeof attr?.value === 'string' ? attr.value : undefined;
};

function placementOf(policy: Policy): Placement {
  const attrs = policy.resource;
  const name = equalsValue(attrs, 'serviceName');
  const type = equalsValue(attrs, 'serviceType');
  const group = equalsValue(attrs, 'service_group_id');
  const service =
    name !== undefined ? { by: 'name' as const, value: name }
    : type !== undefined ? { by: 'type' as const, value: type }
    : group !== undefined ? { by: 'group' as const, value: group }
    : undefined;
  let scope: Placement['scope'];
  for (const key of SCOPE_KEYS) {
    const value = equalsValue(attrs, key);
    if (value !== undefined) {
      scope = { by: key, value };
      break;
    }
  }
  const subjectService = policy.subject.kind === 'service' ? equalsValue(policy.subject.attributes, 'serviceName') : undefined;
  return { service, scope, subjectService };
}

/**
 * A request's resource as the policies see it, with the derived attributes filled in. One object
 * is reused across decisions (decisions are synchronous), so evaluating allocates nothing.
 */
export interface ResolvedResource {
  resource: ResourceAttributes;
  serviceName: string | undefined;
  serviceType: string | undefined;
  serviceGroup: string | undefined;
  /** The request's resource group, or the group its instance lives in. */
  resourceGroupId: string | undefined;
  tags: Readonly<Record<string, readonly string[]>> | undefined;
}

function valueOf(test: ResourceTest, r: ResolvedResource): string | undefined {
  switch (test.source) {
    case Source.Attribute:
      return r.resource[test.key];
    case Source.ServiceName:
      return r.serviceName;
    case Source.ServiceType:
      return r.serviceType;
    case Source.ServiceGroup:
      return r.serviceGroup;
    case Source.ResourceGroup:
      return r.resourceGroupId;
  }
}

/** The first resource attribute or tag of the policy the resource does not satisfy, or undefined. */
export function resourceMismatch(p: CompiledPolicy, r: ResolvedResource): string | undefined {
  for (const test of p.resourceTests) if (!test.test(valueOf(test, r))) return test.key;
  for (const tag of p.tagTests) if (!tagMatches(tag, r.tags)) return `tag ${tag.key}`;
  return undefined;
}

export function resourceMatches(p: CompiledPolicy, r: ResolvedResource): boolean {
  const tests = p.resourceTests;
  for (let i = 0; i < tests.length; i++) {
    const test = tests[i]!;
    if (!test.test(valueOf(test, r))) return false;
  }
  const tags = p.tagTests;
  for (let i = 0; i < tags.length; i++) if (!tagMatches(tags[i]!, r.tags)) return false;
  return true;
}

function tagMatches(tag: TagTest, tags: ResolvedResource['tags']): boolean {
  const values = tags?.[tag.key];
  if (values === undefined) return false;
  for (const value of values) if (tag.test(value)) return true;
  return false;
}

export function subjectMatches(p: CompiledPolicy, attributes: Readonly<Record<string, string | undefined>>): boolean {
  for (const test of p.subjectTests) if (!test.test(attributes[test.key])) return false;
  return true;
}
