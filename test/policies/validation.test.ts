import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../src/kernel/ids.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failureOf, role, serviceRole, v1Access, v2Access } from './helpers.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { bearerOf, rawCall } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
let member: Caller;
let bearer: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  member = await addMember(server, owner.accountId);
  bearer = await bearerOf(server.url, owner.apikey);
});
afterAll(() => server?.close());

const count = async () => (await owner.policies.listV2Policies({ accountId: owner.accountId, limit: 100 })).result.policies.length;

const day = (value: unknown) => ({ key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value });
const time = (operator: string, value: string) => ({ key: '{{environment.attributes.current_time}}', operator, value });
const dateTime = (operator: string, value: string) => ({ key: '{{environment.attributes.current_date_time}}', operator, value });

describe('duplicates', () => {
  it('a second identical policy is 409 policy_conflict_error naming the first, with its etag (v1 and v2)', async () => {
    const body = v1Access(owner.accountId, member.iamId, { serviceName: 'cloud-object-storage', serviceInstance: ids.uuid() });
    const first = await owner.policies.createPolicy(body);
    // Roles and description do not make a policy different.
    const again = await failureOf(owner.policies.createPolicy({ ...body, roles: [{ role_id: role('Editor') }], description: 'x' }));
    expect(again.status).toBe(409);
    expect(again.code).toBe('policy_conflict_error');
    const conflict = again.body.errors[0].details.conflicts_with;
    expect(conflict.etag).toBe(first.headers.etag);
    expect(conflict.policy.id).toBe(first.result.id);
    expect(conflict.policy.subjects).toBeDefined();
    expect(conflict.policy.href).toBe(first.result.href);

    const attributes = body.resources[0]!.attributes.slice(1);
    const v2 = await failureOf(
      owner.policies.createV2Policy(v2Access(owner.accountId, member.iamId, Object.fromEntries([...attributes].reverse().map((a) => [a.name, a.value])))),
    );
    expect(v2.status).toBe(409);
    expect(v2.body.errors[0].details.conflicts_with.policy.control).toBeDefined();

    // Once the first is deleted, the same policy may be created again; restoring the first is then a conflict.
    await owner.policies.deletePolicy({ policyId: first.result.id! });
    const second = await owner.policies.createPolicy(body);
    expect(second.status).toBe(201);
    const deleted = await owner.policies.getPolicy({ policyId: first.result.id! });
    const restore = await failureOf(owner.policies.updatePolicyState({ policyId: first.result.id!, ifMatch: deleted.headers.etag!, state: 'active' }));
    expect(restore.code).toBe('policy_conflict_error');
  });

  it('a policy with a rule differs from the same one without', async () => {
    const base = v2Access(owner.accountId, member.iamId, { serviceName: 'kms', serviceInstance: ids.uuid() });
    await owner.policies.createV2Policy(base);
    const timed = await owner.policies.createV2Policy({
      ...base,
      pattern: 'time-based-conditions:once',
      rule: { operator: 'and', conditions: [dateTime('dateTimeGreaterThanOrEquals', '2026-01-01T09:00:00+00:00'), dateTime('dateTimeLessThanOrEquals', '2026-12-31T17:00:00+00:00')] },
    });
    expect(timed.status).toBe(201);
  });
});

