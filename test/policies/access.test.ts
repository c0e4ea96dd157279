import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../src/kernel/ids.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failureOf, role, v1Access, v2Access } from './helpers.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';

/**
 * Who may manage access (authz.md "Users allowed to create access policies"): a policy change is
 * authorized on the policy's own resource, so nobody grants more than they administer.
 */

let server: TestServer;
let owner: Caller;
let target: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  target = await addMember(server, owner.accountId);
});
afterAll(() => server?.close());

/** A member holding exactly the given grants (made by the owner). */
async function memberWith(...grants: Array<{ attributes: Record<string, string>; roles: string[] }>): Promise<Caller> {
  const caller = await addMember(server, owner.accountId);
  for (const g of grants) await owner.policies.createPolicy(v1Access(owner.accountId, caller.iamId, g.attributes, g.roles));
  return caller;
}

describe('a member without grants', () => {
  it('cannot create, replace, change or delete policies, roles or settings (403 insufficent_permissions)', async () => {
    const member = await memberWith();
    const body = v1Access(owner.accountId, target.iamId, { serviceName: 'kms' });
    expect(await failureOf(member.policies.createPolicy(body))).toMatchObject({ status: 403, code: 'insufficent_permissions' });
    expect((await failureOf(member.policies.createV2Policy(v2Access(owner.accountId, member.iamId, { serviceType: 'service' }, [role('Administrator')])))).status).toBe(403);

    const existing = await owner.policies.createPolicy(body);
    const id = existing.result.id!;
    const etag = existing.headers.etag!;
    expect((await failureOf(member.policies.replacePolicy({ policyId: id, ifMatch: etag, ...body }))).status).toBe(403);
    expect((await failureOf(member.policies.updatePolicyState({ policyId: id, ifMatch: etag, state: 'deleted' }))).status).toBe(403);
    expect((await failureOf(member.policies.deletePolicy({ policyId: id }))).status).toBe(403);
    expect((await failureOf(member.policies.deleteV2Policy({ id }))).status).toBe(403);
    expect((await owner.policies.getPolicy({ policyId: id })).result.state).toBe('active');

    const settings = await owner.policies.getSettings({ accountId: owner.accountId });
    expect((await failureOf(member.policies.getSettings({ accountId: owner.accountId }))).status).toBe(403);
    expect((await failureOf(member.policies.updateSettings({ accountId: owner.accountId, ifMatch: settings.headers.etag!, externalAccountIdentityInteraction: {} }))).status).toBe(403);
  });

  it('refusals are audited as failures', async () => {
    const member = await memberWith();
    await failureOf(member.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'billing' })));
    const { db } = server.server.registry.database;
    const events = await db.selectFrom('audit_events').selectAll().where('initiator_iam_id', '=', member.iamId).where('action', 'like', 'iam.policy.%').execute();
    expect(events.map((e) => [e.action, e.outcome])).toEqual([['iam.policy.create', 'failure']]);
  });
});

