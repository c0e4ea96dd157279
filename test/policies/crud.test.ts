import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../src/kernel/ids.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failureOf, role, serviceRole, v1Access, v2Access } from './helpers.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';

const ETAG = /^\d+-[0-9a-f]{32}$/;
const MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: TestServer;
let owner: Caller;
let member: Caller;
const group = ids.hex32();
const instance = ids.uuid();

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  member = await addMember(server, owner.accountId);
});
afterAll(() => server?.close());

/** Every kind of target the console offers (authz.md §4), with roles that apply there. */
const targets: Array<[string, Record<string, string>, string[]]> = [
  ['all IAM-enabled services', { serviceType: 'service' }, [role('Viewer'), serviceRole('Reader')]],
  ['all account management services', { serviceType: 'platform_service' }, [role('Editor')]],
  ['all IAM account management services', { service_group_id: 'IAM' }, [role('Administrator'), serviceRole('TemplateAdministrator')]],
  ['one account management service', { serviceName: 'iam-identity' }, [role('Operator'), 'crn:v1:bluemix:public:iam-identity::::serviceRole:ServiceIdCreator']],
  ['one service', { serviceName: 'cloud-object-storage' }, [role('Viewer'), serviceRole('Writer')]],
  ['one service in a resource group', { serviceName: 'kms', resourceGroupId: group }, [serviceRole('Manager')]],
  ['all resources in a resource group', { resourceGroupId: group }, [role('Viewer')]],
  ['one instance', { serviceName: 'cloud-object-storage', serviceInstance: instance }, [serviceRole('Reader')]],
  ['one resource inside an instance', { serviceName: 'cloud-object-storage', serviceInstance: instance, resourceType: 'bucket', resource: 'my-bucket' }, [serviceRole('Writer')]],
  ['the resource group object', { resourceType: 'resource-group', resource: group }, [role('Viewer')]],
  ['a region', { serviceName: 'kms', region: 'us-south' }, [role('Viewer')]],
];

describe('v1 policies on every kind of target', () => {
  it.each(targets)('%s: create, get (v1 and v2), replace with If-Match, delete', async (_name, attributes, roles) => {
    const created = await owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, attributes, roles));
    expect(created.status).toBe(201);
    const policy = created.result;
    expect(policy.id).toMatch(UUID);
    expect(created.headers.etag).toMatch(ETAG);
    expect(policy.href).toBe(`${server.url}/v1/policies/${policy.id}`);
    expect(policy.created_at).toMatch(MILLIS);
    expect(policy.last_modified_at).toBe(policy.created_at);
    expect(policy.created_by_id).toBe(owner.iamId);
    expect(policy.state).toBe('active');
    expect(policy.subjects).toEqual([{ attributes: [{ name: 'iam_id', value: member.iamId }] }]);
    expect(policy.resources[0]!.attributes).toEqual([
      { name: 'accountId', value: owner.accountId, operator: 'stringEquals' },
      ...Object.entries(attributes).map(([name, value]) => ({ name, value, operator: 'stringEquals' })),
    ]);
    expect(policy.roles.map((r) => r.role_id)).toEqual(roles);
    for (const r of policy.roles) expect(r.display_name).toBeTruthy();

    const got = await owner.policies.getPolicy({ policyId: policy.id! });
    expect(got.headers.etag).toBe(created.headers.etag);
    expect(got.result).toEqual(policy);

    const v2 = await owner.policies.getV2Policy({ id: policy.id! });
    expect(v2.result.href).toBe(`${server.url}/v2/policies/${policy.id}`);
    expect(v2.result.resource?.attributes).toContainEqual({ key: 'accountId', operator: 'stringEquals', value: owner.accountId });
    expect((v2.result.control as { grant: { roles: unknown[] } }).grant.roles).toEqual(roles.map((role_id) => ({ role_id })));

    const replaced = await owner.policies.replacePolicy({
      policyId: policy.id!,
      ifMatch: got.headers.etag!,
      ...v1Access(owner.accountId, member.iamId, attributes, [...roles, role('Viewer')]),
      description: 'replaced',
    });
    expect(replaced.headers.etag).toMatch(/^2-/);
    expect(replaced.result.description).toBe('replaced');
    expect(replaced.result.created_at).toBe(policy.created_at);

    const stale = await failureOf(
      owner.policies.replacePolicy({ policyId: policy.id!, ifMatch: created.headers.etag!, ...v1Access(owner.accountId, member.iamId, attributes, roles) }),
    );
    expect(stale.status).toBe(412);

    expect((await owner.policies.deletePolicy({ policyId: policy.id! })).status).toBe(204);
    const deleted = await owner.policies.getPolicy({ policyId: policy.id! });
    expect(deleted.result.state).toBe('deleted');
    expect((await failureOf(owner.policies.deletePolicy({ policyId: policy.id! }))).code).toBe('policy_not_found');
  });
});