describe('roles, services and subjects', () => {
  it('an unknown role is 400 role_not_found; nothing is written', async () => {
    const before = await count();
    const failure = await failureOf(
      owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }, ['crn:v1:bluemix:public:iam::::role:Overlord'])),
    );
    expect(failure).toMatchObject({ status: 400, code: 'role_not_found' });
    expect(await count()).toBe(before);
  });

  it('a service role that the target service does not offer is 400', async () => {
    const failure = await failureOf(
      owner.policies.createV2Policy(v2Access(owner.accountId, member.iamId, { serviceName: 'kms' }, ['crn:v1:bluemix:public:iam-identity::::serviceRole:ServiceIdCreator'])),
    );
    expect(failure).toMatchObject({ status: 400, code: 'invalid_body' });
  });

  it('an unknown service, service type or service group is 400', async () => {
    for (const attributes of <Record<string, string>[]>[{ serviceName: 'no-such-service' }, { serviceType: 'everything' }, { service_group_id: 'NOPE' }]) {
      const failure = await failureOf(owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, attributes)));
      expect(failure, JSON.stringify(attributes)).toMatchObject({ status: 400, code: 'invalid_body' });
    }
  });

  it('the resource needs accountId and a service scope', async () => {
    const noAccount = await failureOf(owner.policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
      roles: [{ role_id: role('Viewer') }],
      resources: [{ attributes: [{ name: 'serviceName', value: 'kms' }] }],
    }));
    expect(noAccount).toMatchObject({ status: 400, code: 'invalid_body' });
    const noScope = await failureOf(owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { region: 'us-south' })));
    expect(noScope).toMatchObject({ status: 400, code: 'invalid_body' });
  });

  it('the subject must be an identity of the account (a user IAM id always is: see subjects.test.ts)', async () => {
    for (const iamId of ['iam-ServiceId-00000000-0000-4000-8000-000000000000', 'iam-Profile-00000000-0000-4000-8000-000000000000', 'garbage']) {
      const failure = await failureOf(owner.policies.createPolicy(v1Access(owner.accountId, iamId, { serviceName: 'kms' })));
      expect(failure, iamId).toMatchObject({ status: 400, code: 'invalid_body' });
    }
    const group = await failureOf(owner.policies.createPolicy({
      ...v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }),
      subjects: [{ attributes: [{ name: 'access_group_id', value: 'not a group' }] }],
    }));
    expect(group.status).toBe(400);
    const two = await failureOf(owner.policies.createPolicy({
      ...v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }),
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }, { name: 'access_group_id', value: 'AccessGroupId-x' }] }],
    }));
    expect(two.status).toBe(400);
  });

  it('a policy in another account is refused (403) and v1 refuses v2-only operators', async () => {
    const other = await createOtherAccount(server);
    const foreign = await failureOf(owner.policies.createPolicy(v1Access(other.accountId, other.iamId, { serviceName: 'kms' })));
    expect(foreign).toMatchObject({ status: 403, code: 'insufficent_permissions' });
    const body = v1Access(owner.accountId, member.iamId, { serviceName: 'kms' });
    body.resources[0]!.attributes.push({ name: 'serviceInstance', value: 'a', operator: 'stringEqualsAnyOf' } as never);
    expect((await failureOf(owner.policies.createPolicy(body))).status).toBe(400);
  });

  it('replace cannot change the account or the type', async () => {
    const created = await owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { serviceName: 'support' }));
    const other = await createOtherAccount(server);
    const moved = await failureOf(owner.policies.replacePolicy({
      policyId: created.result.id!, ifMatch: created.headers.etag!, ...v1Access(other.accountId, member.iamId, { serviceName: 'support' }),
    }));
    expect(moved.status).toBe(400);
  });
});

