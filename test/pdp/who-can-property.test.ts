import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, customRoleCrn } from '../../src/catalog/catalog.js';
import { platformRoles, serviceRoles } from '../../src/catalog/system.js';
import { decide } from '../../src/pdp/authorize.js';
import { Snapshot } from '../../src/pdp/snapshot.js';
import { whoCan } from '../../src/pdp/who-can.js';
import type { AttributeCondition, DecisionRequest, Policy, Rule } from '../../src/pdp/types.js';
import { naiveDecide, type World } from './naive.js';

/**
 * The reverse query against the naive evaluator: on random worlds, for a random action and
 * resource, `whoCan` names exactly the identities the naive evaluator permits (everyone when the
 * Public Access group grants it), each with only policies the naive evaluator says grant; and the
 * indexed decision agrees identity by identity.
 */

const NOW = Date.parse('2024-06-03T12:00:00Z'); // a Monday
const ACCOUNTS = ['acct-a', 'acct-b'];
const USERS = ['IBMid-U1', 'IBMid-U2', 'IBMid-U3', 'iam-ServiceId-S1', 'iam-Profile-P1'];
const GROUPS = ['AccessGroupId-G1', 'AccessGroupId-G2', 'AccessGroupId-G3', 'AccessGroupId-PublicAccess'];
const SERVICES = ['cloud-object-storage', 'kms', 'iam-groups', 'iam-identity'];
const INSTANCES = ['i1', 'i2'];
const GROUP_IDS = ['rg1', 'rg2'];
const ACTIONS = [
  'cloud-object-storage.object.get', 'cloud-object-storage.object.put', 'cloud-object-storage.bucket.get',
  'kms.secrets.list', 'iam-groups.groups.read', 'iam-identity.serviceid.create', 'iam.policy.read',
  'resource-controller.group.retrieve', 'no.such.action',
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
  platformRoles.viewer.crn, platformRoles.administrator.crn, serviceRoles.reader.crn, serviceRoles.writer.crn,
  'crn:v1:bluemix:public:iam-identity::::serviceRole:ServiceIdCreator', customRoleCrn('acct-a', 'Lister'),
];

const eq = (key: string, values: string[]) => fc.constantFrom(...values).map((value): AttributeCondition => ({ key, operator: 'stringEquals', value }));
const resourceCondition: fc.Arbitrary<AttributeCondition> = fc.oneof(
  eq('serviceName', SERVICES),
  eq('serviceType', ['service', 'platform_service']),
  eq('serviceInstance', INSTANCES),
  eq('resourceGroupId', GROUP_IDS),
  fc.constantFrom('cloud-*', 'k?s', '*').map((value): AttributeCondition => ({ key: 'serviceName', operator: 'stringMatch', value })),
  fc.record({ key: fc.constant('serviceInstance'), operator: fc.constant('stringExists' as const), value: fc.boolean() }),
);
const ruleArb: fc.Arbitrary<Rule | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(undefined),
  fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }).map((value): Rule => ({ key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value })),
);
const subjectArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...USERS).map((iamId) => ({ kind: 'iam_id' as const, iamId })) },
  { weight: 3, arbitrary: fc.constantFrom(...GROUPS).map((groupId) => ({ kind: 'access_group' as const, groupId })) },
  { weight: 1, arbitrary: eq('serviceName', ['containers-kubernetes', 'is']).map((a) => ({ kind: 'service' as const, attributes: [a] })) },
);
const policyArb = (id: string): fc.Arbitrary<Policy> =>
  fc
    .record({
      accountId: fc.constantFrom(...ACCOUNTS),
      state: fc.constantFrom('active', 'active', 'deleted') as fc.Arbitrary<Policy['state']>,
      subject: subjectArb,
      resource: fc.uniqueArray(resourceCondition, { maxLength: 2, selector: (c) => c.key }),
      tags: fc.constantFrom<AttributeCondition[]>([], [], [{ key: 'env', operator: 'stringMatch', value: 'dev*' }]),
      roles: fc.subarray(ROLES, { minLength: 1, maxLength: 2 }),
      rule: ruleArb,
    })
    .map(({ rule, ...p }): Policy => ({ id, type: p.subject.kind === 'service' ? 'authorization' : 'access', ...p, ...(rule ? { rule } : {}) }));