describe('v2 policies on every kind of target', () => {
  it.each(targets)('%s: create, get (v2 and v1), replace with If-Match, delete', async (_name, attributes, roles) => {
    const created = await owner.policies.createV2Policy({ ...v2Access(owner.accountId, member.iamId, attributes, roles), description: 'v2' });
    expect(created.status).toBe(201);
    const policy = created.result;
    expect(created.headers.etag).toMatch(ETAG);
    expect(policy.href).toBe(`${server.url}/v2/policies/${policy.id}`);
    expect(policy.state).toBe('active');
    expect(policy.description).toBe('v2');
    expect(policy.subject).toEqual({ attributes: [{ key: 'iam_id', operator: 'stringEquals', value: member.iamId }] });
    expect(policy.created_at).toMatch(MILLIS);

    const got = await owner.policies.getV2Policy({ id: policy.id! });
    expect(got.headers.etag).toBe(created.headers.etag);
    expect(got.result).toEqual(policy);
    // A v2 policy without conditions reads the same through v1.
    const v1 = await owner.policies.getPolicy({ policyId: policy.id! });
    expect(v1.result.subjects[0]!.attributes[0]!.value).toBe(member.iamId);

    const replaced = await owner.policies.replaceV2Policy({
      id: policy.id!,
      ifMatch: got.headers.etag!,
      ...v2Access(owner.accountId, member.iamId, attributes, [role('Viewer')]),
    });
    expect(replaced.headers.etag).toMatch(/^2-/);
    expect(replaced.result.description).toBeUndefined();
    expect((replaced.result.control as { grant: { roles: unknown[] } }).grant.roles).toEqual([{ role_id: role('Viewer') }]);

    expect((await owner.policies.deleteV2Policy({ id: policy.id! })).status).toBe(204);
    expect((await owner.policies.getV2Policy({ id: policy.id! })).result.state).toBe('deleted');
  });
});

describe('v1 and v2 views of one policy', () => {
  const weekdays = {
    operator: 'and',
    conditions: [
      { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: ['1+00:00', '2+00:00', '3+00:00', '4+00:00', '5+00:00'] },
      { key: '{{environment.attributes.current_time}}', operator: 'timeGreaterThanOrEquals', value: '09:00:00+00:00' },
      { key: '{{environment.attributes.current_time}}', operator: 'timeLessThanOrEquals', value: '17:00:00+00:00' },
    ],
  };

  it('replacing a v1 policy through v2 converts it; v1 then shows the placeholder, until v1 replaces it back', async () => {
    const created = await owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }));
    const id = created.result.id!;
    const converted = await owner.policies.replaceV2Policy({
      id,
      ifMatch: created.headers.etag!,
      ...v2Access(owner.accountId, member.iamId, { serviceName: 'kms' }),
      pattern: 'time-based-conditions:weekly:custom-hours',
      rule: weekdays,
    });
    expect(converted.result.rule).toEqual(weekdays);
    expect(converted.result.pattern).toBe('time-based-conditions:weekly:custom-hours');

    const placeholder = (await owner.policies.getPolicy({ policyId: id })).result;
    expect(placeholder.href).toBe(`${server.url}/v2/policies/${id}`);
    expect(placeholder.subjects).toEqual([{ attributes: [{ name: 'iam_id', value: 'unsupported version' }] }]);
    expect(placeholder.roles[0]!.role_id).toBe('crn:v1:bluemix:public:iam::::role:UnsupportedVersion');
    expect(placeholder.resources).toEqual([{ attributes: [{ name: 'accountId', value: owner.accountId, operator: 'stringEquals' }] }]);

    const listed = await owner.policies.listPolicies({ accountId: owner.accountId, iamId: member.iamId, serviceType: undefined });
    expect(listed.result.policies.find((p) => p.id === id)?.subjects[0]!.attributes[0]!.value).toBe('unsupported version');

    const back = await owner.policies.replacePolicy({
      policyId: id,
      ifMatch: converted.headers.etag!,
      ...v1Access(owner.accountId, member.iamId, { serviceName: 'kms' }),
    });
    expect(back.result.subjects[0]!.attributes[0]!.value).toBe(member.iamId);
    expect((await owner.policies.getV2Policy({ id })).result.rule).toBeUndefined();
  });

  it('format=display enriches v2 roles with their actions', async () => {
    const created = await owner.policies.createV2Policy(v2Access(owner.accountId, member.iamId, { serviceName: 'iam-groups' }, [role('Editor')]));
    const plain = await owner.policies.getV2Policy({ id: created.result.id! });
    expect((plain.result.control as any).grant.roles).toEqual([{ role_id: role('Editor') }]);
    const display = await owner.policies.getV2Policy({ id: created.result.id!, format: 'display' });
    const [enriched] = (display.result.control as any).grant.roles;
    expect(enriched.display_name).toBe('Editor');
    expect(enriched.actions.map((a: { id: string }) => a.id)).toContain('iam-groups.groups.create');
    expect(enriched.actions.map((a: { id: string }) => a.id)).not.toContain('iam-groups.account-settings.update');
  });

  it('PATCH v1 state deletes and restores with If-Match; a stale tag is refused', async () => {
    const created = await owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { serviceName: 'containers-kubernetes' }));
    const id = created.result.id!;
    const deleted = await owner.policies.updatePolicyState({ policyId: id, ifMatch: created.headers.etag!, state: 'deleted' });
    expect(deleted.result.state).toBe('deleted');
    expect((await failureOf(owner.policies.updatePolicyState({ policyId: id, ifMatch: created.headers.etag!, state: 'active' }))).status).toBe(412);
    const restored = await owner.policies.updatePolicyState({ policyId: id, ifMatch: deleted.headers.etag!, state: 'active' });
    expect(restored.result.state).toBe('active');
    expect(restored.headers.etag).toMatch(/^3-/);
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const path of ['/v1/policies', '/v2/policies/{id}', '/v2/roles', '/v1/accounts/{account_id}/settings/access_management']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });

  it('unknown ids are 404 policy_not_found in the policy error shape', async () => {
    const failure = await failureOf(owner.policies.getPolicy({ policyId: ids.uuid() }));
    expect(failure.status).toBe(404);
    expect(failure.code).toBe('policy_not_found');
    expect(failure.body.trace).toMatch(/^[0-9a-f]{32}$/);
    expect(failure.body.status_code).toBe(404);
    expect((await failureOf(owner.policies.getV2Policy({ id: ids.uuid() }))).code).toBe('policy_not_found');
  });
});

