import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COS_PLAN } from '../enterprise/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failureOf, role, v1Access, v2Access } from './helpers.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { bearerOf, rawCall } from '../helpers/identities.js';

/**
 * A policy's scope is decided on its real kind (authz.md §3.1, §4): a scope that contradicts
 * itself is refused, Administrator on all IAM-enabled services does not reach account-management
 * services, and policies and roles of another account are answered like missing ones.
 */

let server: TestServer;
let owner: Caller;
let target: Caller;
let groupA: string;
let groupB: string;
let instance: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  target = await addMember(server, owner.accountId);
  const bearer = await bearerOf(server.url, owner.apikey);
  const group = async (name: string) => (await rawCall(server.url, bearer, 'POST', '/v2/resource_groups', JSON.stringify({ name, account_id: owner.accountId }))).body.id;
  groupA = await group('scopes-a');
  groupB = await group('scopes-b');
  const created = await rawCall(server.url, bearer, 'POST', '/v2/resource_instances', JSON.stringify({ name: 'scoped', target: 'global', resource_group: groupA, resource_plan_id: COS_PLAN }));
  instance = created.body.guid;
});
afterAll(() => server?.close());

describe('contradictory scopes', () => {
  const cases: Array<[string, () => Record<string, string>]> = [
    ['an instance outside the named resource group', () => ({ serviceName: 'cloud-object-storage', serviceInstance: instance, resourceGroupId: groupB })],
    ['a service of another type than serviceType', () => ({ serviceType: 'service', serviceName: 'iam-identity' })],
    ['an IAM-enabled service named with serviceType platform_service', () => ({ serviceType: 'platform_service', serviceName: 'kms' })],
    ['a service outside the named service group', () => ({ service_group_id: 'IAM', serviceName: 'billing' })],
    ['a service group with no service of the serviceType', () => ({ service_group_id: 'IAM', serviceType: 'service' })],
    ['an account-management service in a resource group', () => ({ serviceName: 'iam-identity', resourceGroupId: groupA })],
    ['all account-management services in a resource group', () => ({ serviceType: 'platform_service', resourceGroupId: groupA })],
  ];
  for (const [what, attributes] of cases) {
    it(`refuses ${what} (400), on v1 and v2, and stores nothing`, async () => {
      const before = (await owner.policies.listPolicies({ accountId: owner.accountId })).result.policies!.length;
      expect(await failureOf(owner.policies.createPolicy(v1Access(owner.accountId, target.iamId, attributes())))).toMatchObject({ status: 400, code: 'invalid_body' });
      expect(await failureOf(owner.policies.createV2Policy(v2Access(owner.accountId, target.iamId, attributes())))).toMatchObject({ status: 400, code: 'invalid_body' });
      expect((await owner.policies.listPolicies({ accountId: owner.accountId })).result.policies!.length).toBe(before);
    });
  }

  it('accepts an instance together with its own resource group', async () => {
    const attributes = { serviceName: 'cloud-object-storage', serviceInstance: instance, resourceGroupId: groupA };
    expect((await owner.policies.createPolicy(v1Access(owner.accountId, target.iamId, attributes))).status).toBe(201);
  });

  it('does not tell an instance of another account from one that does not exist', async () => {
    const other = await createOtherAccount(server);
    const attributes = { serviceName: 'cloud-object-storage', serviceInstance: instance, resourceGroupId: 'not-the-group' };
    expect((await other.policies.createPolicy(v1Access(other.accountId, other.iamId, attributes))).status).toBe(201);
  });
});

describe('Administrator on all IAM-enabled services', () => {
  it('grants on IAM-enabled services and their resource groups, never on account-management services', async () => {
    const admin = await addMember(server, owner.accountId);
    await owner.policies.createPolicy(v1Access(owner.accountId, admin.iamId, { serviceType: 'service' }, [role('Administrator')]));
    const grant = (attributes: Record<string, string>) => admin.policies.createV2Policy(v2Access(owner.accountId, admin.iamId, attributes, [role('Administrator')]));
    expect((await grant({ serviceName: 'kms' })).status).toBe(201);
    expect((await grant({ resourceGroupId: groupA })).status).toBe(201);
    const accountManagement: Array<Record<string, string>> = [{ serviceType: 'platform_service' }, { service_group_id: 'IAM' }, { serviceName: 'iam-identity' }, { serviceName: 'billing' }];
    for (const attributes of accountManagement) {
      expect(await failureOf(grant(attributes))).toMatchObject({ status: 403 });
    }
  });
});