describe('v2 rules (authz.md §2.3)', () => {
  const base = () => v2Access(owner.accountId, member.iamId, { serviceName: 'is', serviceInstance: ids.uuid() });

  it('accepts once, weekly all-day and weekly custom-hours patterns, and resource attribute conditions', async () => {
    const accepted = [
      { pattern: 'time-based-conditions:once', rule: { operator: 'and', conditions: [dateTime('dateTimeGreaterThanOrEquals', '2026-05-01T09:00:00-05:00'), dateTime('dateTimeLessThanOrEquals', '2026-05-02T09:00:00-05:00')] } },
      { pattern: 'time-based-conditions:weekly:all-day', rule: day([1, 2, 3]) },
      { pattern: 'time-based-conditions:weekly:custom-hours', rule: { operator: 'and', conditions: [day(['1+00:00', '5+00:00']), time('timeGreaterThanOrEquals', '09:00:00+01:00'), time('timeLessThanOrEquals', '17:00:00+01:00')] } },
      { pattern: 'time-based-conditions:weekly:custom-hours', rule: { operator: 'or', conditions: [
        { operator: 'and', conditions: [day(['1+00:00']), time('timeGreaterThanOrEquals', '09:00:00+00:00')] },
        { operator: 'and', conditions: [day(['2+00:00']), time('timeLessThanOrEquals', '12:00:00+00:00')] },
      ] } },
      { pattern: 'attribute-based-condition:resource:literal-and-wildcard', rule: { key: '{{resource.attributes.path}}', operator: 'stringMatch', value: 'public/*' } },
    ];
    for (const extra of accepted) {
      const created = await owner.policies.createV2Policy({ ...base(), ...extra });
      expect(created.status, extra.pattern).toBe(201);
      expect(created.result.rule).toEqual(extra.rule);
    }
  });

  it('refuses broken rules with 400 invalid_body and writes nothing', async () => {
    const before = await count();
    const eleven = Array.from({ length: 11 }, (_, i) => day([1 + (i % 7)]));
    const refused: Array<[string, { pattern?: string; rule?: unknown }]> = [
      ['rule without pattern', { rule: day([1]) }],
      ['pattern without rule', { pattern: 'time-based-conditions:once' }],
      ['unknown pattern', { pattern: 'sometimes', rule: day([1]) }],
      ['more than 10 conditions', { pattern: 'time-based-conditions:weekly:all-day', rule: { operator: 'or', conditions: eleven } }],
      ['once mixed with weekly', { pattern: 'time-based-conditions:weekly:custom-hours', rule: { operator: 'and', conditions: [day([1]), dateTime('dateTimeLessThan', '2026-01-01T00:00:00Z')] } }],
      ['time in an all-day pattern', { pattern: 'time-based-conditions:weekly:all-day', rule: { operator: 'and', conditions: [day([1]), time('timeLessThan', '10:00:00+00:00')] } }],
      ['bad time format', { pattern: 'time-based-conditions:weekly:custom-hours', rule: time('timeLessThan', '25:00') }],
      ['bad day', { pattern: 'time-based-conditions:weekly:all-day', rule: day([8]) }],
      ['bad date-time', { pattern: 'time-based-conditions:once', rule: dateTime('dateTimeLessThan', 'tomorrow') }],
      ['operator on the wrong key', { pattern: 'time-based-conditions:once', rule: { key: '{{environment.attributes.current_time}}', operator: 'dateTimeLessThan', value: '2026-01-01T00:00:00Z' } }],
      ['unknown operator', { pattern: 'time-based-conditions:weekly:all-day', rule: { key: '{{environment.attributes.day_of_week}}', operator: 'dayIsNice', value: [1] } }],
      ['nesting three levels', { pattern: 'time-based-conditions:weekly:all-day', rule: { operator: 'and', conditions: [{ operator: 'or', conditions: [{ operator: 'and', conditions: [day([1])] }] }] } }],
      ['group operator', { pattern: 'time-based-conditions:weekly:all-day', rule: { operator: 'xor', conditions: [day([1])] } }],
      ['not an object', { pattern: 'time-based-conditions:weekly:all-day', rule: 'always' }],
    ];
    for (const [name, extra] of refused) {
      const failure = await failureOf(owner.policies.createV2Policy({ ...base(), ...extra } as never));
      expect(failure, name).toMatchObject({ status: 400, code: 'invalid_body' });
    }
    expect(await count()).toBe(before);
  });

  it('checks v2 attribute operators and values', async () => {
    const withAttr = (attr: unknown) => {
      const body = base();
      body.resource.attributes.push(attr as never);
      return body;
    };
    const ok = await owner.policies.createV2Policy(withAttr({ key: 'resourceType', operator: 'stringEqualsAnyOf', value: ['bucket', 'object'] }));
    expect(ok.status).toBe(201);
    for (const attr of [
      { key: 'resourceType', operator: 'stringEqualsAnyOf', value: 'bucket' },
      { key: 'resourceType', operator: 'stringMatchAnyOf', value: Array.from({ length: 11 }, (_, i) => `t${i}`) },
      { key: 'resourceType', operator: 'stringExists', value: 'yes' },
      { key: 'resourceType', operator: 'timeLessThan', value: 'x' },
      { key: 'resourceType', operator: 'stringEquals', value: 'x'.repeat(1001) },
    ]) {
      expect((await failureOf(owner.policies.createV2Policy(withAttr(attr)))).status, JSON.stringify(attr).slice(0, 80)).toBe(400);
    }
  });

  it('accepts access tags on all IAM-enabled services, not with a resource group', async () => {
    const tagged = v2Access(owner.accountId, member.iamId, { serviceType: 'service' }, [serviceRole('Reader')]);
    const withTags = { ...tagged, resource: { ...tagged.resource, tags: [{ key: 'env', operator: 'stringMatch', value: 'prod-*' }] } };
    const created = await owner.policies.createV2Policy(withTags);
    expect(created.result.resource?.tags).toEqual([{ key: 'env', operator: 'stringMatch', value: 'prod-*' }]);
    const grouped = v2Access(owner.accountId, member.iamId, { resourceGroupId: ids.hex32() });
    const refused = await failureOf(
      owner.policies.createV2Policy({ ...grouped, resource: { ...grouped.resource, tags: [{ key: 'env', operator: 'stringEquals', value: 'x' }] } }),
    );
    expect(refused.status).toBe(400);
  });
});

