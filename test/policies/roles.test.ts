import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failureOf, role, serviceRole, v1Access, v2Access } from './helpers.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';

let server: TestServer;
let owner: Caller;
let member: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  member = await addMember(server, owner.accountId);
});
afterAll(() => server?.close());

const newRole = (name: string, actions: string[], serviceName = 'iam-groups') => ({
  name,
  displayName: `${name} role`,
  description: 'made in a test',
  accountId: owner.accountId,
  serviceName,
  actions,
});

describe('listing roles', () => {
  it('by service: the platform roles it offers and its service roles, with their actions there', async () => {
    const { result } = await owner.policies.listRoles({ serviceName: 'iam-groups' });
    const names = (roles: { display_name: string }[]) => roles.map((r) => r.display_name).sort();
    expect(names(result.system_roles)).toEqual(['Administrator', 'Editor', 'Operator', 'Viewer']);
    expect(names(result.service_roles)).toEqual(expect.arrayContaining(['Template Administrator', 'Groups Service Member Manage']));
    const editor = result.system_roles.find((r) => r.display_name === 'Editor')!;
    expect(editor.crn).toBe(role('Editor'));
    expect(editor.actions).toContain('iam-groups.groups.create');
    expect(editor.actions).not.toContain('iam-groups.account-settings.update');
    expect(result.custom_roles).toEqual([]);

    const cos = (await owner.policies.listRoles({ serviceName: 'cloud-object-storage' })).result;
    expect(cos.service_roles.map((r) => r.crn)).toEqual(expect.arrayContaining([serviceRole('Reader'), serviceRole('Writer'), serviceRole('Manager')]));
  });

  it('by service group, and without a service; service_name with service_group_id is 400', async () => {
    const iam = (await owner.policies.listRoles({ serviceGroupId: 'IAM' })).result;
    expect(iam.service_roles.map((r) => r.display_name)).toContain('Service ID creator');
    const all = (await owner.policies.listRoles({})).result;
    expect(all.system_roles.map((r) => r.display_name).sort()).toEqual(['Administrator', 'Editor', 'Operator', 'Viewer']);
    expect((await failureOf(owner.policies.listRoles({ serviceName: 'kms', serviceGroupId: 'IAM' }))).status).toBe(400);
    expect((await failureOf(owner.policies.listRoles({ serviceName: 'nope' }))).status).toBe(400);
  });

  it('policy_type=authorization lists service roles only', async () => {
    const { result } = await owner.policies.listRoles({ serviceName: 'kms', sourceServiceName: 'is', policyType: 'authorization' });
    expect(result.system_roles).toEqual([]);
    expect(result.service_roles.map((r) => r.crn)).toContain(serviceRole('Reader'));
  });
});