describe('ids of another account', () => {
  it('answer 404 like missing ones for policies and custom roles', async () => {
    const other = await createOtherAccount(server);
    const policy = await owner.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'kms' }));
    const id = policy.result.id!;
    const etag = policy.headers.etag!;
    expect(await failureOf(other.policies.getPolicy({ policyId: id }))).toMatchObject({ status: 404 });
    expect(await failureOf(other.policies.getV2Policy({ id }))).toMatchObject({ status: 404 });
    expect(await failureOf(other.policies.deletePolicy({ policyId: id }))).toMatchObject({ status: 404 });
    expect(await failureOf(other.policies.updatePolicyState({ policyId: id, ifMatch: etag, state: 'deleted' }))).toMatchObject({ status: 404 });
    const body = v1Access(owner.accountId, target.iamId, { serviceName: 'kms' }, [role('Administrator')]);
    expect(await failureOf(other.policies.replacePolicy({ policyId: id, ifMatch: etag, ...body }))).toMatchObject({ status: 404 });
    expect((await owner.policies.getPolicy({ policyId: id })).result).toMatchObject({ state: 'active', roles: [{ role_id: role('Viewer') }] });

    const created = await owner.policies.createRole({
      name: 'ScopesReader', displayName: 'Scopes reader', accountId: owner.accountId, serviceName: 'kms', actions: ['kms.secrets.list'],
    });
    const roleId = created.result.id!;
    expect(await failureOf(other.policies.getRole({ roleId }))).toMatchObject({ status: 404 });
    expect(await failureOf(other.policies.replaceRole({ roleId, ifMatch: '*', displayName: 'Mine', actions: ['kms.secrets.list', 'kms.secrets.read'] }))).toMatchObject({ status: 404 });
    expect(await failureOf(other.policies.deleteRole({ roleId }))).toMatchObject({ status: 404 });
    expect((await owner.policies.getRole({ roleId })).result).toMatchObject({ display_name: 'Scopes reader', actions: ['kms.secrets.list'] });
  });
});

describe('custom roles in use', () => {
  it('take new actions only from who may update every policy granting them', async () => {
    const custom = await owner.policies.createRole({
      name: 'InstanceReader', displayName: 'Instance reader', accountId: owner.accountId, serviceName: 'cloud-object-storage',
      actions: ['cloud-object-storage.bucket.get'],
    });
    await owner.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'cloud-object-storage', serviceInstance: instance }, [custom.result.crn!]));
    const roleAdmin = await addMember(server, owner.accountId);
    await owner.policies.createPolicy(v1Access(owner.accountId, roleAdmin.iamId, { serviceName: 'iam-access-management.customRole' }, [role('Administrator')]));
    const update = { roleId: custom.result.id!, ifMatch: '*', displayName: 'Instance reader' };
    expect(await failureOf(roleAdmin.policies.replaceRole({ ...update, actions: ['cloud-object-storage.bucket.get', 'cloud-object-storage.object.put'] }))).toMatchObject({ status: 403 });
    // Renaming changes no grant.
    expect((await roleAdmin.policies.replaceRole({ ...update, displayName: 'Renamed', actions: ['cloud-object-storage.bucket.get'] })).status).toBe(200);
    await owner.policies.createPolicy(v1Access(owner.accountId, roleAdmin.iamId, { serviceName: 'cloud-object-storage' }, [role('Administrator')]));
    expect((await roleAdmin.policies.replaceRole({ ...update, actions: ['cloud-object-storage.bucket.get', 'cloud-object-storage.object.put'] })).status).toBe(200);
  });
});

describe('a granter whose scope leaves something out', () => {
  it('does not administer the scope that includes it: Administrator on kms without instances grants nothing on all of kms', async () => {
    const admin = await addMember(server, owner.accountId);
    const narrow = v2Access(owner.accountId, admin.iamId, { serviceName: 'kms' }, [role('Administrator')]);
    narrow.resource.attributes.push({ key: 'serviceInstance', operator: 'stringExists', value: false as unknown as string });
    expect((await owner.policies.createV2Policy(narrow)).status).toBe(201);
    expect(await failureOf(admin.policies.createV2Policy(v2Access(owner.accountId, target.iamId, { serviceName: 'kms' }, [role('Administrator')])))).toMatchObject({ status: 403 });
  });
});
