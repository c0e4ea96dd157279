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
  /** `roles[0]` and `roles.length` on the policy itself: most policies have one role. */
  readonly firstRole: string | undefined;
  readonly roleCount: number;
  readonly resourceTests: readonly ResourceTest[];
  /**
   * The resource tests a decision still runs once the index has found the policy: those its
   * placement guarantees are left out (the scope's, and the service key's unless the scope is a
   * `resource`, whose lists hold every service).
   */
  readonly residualTests: readonly ResourceTest[];
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
  /** The value a `stringEquals` test expects, compared inline (no call); undefined otherwise. */
  readonly equals: string | undefined;
}

export interface TagTest {
  readonly key: string;
  readonly test: StringTest;
}

export interface SubjectTest {
  readonly key: string;
  readonly test: StringTest;
}

/**
 * The index keys of a policy: which service bucket and which scope within it, each with the index
 * in `policy.resource` of the `stringEquals` attribute it comes from.
 */
export interface Placement {
  readonly service: { readonly by: 'name' | 'type' | 'group'; readonly value: string; readonly from: number } | undefined;
  readonly scope: { readonly by: ScopeKey; readonly value: string; readonly from: number } | undefined;
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

/**
 * One empty array shared by every policy without tests of a kind: a decision reads its length
 * from a line already in cache rather than from an array of the policy's own.
 */
const NONE: readonly never[] = [];
const orNone = <T>(list: readonly T[]): readonly T[] => (list.length === 0 ? NONE : list);

/**
 * A permit by one policy and role, made per decision (a young object the caller reads at once,
 * rather than one kept per policy that would be a cache miss). Its reason is composed only when
 * read: most never are.
 */
export class Permit implements Decision {
  readonly permitted = true;

  constructor(
    readonly policyId: string,
    readonly role: string,
  ) {}

  get reason(): string {
    return `Permitted by policy ${this.policyId} (role ${this.role}).`;
  }
}

/** Custom role CRNs carry their account: `crn:v1:ibmcloud:public:iam-access-management::a/<acct>::customRole:<Name>`. */
function roleUsableIn(roleCrn: string, accountId: string): boolean {
  const scope = roleCrn.split(':')[6] ?? '';
  return !scope.startsWith('a/') || scope === `a/${accountId}`;
}

/** Throws DomainError('invalid', 'invalid_policy') when an operator, value or rule is malformed. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  if (!policy.id || !policy.accountId) throw invalidPolicy('A policy needs an id and an account.');
  const at = (i: number, what: string) => `policy ${policy.id} ${what}[${i}]`;

  const placement = placementOf(policy);
  const resourceTests: ResourceTest[] = [];
  const residualTests: ResourceTest[] = [];
  let foreignAccount = false;
  for (const [i, attr] of policy.resource.entries()) {
    if (attr.key === 'accountId') {
      // The policy's account is authoritative; a contradicting accountId attribute matches nothing.
      if (attr.operator !== 'stringEquals' || attr.value !== policy.accountId) foreignAccount = true;
      continue;
    }
    const test: ResourceTest = {
      source: derivedSources[attr.key] ?? Source.Attribute,
      key: attr.key,
      test: compileStringTest(attr.operator, attr.value, at(i, 'resource.attributes')),
      equals: attr.operator === 'stringEquals' ? String(attr.value) : undefined,
    };
    resourceTests.push(test);
    const serviceImplied = placement.scope?.by !== 'resource' && i === placement.service?.from;
    if (i !== placement.scope?.from && !serviceImplied) residualTests.push(test);
  }
  if (foreignAccount) {
    const never: ResourceTest = { source: Source.Attribute, key: 'accountId', test: () => false, equals: undefined };
    resourceTests.push(never);
    residualTests.push(never);
  }

  const tagTests = policy.tags.map((tag, i) => ({ key: tag.key, test: compileStringTest(tag.operator, tag.value, at(i, 'resource.tags')) }));
  const subjectTests =
    policy.subject.kind === 'service'
      ? policy.subject.attributes.map((a, i) => ({ key: a.key, test: compileStringTest(a.operator, a.value, at(i, 'subject.attributes')) }))
      : [];
  const rule = policy.rule ? compileRule(policy.rule) : undefined;

  const roles = [...new Set(policy.roles)].filter((crn) => roleUsableIn(crn, policy.accountId));

  return {
    policy,
    id: policy.id,
    roles,
    firstRole: roles[0],
    roleCount: roles.length,
    resourceTests,
    residualTests: orNone(residualTests),
    tagTests: orNone(tagTests),
    subjectTests: orNone(subjectTests),
    rule,
    placement,
  };
}

/** The index in `attrs` of the first `stringEquals` on `key`, or -1. */
const equalsAt = (attrs: readonly AttributeCondition[], key: string) => {
  const i = attrs.findIndex((a) => a.key === key && a.operator === 'stringEquals');
  return i >= 0 && typeof attrs[i]!.value === 'string' ? i : -1;
};
const equalsValue = (attrs: readonly AttributeCondition[], key: string) => {
  const i = equalsAt(attrs, key);
  return i < 0 ? undefined : (attrs[i]!.value as string);
};

function placementOf(policy: Policy): Placement {
  const attrs = policy.resource;
  const valueAt = (i: number) => attrs[i]!.value as string;
  const name = equalsAt(attrs, 'serviceName');
  const type = equalsAt(attrs, 'serviceType');
  const group = equalsAt(attrs, 'service_group_id');
  const service =
    name >= 0 ? { by: 'name' as const, value: valueAt(name), from: name }
    : type >= 0 ? { by: 'type' as const, value: valueAt(type), from: type }
    : group >= 0 ? { by: 'group' as const, value: valueAt(group), from: group }
    : undefined;
  let scope: Placement['scope'];
  for (const key of SCOPE_KEYS) {
    const i = equalsAt(attrs, key);
    if (i >= 0) {
      scope = { by: key, value: valueAt(i), from: i };
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

/** Whether a policy the index found for `r` matches it: only its residual tests run. */
export function residualMatches(p: CompiledPolicy, r: ResolvedResource): boolean {
  const tests = p.residualTests;
  for (let i = 0; i < tests.length; i++) {
    const test = tests[i]!;
    const value = valueOf(test, r);
    if (test.equals !== undefined ? value !== test.equals : !test.test(value)) return false;
  }
  const tags = p.tagTests;
  for (let i = 0; i < tags.length; i++) if (!tagMatches(tags[i]!, r.tags)) return false;
  return true;
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