describe('with the PDP-backed authorizer: nobody grants more than they administer', () => {
  it('an Editor cannot create policies', async () => {
    const editor = await memberWith({ attributes: { serviceType: 'service' }, roles: [role('Editor')] }, { attributes: { serviceName: 'kms' }, roles: [role('Editor')] });
    expect((await failureOf(editor.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'kms' })))).status).toBe(403);
  });

  it('an Administrator of one service grants on that service and its instances, nowhere else', async () => {
    const target = await addMember(server, owner.accountId);
    const admin = await memberWith({ attributes: { serviceName: 'kms' }, roles: [role('Administrator')] });
    const onService = await admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'kms' }));
    expect(onService.status).toBe(201);
    const onInstance = await admin.policies.createV2Policy(v2Access(owner.accountId, target.iamId, { serviceName: 'kms', serviceInstance: ids.uuid() }));
    expect(onInstance.status).toBe(201);
    for (const attributes of <Record<string, string>[]>[{ serviceName: 'cloud-object-storage' }, { serviceType: 'service' }, { serviceType: 'platform_service' }, { resourceGroupId: ids.hex32() }]) {
      expect((await failureOf(admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, attributes)))).status, JSON.stringify(attributes)).toBe(403);
    }
    // A replace may not move a grant off the service the caller administers.
    const moved = await failureOf(admin.policies.replacePolicy({
      policyId: onService.result.id!, ifMatch: onService.headers.etag!, ...v1Access(owner.accountId, target.iamId, { serviceName: 'cloud-object-storage' }),
    }));
    expect(moved.status).toBe(403);
    expect((await admin.policies.deletePolicy({ policyId: onService.result.id! })).status).toBe(204);
  });

  it('an Administrator of one resource group cannot grant account-wide access', async () => {
    const group = ids.hex32();
    const admin = await memberWith({ attributes: { resourceGroupId: group }, roles: [role('Administrator')] });
    const inGroup = await admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'kms', resourceGroupId: group }));
    expect(inGroup.status).toBe(201);
    for (const attributes of <Record<string, string>[]>[{ serviceName: 'kms' }, { serviceType: 'service' }, { serviceName: 'kms', resourceGroupId: ids.hex32() }]) {
      expect((await failureOf(admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, attributes)))).status, JSON.stringify(attributes)).toBe(403);
    }
  });

  it('an Administrator of one resource group grants on all resources in it ({resourceGroupId} only)', async () => {
    const group = ids.hex32();
    const admin = await memberWith({ attributes: { resourceGroupId: group }, roles: [role('Administrator')] });
    const wholeGroup = await admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, { resourceGroupId: group }, [role('Viewer')]));
    expect(wholeGroup.status).toBe(201);
    expect((await failureOf(admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, { resourceGroupId: ids.hex32() })))).status).toBe(403);
    const viewer = await memberWith({ attributes: { resourceGroupId: group }, roles: [role('Viewer')] });
    expect((await failureOf(viewer.policies.createPolicy(v1Access(owner.accountId, target.iamId, { resourceGroupId: group }, [role('Operator')])))).status).toBe(403);
  });

  it('an Administrator of all IAM-enabled services grants on any of them, not on account management', async () => {
    const admin = await memberWith({ attributes: { serviceType: 'service' }, roles: [role('Administrator')] });
    expect((await admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'is' }))).status).toBe(201);
    expect((await failureOf(admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'iam-identity' })))).status).toBe(403);
  });

  it('a deleted grant stops counting at once, and a restored one counts again', async () => {
    const target = await addMember(server, owner.accountId);
    const admin = await addMember(server, owner.accountId);
    const grant = await owner.policies.createV2Policy(v2Access(owner.accountId, admin.iamId, { serviceName: 'support' }, [role('Administrator')]));
    const first = await admin.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'support' }));
    expect(first.status).toBe(201);
    await owner.policies.deleteV2Policy({ id: grant.result.id! });
    const body = v1Access(owner.accountId, target.iamId, { serviceName: 'support', serviceInstance: ids.uuid() });
    expect((await failureOf(admin.policies.createPolicy(body))).status).toBe(403);
    const deleted = await owner.policies.getPolicy({ policyId: grant.result.id! });
    await owner.policies.updatePolicyState({ policyId: grant.result.id!, ifMatch: deleted.headers.etag!, state: 'active' });
    expect((await admin.policies.createPolicy(body)).status).toBe(201);
  });

  it('a Viewer of IAM Access Management reads every policy of the account', async () => {
    const reader = await memberWith({ attributes: { serviceName: 'iam-access-management' }, roles: [role('Viewer')] });
    const all = await owner.policies.listPolicies({ accountId: owner.accountId, limit: 100 });
    const seen = await reader.policies.listPolicies({ accountId: owner.accountId, limit: 100 });
    expect(seen.result.policies.length).toBe(all.result.policies.length);
    expect((await reader.policies.getSettings({ accountId: owner.accountId })).status).toBe(200);
    expect((await failureOf(reader.policies.createPolicy(v1Access(owner.accountId, target.iamId, { serviceName: 'support' })))).status).toBe(403);
  });

  it('an Administrator of role management manages custom roles', async () => {
    const admin = await memberWith({ attributes: { serviceName: 'iam-access-management.customRole' }, roles: [role('Administrator')] });
    const created = await admin.policies.createRole({
      name: 'DelegatedRole', displayName: 'Delegated', accountId: owner.accountId, serviceName: 'iam-groups', actions: ['iam-groups.groups.list'],
    });
    expect(created.status).toBe(201);
    expect((await admin.policies.listRoles({ accountId: owner.accountId, serviceName: 'iam-groups' })).result.custom_roles.map((r) => r.name)).toContain('DelegatedRole');
  });
});