const modelArb = fc.record({
  policies: fc.integer({ min: 0, max: 30 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policyArb(`p${i}`)))),
  memberships: fc.array(
    fc.record({
      accountId: fc.constantFrom(...ACCOUNTS),
      groupId: fc.constantFrom(...GROUPS.slice(0, 3)),
      iamId: fc.constantFrom(...USERS),
      expiresAt: fc.option(fc.constantFrom(NOW - 1, NOW + 3_600_000), { nil: undefined }),
    }),
    { maxLength: 10 },
  ),
  instances: fc.uniqueArray(fc.record({ accountId: fc.constantFrom(...ACCOUNTS), instanceId: fc.constantFrom(...INSTANCES), resourceGroupId: fc.constantFrom(...GROUP_IDS) }), {
    maxLength: 3,
    selector: (i) => `${i.accountId}/${i.instanceId}`,
  }),
  publicAccess: fc.subarray(ACCOUNTS).map((on) => ACCOUNTS.map((accountId) => ({ accountId, enabled: on.includes(accountId) }))),
});

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const questionArb = fc
  .record({
    action: fc.constantFrom(...ACTIONS),
    accountId: fc.constantFrom(...ACCOUNTS),
    serviceName: optional(fc.constantFrom(...SERVICES)),
    serviceInstance: optional(fc.constantFrom(...INSTANCES)),
    resourceGroupId: fc.option(fc.constantFrom(...GROUP_IDS), { nil: undefined, freq: 4 }),
    env: fc.option(fc.constantFrom('dev-1', 'prod'), { nil: undefined }),
    now: fc.constantFrom(NOW, NOW + 86_400_000 * 5),
  })
  .map(({ action, env, now, ...resource }) => ({
    action,
    resource: Object.fromEntries(Object.entries(resource).filter(([, v]) => v !== undefined)) as DecisionRequest['resource'],
    ...(env ? { tags: { env: [env] } } : {}),
    now,
  }));

describe('whoCan ≡ the naive evaluator asked about every identity', () => {
  it('on random worlds (150 runs × 60 questions)', () => {
    fc.assert(
      fc.property(modelArb, fc.array(questionArb, { minLength: 60, maxLength: 60 }), (model, questions) => {
        const { snapshot } = Snapshot.build({ catalog, ...model });
        const world: World = { catalog, ...model, publicAccess: new Map(model.publicAccess.map((p) => [p.accountId, p.enabled])) };
        for (const { now, ...question } of questions) {
          const answer = whoCan(question, snapshot, { now });
          const everyone = answer.everyone.length > 0;
          const named = new Map(answer.identities.map((i) => [i.iamId, i.grants]));
          for (const iamId of USERS) {
            const request: DecisionRequest = { subject: { id: iamId }, ...question };
            const naive = naiveDecide(world, request, now);
            const listed = everyone || named.has(iamId);
            if (listed !== naive.permitted) expect({ question, iamId, listed }).toEqual({ question, iamId, listed: naive.permitted });
            for (const grant of named.get(iamId) ?? []) expect(naive.policyIds).toContain(grant.policyId);
            expect(decide(request, snapshot, now).permitted).toBe(listed);
          }
          // Everyone: the naive evaluator permits a caller no policy names by IAM id or group.
          expect(everyone).toBe(naiveDecide(world, { subject: { id: 'IBMid-Nobody' }, ...question }, now).permitted);
          // Each group's members are listed, and each reaches the action through it.
          for (const group of answer.accessGroups) {
            for (const member of group.members) expect(named.get(member)?.some((g) => g.via === group.groupId)).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('lists the restriction rules covering the resource, satisfied only for an environment inside them', () => {
    const { snapshot } = Snapshot.build({
      catalog,
      policies: [{ id: 'p1', accountId: 'acct-a', type: 'access', state: 'active', subject: { kind: 'iam_id', iamId: 'IBMid-U1' }, resource: [{ key: 'serviceName', operator: 'stringEquals', value: 'kms' }], tags: [], roles: [serviceRoles.reader.crn] }],
      zones: [{ id: 'z1', accountId: 'acct-a', addresses: [{ type: 'subnet', value: '10.0.0.0/8' }], excluded: [] }],
      rules: [{ id: 'r1', accountId: 'acct-a', enforcementMode: 'enabled', resources: [{ attributes: [{ name: 'accountId', value: 'acct-a' }, { name: 'serviceName', value: 'kms' }], tags: [] }], contexts: [{ attributes: [{ name: 'networkZoneId', value: 'z1' }] }], apiTypes: [] }],
    });
    const question = { action: 'kms.secrets.list', resource: { accountId: 'acct-a', serviceName: 'kms' } };
    const plain = whoCan(question, snapshot, { now: NOW });
    expect(plain.identities.map((i) => i.iamId)).toEqual(['IBMid-U1']);
    expect(plain.restrictions).toEqual([{ ruleId: 'r1', mode: 'enabled' }]);
    expect(whoCan({ ...question, environment: { ip: '10.1.2.3', attributes: { ipAddress: '10.1.2.3' } } }, snapshot, { now: NOW }).restrictions).toEqual([{ ruleId: 'r1', mode: 'enabled', satisfied: true }]);
    expect(whoCan({ ...question, environment: { ip: '192.0.2.1', attributes: { ipAddress: '192.0.2.1' } } }, snapshot, { now: NOW }).restrictions).toEqual([{ ruleId: 'r1', mode: 'enabled', satisfied: false }]);
    expect(whoCan({ ...question, resource: { accountId: 'acct-a', serviceName: 'cloud-object-storage' } }, snapshot, { now: NOW }).restrictions).toEqual([]);
  });
});
