import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, customRoleCrn } from '../../src/catalog/catalog.js';
import { platformRoles, serviceRoles } from '../../src/catalog/system.js';
import { authorize, decide } from '../../src/pdp/authorize.js';
import { Snapshot } from '../../src/pdp/snapshot.js';
import type { AttributeCondition, DecisionRequest, Policy, Rule } from '../../src/pdp/types.js';
import { naiveDecide, type World } from './naive.js';

/**
 * Differential tests: on random worlds and requests the indexed PDP must answer exactly as the
 * naive evaluator (a loop over every policy), before and after random incremental updates.
 */

const NOW = Date.parse('2024-06-03T12:00:00Z'); // a Monday
const ACCOUNTS = ['acct-a', 'acct-b'];
const USERS = ['IBMid-U1', 'IBMid-U2', 'IBMid-U3', 'iam-ServiceId-S1'];
const GROUPS = ['AccessGroupId-G1', 'AccessGroupId-G2', 'AccessGroupId-G3', 'AccessGroupId-PublicAccess'];
const SERVICES = ['cloud-object-storage', 'kms', 'iam-groups', 'iam-identity', 'support', 'resource-controller'];
const INSTANCES = ['i1', 'i2', 'i3'];
const GROUP_IDS = ['rg1', 'rg2'];
const REGIONS = ['us-south', 'us-east', 'eu-de'];
const TYPES = ['bucket', 'key', 'resource-group'];
const RESOURCES = ['r1', 'r2', 'rg1', 'logs-1'];
const SOURCE_CRNS = [
  'crn-crn:v1:bluemix:public:containers-kubernetes:us-south:a/acct-a:i1::',
  'crn-crn:v1:bluemix:public:is:eu-de:a/acct-b:i2::',
];
const ACTIONS = [
  'cloud-object-storage.object.get', 'cloud-object-storage.object.put', 'cloud-object-storage.bucket.get',
  'kms.secrets.list', 'kms.secrets.delete', 'iam-groups.groups.read', 'iam-groups.groups.create',
  'iam-identity.serviceid.create', 'support.case.create', 'iam.policy.create', 'iam.policy.read',
  'resource-controller.group.retrieve', 'resource-controller.instance.create', 'no.such.action',
];

const catalog = Catalog.withSeed();
catalog.upsertCustomRole({
  crn: customRoleCrn('acct-a', 'Lister'),
  name: 'Lister',
  displayName: 'Lister',
  description: '',
  kind: 'custom',
  accountId: 'acct-a',
  serviceName: 'cloud-object-storage',
  actions: ['cloud-object-storage.bucket.get'],
});
const ROLES = [
  platformRoles.viewer.crn, platformRoles.editor.crn, platformRoles.administrator.crn,
  serviceRoles.reader.crn, serviceRoles.writer.crn, serviceRoles.manager.crn,
  'crn:v1:bluemix:public:iam-identity::::serviceRole:ServiceIdCreator', customRoleCrn('acct-a', 'Lister'),
];

const eq = (key: string, values: string[]) => fc.constantFrom(...values).map((value): AttributeCondition => ({ key, operator: 'stringEquals', value }));
const resourceCondition: fc.Arbitrary<AttributeCondition> = fc.oneof(
  eq('serviceName', SERVICES),
  eq('serviceType', ['service', 'platform_service']),
  eq('service_group_id', ['IAM']),
  eq('serviceInstance', INSTANCES),
  eq('resourceGroupId', GROUP_IDS),
  eq('region', REGIONS),
  eq('resourceType', TYPES),
  eq('resource', RESOURCES),
  fc.constantFrom('us-*', '*-de', 'us-?ast', 'cloud-*', 'logs-?', '*').chain((value) =>
    fc.constantFrom('region', 'serviceName', 'resource').map((key): AttributeCondition => ({ key, operator: 'stringMatch', value })),
  ),
  fc.record({ key: fc.constantFrom('serviceInstance', 'resourceType', 'region'), operator: fc.constant('stringExists' as const), value: fc.boolean() }),
  fc.subarray(INSTANCES, { minLength: 1 }).map((value): AttributeCondition => ({ key: 'serviceInstance', operator: 'stringEqualsAnyOf', value })),
  fc.subarray(['kms', 'cloud-*', 'iam-?roups'], { minLength: 1 }).map((value): AttributeCondition => ({ key: 'serviceName', operator: 'stringMatchAnyOf', value })),
);

const ruleArb: fc.Arbitrary<Rule | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(undefined),
  fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }).map((value): Rule => ({ key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value })),
  fc.constantFrom('11:00:00+00:00', '13:00:00+02:00', '12:00:00[Europe/Berlin]').map((value): Rule => ({
    key: '{{environment.attributes.current_time}}', operator: 'timeLessThanOrEquals', value,
  })),
  fc.constantFrom('r*', 'logs-?', '*').map((value): Rule => ({ key: '{{resource.attributes.resource}}', operator: 'stringMatch', value })),
);

const subjectArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...USERS).map((iamId) => ({ kind: 'iam_id' as const, iamId })) },
  { weight: 3, arbitrary: fc.constantFrom(...GROUPS).map((groupId) => ({ kind: 'access_group' as const, groupId })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(eq('serviceName', ['containers-kubernetes', 'is']), fc.option(eq('accountId', ACCOUNTS), { nil: undefined }))
      .map(([a, b]) => ({ kind: 'service' as const, attributes: b ? [a, b] : [a] })),
  },
);

const policyArb = (id: string): fc.Arbitrary<Policy> =>
  fc
    .record({
      accountId: fc.constantFrom(...ACCOUNTS),
      state: fc.constantFrom('active', 'active', 'active', 'deleted') as fc.Arbitrary<Policy['state']>,
      subject: subjectArb,
      resource: fc.uniqueArray(resourceCondition, { maxLength: 3, selector: (c) => c.key }),
      tags: fc.constantFrom<AttributeCondition[]>([], [{ key: 'env', operator: 'stringMatch', value: 'dev*' }]),
      roles: fc.subarray(ROLES, { minLength: 1, maxLength: 3 }),
      rule: ruleArb,
    })
    .map(({ rule, ...p }): Policy => ({
      id,
      type: p.subject.kind === 'service' ? 'authorization' : 'access',
      ...p,
      ...(rule ? { rule } : {}),
    }));

const membershipArb = fc.record({
  accountId: fc.constantFrom(...ACCOUNTS),
  groupId: fc.constantFrom(...GROUPS.slice(0, 3)),
  iamId: fc.constantFrom(...USERS),
  expiresAt: fc.option(fc.constantFrom(NOW - 1, NOW, NOW + 1, NOW + 3_600_000), { nil: undefined }),
});
const instanceArb = fc.record({ accountId: fc.constantFrom(...ACCOUNTS), instanceId: fc.constantFrom(...INSTANCES), resourceGroupId: fc.constantFrom(...GROUP_IDS) });

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
type TimedRequest = DecisionRequest & { now: number };
const requestArb: fc.Arbitrary<TimedRequest> = fc
  .record({
    subject: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...USERS) },
      { weight: 1, arbitrary: fc.constantFrom('', ...SOURCE_CRNS) },
    ),
    action: fc.constantFrom(...ACTIONS),
    accountId: fc.constantFrom(...ACCOUNTS),
    serviceName: optional(fc.constantFrom(...SERVICES)),
    serviceInstance: optional(fc.constantFrom(...INSTANCES)),
    resourceGroupId: fc.option(fc.constantFrom(...GROUP_IDS), { nil: undefined, freq: 4 }),
    region: optional(fc.constantFrom(...REGIONS)),
    resourceType: optional(fc.constantFrom(...TYPES)),
    resource: optional(fc.constantFrom(...RESOURCES)),
    env: fc.option(fc.constantFrom('dev-1', 'prod'), { nil: undefined }),
    now: fc.constantFrom(NOW, NOW + 86_400_000 * 5 - 3_600_000, NOW - 7_200_000),
  })
  .map(({ subject, action, env, now, ...resource }) => {
    const attributes = Object.fromEntries(Object.entries(resource).filter(([, v]) => v !== undefined)) as DecisionRequest['resource'];
    const request: TimedRequest = { subject: { id: subject }, action, resource: attributes, ...(env ? { tags: { env: [env] } } : {}), now };
    return request;
  });

interface Model {
  policies: Policy[];
  memberships: World['memberships'];
  instances: World['instances'];
  publicAccess: Array<{ accountId: string; enabled: boolean }>;
}

const modelArb: fc.Arbitrary<Model> = fc.record({
  policies: fc.integer({ min: 0, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policyArb(`p${i}`)))),
  memberships: fc.array(membershipArb, { maxLength: 12 }),
  instances: fc.uniqueArray(instanceArb, { maxLength: 5, selector: (i) => `${i.accountId}/${i.instanceId}` }),
  publicAccess: fc.subarray(ACCOUNTS).map((on) => ACCOUNTS.map((accountId) => ({ accountId, enabled: on.includes(accountId) }))),
});

function worldOf(m: Model): World {
  return {
    catalog,
    policies: m.policies,
    memberships: m.memberships,
    instances: m.instances,
    publicAccess: new Map(m.publicAccess.map((p) => [p.accountId, p.enabled])),
  };
}

const isCrnCaller = (r: DecisionRequest) => r.subject.attributes !== undefined || r.subject.id.startsWith('crn-');

/**
 * Each request decided alone must agree with the naive evaluator; the same requests decided in
 * batches (authorize, one batch per decision time) must get exactly the decisions they got alone.
 */