describe('custom roles', () => {
  it('lifecycle: create, get, list, replace with If-Match, delete', async () => {
    const created = await owner.policies.createRole(newRole('GroupReader', ['iam-groups.groups.read']));
    expect(created.status).toBe(201);
    const r = created.result;
    expect(Buffer.from(r.id!, 'hex').toString('ascii')).toMatch(/^customRole-[0-9a-f]{32}-GroupReader$/);
    expect(r.crn).toBe(`crn:v1:ibmcloud:public:iam-access-management::a/${owner.accountId}::customRole:GroupReader`);
    expect(r.href).toBe(`${server.url}/v2/roles/${r.id}`);
    expect(r).toMatchObject({ name: 'GroupReader', display_name: 'GroupReader role', account_id: owner.accountId, service_name: 'iam-groups', actions: ['iam-groups.groups.read'] });
    expect(created.headers.etag).toMatch(/^1-[0-9a-f]{32}$/);

    const got = await owner.policies.getRole({ roleId: r.id! });
    expect(got.result).toEqual(r);
    expect(got.headers.etag).toBe(created.headers.etag);

    const listed = await owner.policies.listRoles({ accountId: owner.accountId, serviceName: 'iam-groups' });
    expect(listed.result.custom_roles.map((c) => c.id)).toEqual([r.id]);
    expect((await owner.policies.listRoles({ accountId: owner.accountId, serviceName: 'kms' })).result.custom_roles).toEqual([]);

    const replaced = await owner.policies.replaceRole({
      roleId: r.id!,
      ifMatch: got.headers.etag!,
      displayName: 'Group reader and lister',
      actions: ['iam-groups.groups.read', 'iam-groups.groups.list'],
    });
    expect(replaced.result.actions).toEqual(['iam-groups.groups.list', 'iam-groups.groups.read']);
    expect(replaced.result.description).toBeUndefined();
    expect(replaced.headers.etag).toMatch(/^2-/);
    expect((await failureOf(owner.policies.replaceRole({ roleId: r.id!, ifMatch: got.headers.etag!, displayName: 'x', actions: ['iam-groups.groups.read'] }))).status).toBe(412);

    expect((await owner.policies.deleteRole({ roleId: r.id! })).status).toBe(204);
    expect(await failureOf(owner.policies.getRole({ roleId: r.id! }))).toMatchObject({ status: 404, code: 'role_not_found' });
  });

  it('a duplicate name or an identical action set is 409 role_conflict_error naming the existing role', async () => {
    const first = await owner.policies.createRole(newRole('MemberViewer', ['iam-groups.members.read', 'iam-groups.members.list']));
    const sameName = await failureOf(owner.policies.createRole(newRole('MemberViewer', ['iam-groups.rules.read'])));
    expect(sameName).toMatchObject({ status: 409, code: 'role_conflict_error' });
    expect(sameName.body.errors[0].details.conflicts_with.role.id).toBe(first.result.id);
    expect(sameName.body.errors[0].details.conflicts_with.etag).toBe(first.headers.etag);
    expect(sameName.body.errors[0].details.conflicts_with.role.href).toBe(first.result.href);
    const sameActions = await failureOf(owner.policies.createRole(newRole('MemberLister', ['iam-groups.members.list', 'iam-groups.members.read'])));
    expect(sameActions).toMatchObject({ status: 409, code: 'role_conflict_error' });
    expect(sameActions.body.errors[0].details.conflicts_with.role.name).toBe('MemberViewer');
    // A replace that would copy another role's actions conflicts too.
    const other = await owner.policies.createRole(newRole('RuleViewer', ['iam-groups.rules.read']));
    const copy = await failureOf(owner.policies.replaceRole({
      roleId: other.result.id!, ifMatch: other.headers.etag!, displayName: 'x', actions: ['iam-groups.members.read', 'iam-groups.members.list'],
    }));
    expect(copy.code).toBe('role_conflict_error');
  });

  it('refuses malformed names, foreign or unknown actions and unknown services with 400', async () => {
    const refused = [
      newRole('lowercase', ['iam-groups.groups.read']),
      newRole('Has Space', ['iam-groups.groups.read']),
      newRole('Foreign', ['kms.secrets.read']),
      newRole('Unknown', ['iam-groups.groups.fly']),
      newRole('Empty', []),
      newRole('NoService', ['x.y.z'], 'no-such-service'),
      { ...newRole('LongName', ['iam-groups.groups.read']), displayName: 'x'.repeat(51) },
    ];
    for (const body of refused) {
      expect(await failureOf(owner.policies.createRole(body)), body.name).toMatchObject({ status: 400, code: 'invalid_body' });
    }
  });

  it('policies grant custom roles on their own service only; a role in use cannot be deleted', async () => {
    const custom = await owner.policies.createRole(newRole('RuleEditor', ['iam-groups.rules.create', 'iam-groups.rules.update']));
    const crn = custom.result.crn!;
    const policy = await owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { serviceName: 'iam-groups' }, [crn]));
    expect(policy.result.roles).toEqual([{ role_id: crn, display_name: 'RuleEditor role', description: 'made in a test' }]);
    const display = await owner.policies.getV2Policy({ id: policy.result.id!, format: 'display' });
    expect((display.result.control as any).grant.roles[0].actions.map((a: { id: string }) => a.id)).toEqual(['iam-groups.rules.create', 'iam-groups.rules.update']);

    const elsewhere = await failureOf(owner.policies.createV2Policy(v2Access(owner.accountId, member.iamId, { serviceName: 'kms' }, [crn])));
    expect(elsewhere.status).toBe(400);
    const other = await createOtherAccount(server);
    const foreign = await failureOf(other.policies.createPolicy(v1Access(other.accountId, other.iamId, { serviceName: 'iam-groups' }, [crn])));
    expect(foreign).toMatchObject({ status: 400, code: 'role_not_found' });

    const inUse = await failureOf(owner.policies.deleteRole({ roleId: custom.result.id! }));
    expect(inUse).toMatchObject({ status: 409, code: 'role_conflict_error' });
    await owner.policies.deletePolicy({ policyId: policy.result.id! });
    expect((await owner.policies.deleteRole({ roleId: custom.result.id! })).status).toBe(204);
    // The deleted policy cannot come back with a role that no longer exists.
    const deleted = await owner.policies.getPolicy({ policyId: policy.result.id! });
    const restore = await failureOf(owner.policies.updatePolicyState({ policyId: policy.result.id!, ifMatch: deleted.headers.etag!, state: 'active' }));
    expect(restore).toMatchObject({ status: 400, code: 'role_not_found' });
  });

  it('publishes every custom-role change on the change feed', async () => {
    const { db } = server.server.registry.database;
    const created = await owner.policies.createRole(newRole('FeedCheck', ['iam-groups.report.create']));
    const rows = await db.selectFrom('changes').selectAll().where('entity', '=', 'custom_role').where('entity_id', '=', created.result.id!).execute();
    expect(rows.map((r) => r.op)).toEqual(['create']);
  });

  it('members without role management may not create roles and do not see custom roles', async () => {
    expect(await failureOf(member.policies.createRole(newRole('Sneaky', ['iam-groups.groups.delete'])))).toMatchObject({ status: 403, code: 'insufficent_permissions' });
    const listed = await member.policies.listRoles({ accountId: owner.accountId, serviceName: 'iam-groups' });
    expect(listed.result.custom_roles).toEqual([]);
    expect(listed.result.system_roles.length).toBe(4);
  });
});