describe('authorization (service-to-service) policies', () => {
  it('are created in the target account with the source as subject, through v1 and v2', async () => {
    const source = [
      { name: 'serviceName', value: 'containers-kubernetes' },
      { name: 'accountId', value: ids.hex32() },
    ];
    const v1 = await owner.policies.createPolicy({
      type: 'authorization',
      subjects: [{ attributes: source }],
      roles: [{ role_id: serviceRole('Reader') }],
      resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: 'kms' }] }],
    });
    expect(v1.status).toBe(201);
    expect(v1.result.type).toBe('authorization');
    expect(v1.result.subjects[0]!.attributes).toEqual(source);

    const v2 = await owner.policies.createV2Policy({
      type: 'authorization',
      subject: { attributes: [
        { key: 'serviceName', operator: 'stringEquals', value: 'is' },
        { key: 'accountId', operator: 'stringEquals', value: owner.accountId },
        { key: 'resourceType', operator: 'stringEquals', value: 'image' },
      ] },
      resource: { attributes: [
        { key: 'accountId', operator: 'stringEquals', value: owner.accountId },
        { key: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' },
      ] },
      control: { grant: { roles: [{ role_id: serviceRole('Reader') }] } },
    });
    expect(v2.status).toBe(201);
    const listed = await owner.policies.listV2Policies({ accountId: owner.accountId, type: 'authorization' });
    expect(listed.result.policies.map((p) => p.id).sort()).toEqual([v1.result.id, v2.result.id].sort());
  });

  it('refuse a source without accountId or an unknown source service', async () => {
    const resources = [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: 'kms' }] }];
    const roles = [{ role_id: serviceRole('Reader') }];
    const noAccount = await failureOf(owner.policies.createPolicy({
      type: 'authorization', subjects: [{ attributes: [{ name: 'serviceName', value: 'is' }] }], roles, resources,
    }));
    expect(noAccount).toMatchObject({ status: 400, code: 'invalid_body' });
    const unknown = await failureOf(owner.policies.createPolicy({
      type: 'authorization',
      subjects: [{ attributes: [{ name: 'serviceName', value: 'no-such-service' }, { name: 'accountId', value: owner.accountId }] }],
      roles,
      resources,
    }));
    expect(unknown).toMatchObject({ status: 400, code: 'invalid_body' });
  });
});