function expectSameAnswers(snapshot: Snapshot, world: World, requests: readonly TimedRequest[]): void {
  const alone = requests.map((request) => decide(request, snapshot, request.now));
  requests.forEach((request, i) => {
    const decision = alone[i]!;
    const naive = naiveDecide(world, request, request.now);
    if (decision.permitted !== naive.permitted || (decision.permitted && !naive.policyIds.has(decision.policyId!))) {
      expect({ request, decision }).toEqual({ request, decision: { permitted: naive.permitted, policyIds: [...naive.policyIds] } });
    }
    // The reason for a denial too. (A CRN caller's authorization policies are indexed by source
    // service, so one that only differs in other source attributes counts as reaching it.)
    if (!decision.permitted && !isCrnCaller(request) && decision.cause !== naive.cause) {
      expect({ request, cause: decision.cause }).toEqual({ request, cause: naive.cause });
    }
  });
  for (const now of new Set(requests.map((r) => r.now))) {
    const batch = requests.flatMap((r, i) => (r.now === now ? [i] : []));
    const batched = authorize(batch.map((i) => requests[i]!), snapshot, { now });
    batch.forEach((i, k) => {
      const [a, b] = [alone[i]!, batched[k]!];
      if (a.permitted !== b.permitted || a.policyId !== b.policyId || a.cause !== b.cause) expect({ request: requests[i], batched: b }).toEqual({ request: requests[i], batched: a });
    });
  }
}

describe('indexed PDP ≡ naive evaluator', () => {
  it('on random worlds (200 runs × 500 requests)', () => {
    fc.assert(
      fc.property(modelArb, fc.array(requestArb, { minLength: 500, maxLength: 500 }), (model, requests) => {
        const { snapshot, rejected } = Snapshot.build({ catalog, ...model });
        expect(rejected).toEqual([]);
        expectSameAnswers(snapshot, worldOf(model), requests);
      }),
      { numRuns: 200 },
    );
  });

  type Op =
    | { op: 'upsert'; policy: Policy }
    | { op: 'remove'; index: number }
    | { op: 'member'; m: World['memberships'][number] }
    | { op: 'unmember'; index: number }
    | { op: 'instance'; i: World['instances'][number] }
    | { op: 'uninstance'; index: number }
    | { op: 'public'; accountId: string; enabled: boolean };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.integer({ min: 0, max: 60 }).chain((n) => policyArb(`p${n}`)).map((policy) => ({ op: 'upsert' as const, policy })),
    fc.nat().map((index) => ({ op: 'remove' as const, index })),
    membershipArb.map((m) => ({ op: 'member' as const, m })),
    fc.nat().map((index) => ({ op: 'unmember' as const, index })),
    instanceArb.map((i) => ({ op: 'instance' as const, i })),
    fc.nat().map((index) => ({ op: 'uninstance' as const, index })),
    fc.record({ accountId: fc.constantFrom(...ACCOUNTS), enabled: fc.boolean() }).map((p) => ({ op: 'public' as const, ...p })),
  );

  /** Applies an operation to the snapshot incrementally and to the model by rebuilding its lists. */
  function apply(snapshot: Snapshot, model: Model, o: Op): void {
    switch (o.op) {
      case 'upsert':
        snapshot.upsertPolicy(o.policy);
        model.policies = [...model.policies.filter((p) => p.id !== o.policy.id), o.policy];
        return;
      case 'remove': {
        const victim = model.policies[o.index % Math.max(1, model.policies.length)];
        if (!victim) return;
        snapshot.removePolicy(victim.id);
        model.policies = model.policies.filter((p) => p !== victim);
        return;
      }
      case 'member':
        snapshot.addMember(o.m.accountId, o.m.groupId, o.m.iamId, o.m.expiresAt);
        model.memberships = [...model.memberships, o.m];
        return;
      case 'unmember': {
        const victim = model.memberships[o.index % Math.max(1, model.memberships.length)];
        if (!victim) return;
        snapshot.removeMember(victim.accountId, victim.groupId, victim.iamId);
        model.memberships = model.memberships.filter(
          (m) => !(m.accountId === victim.accountId && m.groupId === victim.groupId && m.iamId === victim.iamId),
        );
        return;
      }
      case 'instance':
        snapshot.setInstanceGroup(o.i.accountId, o.i.instanceId, o.i.resourceGroupId);
        model.instances = [...model.instances.filter((i) => !(i.accountId === o.i.accountId && i.instanceId === o.i.instanceId)), o.i];
        return;
      case 'uninstance': {
        const victim = model.instances[o.index % Math.max(1, model.instances.length)];
        if (!victim) return;
        snapshot.removeInstance(victim.accountId, victim.instanceId);
        model.instances = model.instances.filter((i) => i !== victim);
        return;
      }
      case 'public':
        snapshot.setPublicAccess(o.accountId, o.enabled);
        model.publicAccess = [...model.publicAccess.filter((p) => p.accountId !== o.accountId), { accountId: o.accountId, enabled: o.enabled }];
        return;
    }
  }

  it('after random incremental updates (60 runs × 25 updates × 40 requests)', () => {
    fc.assert(
      fc.property(
        modelArb,
        fc.array(fc.tuple(opArb, fc.array(requestArb, { minLength: 40, maxLength: 40 })), { minLength: 25, maxLength: 25 }),
        (initial, steps) => {
          const model: Model = { ...initial };
          const { snapshot } = Snapshot.build({ catalog, ...initial });
          for (const [op, requests] of steps) {
            apply(snapshot, model, op);
            expectSameAnswers(snapshot, worldOf(model), requests);
          }
          expect(snapshot.policyCount).toBe(model.policies.filter((p) => p.state === 'active').length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