describe('malformed requests never 500 and write nothing', () => {
  it('bodies of the wrong shape are 400 invalid_body', async () => {
    const before = await count();
    const bodies = [
      'not json',
      '[]',
      '{}',
      JSON.stringify({ type: 'access', subjects: 'x', roles: [], resources: [] }),
      JSON.stringify({ ...v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }), type: 'deny' }),
      JSON.stringify({ ...v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }), roles: [] }),
      JSON.stringify({ ...v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }), subjects: [] }),
      JSON.stringify({ ...v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }), resources: [{ attributes: [{ name: 'accountId' }] }] }),
    ];
    for (const body of bodies) {
      const response = await rawCall(server.url, bearer, 'POST', '/v1/policies', body);
      expect(response.status, body.slice(0, 60)).toBe(400);
      expect(response.body.errors[0].code).toBe('invalid_body');
      expect(response.body.trace).toMatch(/^[0-9a-f]{32}$/);
    }
    for (const body of ['{"type":"access","control":{}}', JSON.stringify({ ...v2Access(owner.accountId, member.iamId, { serviceName: 'kms' }), subject: undefined })]) {
      expect((await rawCall(server.url, bearer, 'POST', '/v2/policies', body)).status).toBe(400);
    }
    expect(await count()).toBe(before);
  });

  it('a replace without If-Match is refused; a token is required', async () => {
    const created = await owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { serviceName: 'entitlement' }));
    const body = JSON.stringify(v1Access(owner.accountId, member.iamId, { serviceName: 'entitlement' }));
    const noTag = await rawCall(server.url, bearer, 'PUT', `/v1/policies/${created.result.id}`, body);
    expect(noTag.status).toBe(428);
    const anonymous = await fetch(`${server.url}/v1/policies?account_id=${owner.accountId}`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).errors[0].code).toBe('invalid_token');
    const quoted = await rawCall(server.url, bearer, 'PUT', `/v1/policies/${created.result.id}`, body, { 'If-Match': `"${created.headers.etag!}"` });
    expect(quoted.status).toBe(200);
  });
});
