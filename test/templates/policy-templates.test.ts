import type IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../src/kernel/ids.js';
import { clientsFor } from '../enterprise/clients.js';
import { callerOf } from '../helpers/callers.js';
import { errorOf, newAccount, newMember, type Identity } from '../helpers/identities.js';
import { policyClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Policy, action-control and role templates of an enterprise, assigned to two child accounts and
 * an account group through the official SDK: versions and commit, assignments that settle with
 * per-account results, managed resources the child cannot touch, drift and its repair, an account
 * joining a managed group later, a failure in one child that leaves the other correct, and the
 * limits of who may assign what where.
 */
const VIEWER = 'crn:v1:bluemix:public:iam::::role:Viewer';
const WRITER = 'crn:v1:bluemix:public:iam::::serviceRole:Writer';
const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';

/** A read assignment in the v1 shape (the SDK types getPolicyAssignment's result as a union of shapes). */
const v1 = (item: unknown) => item as IamPolicyManagementV1.PolicyAssignmentV1;

const s2s = (target: string, role = WRITER) => ({
  type: 'authorization',
  description: `Let IAM groups read ${target}`,
  subject: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
  resource: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: target }] },
  control: { grant: { roles: [{ role_id: role }] } },
});

describe('policy-management templates across child accounts', () => {
  let server: TestServer;
  let enterprise: ReturnType<typeof clientsFor>['enterprise'];
  let admin: IamPolicyManagementV1;
  let groupId: string;
  let groupCrn: string;
  let enterpriseCrn: string;
  /** Two children in the account group, one directly under the enterprise, one owned by someone else. */
  let childA: string;
  let childB: string;
  let childC: string;
  let foreignChild: string;

  /** The enterprise owner's client acting inside one of the child accounts they own. */
  async function inChild(accountId: string, iamId = server.owner.iamId): Promise<IamPolicyManagementV1> {
    const { registry } = server.server;
    const { value } = await registry.writer.write((w) => registry.identity.issueApiKeyIn(w, { iamId, accountId, name: 'child key', description: '', createdBy: iamId }));
    return policyClient(server.url, value.value);
  }

  async function committedTemplate(name: string, policy: object): Promise<string> {
    const created = await admin.createPolicyTemplate({ accountId: server.owner.accountId, name, policy: policy as never, committed: true });
    return created.result.id!;
  }

  beforeAll(async () => {
    server = await startTestServer();
    enterprise = clientsFor(server.url, server.owner.apikey).enterprise;
    admin = policyClient(server.url, server.owner.apikey);
    const e = await enterprise.createEnterprise({ sourceAccountId: server.owner.accountId, name: 'Templates Inc', primaryContactIamId: server.owner.iamId });
    enterpriseCrn = (await enterprise.getEnterprise({ enterpriseId: e.result.enterprise_id! })).result.crn!;
    groupId = (await enterprise.createAccountGroup({ parent: enterpriseCrn, name: 'Managed', primaryContactIamId: server.owner.iamId })).result.account_group_id!;
    groupCrn = (await enterprise.getAccountGroup({ accountGroupId: groupId })).result.crn!;
    childA = (await enterprise.createAccount({ parent: groupCrn, name: 'Child A', ownerIamId: server.owner.iamId })).result.account_id!;
    childB = (await enterprise.createAccount({ parent: groupCrn, name: 'Child B', ownerIamId: server.owner.iamId })).result.account_id!;
    childC = (await enterprise.createAccount({ parent: enterpriseCrn, name: 'Child C', ownerIamId: server.owner.iamId })).result.account_id!;
    const stranger: Identity = await newAccount(server);
    foreignChild = (await enterprise.createAccount({ parent: enterpriseCrn, name: 'Foreign', ownerIamId: stranger.iamId })).result.account_id!;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('versions a template: update while uncommitted, immutable once committed, listed latest first', async () => {
    const name = `versions-${ids.hex32().slice(0, 6)}`;
    const created = await admin.createPolicyTemplate({ accountId: server.owner.accountId, name, policy: s2s('cloud-object-storage') as never });
    expect(created.status).toBe(201);
    expect(created.result).toMatchObject({ name, version: '1', committed: false, state: 'active', policy: s2s('cloud-object-storage') });
    const id = created.result.id!;
    const replaced = await admin.replacePolicyTemplate({ policyTemplateId: id, version: '1', ifMatch: created.headers.etag!, policy: s2s('cloud-object-storage', READER) as never, description: 'v1 again' });
    expect(replaced.result.policy.control?.grant).toEqual({ roles: [{ role_id: READER }] });
    // The old tag no longer matches.
    expect((await errorOf(admin.replacePolicyTemplate({ policyTemplateId: id, version: '1', ifMatch: created.headers.etag!, policy: s2s('cloud-object-storage') as never }))).status).toBe(412);
    await admin.commitPolicyTemplate({ policyTemplateId: id, version: '1' });
    const current = await admin.getPolicyTemplateVersion({ policyTemplateId: id, version: '1' });
    const refused = await errorOf(admin.replacePolicyTemplate({ policyTemplateId: id, version: '1', ifMatch: current.headers.etag!, policy: s2s('cloud-object-storage') as never }));
    expect(refused.message).toBe(`Policy template id '${id}' and version '1' is committed and cannot be updated`);
    const v2 = await admin.createPolicyTemplateVersion({ policyTemplateId: id, policy: s2s('cloud-object-storage') as never });
    expect(v2.result.version).toBe('2');
    expect((await admin.getPolicyTemplate({ policyTemplateId: id })).result.version).toBe('2');
    expect((await admin.listPolicyTemplateVersions({ policyTemplateId: id })).result.versions.map((v) => v.version)).toEqual(['1', '2']);
    const listed = await admin.listPolicyTemplates({ accountId: server.owner.accountId, name });
    expect(listed.result.policy_templates.map((t) => [t.id, t.version])).toEqual([[id, '2']]);
    await admin.deletePolicyTemplateVersion({ policyTemplateId: id, version: '1' });
    expect((await admin.listPolicyTemplateVersions({ policyTemplateId: id })).result.versions.map((v) => v.version)).toEqual(['2']);
    await admin.deletePolicyTemplate({ policyTemplateId: id });
    expect((await errorOf(admin.getPolicyTemplate({ policyTemplateId: id }))).status).toBe(404);
  });

  it('refuses what a template cannot be: an account in the resource, a subject on an access template, no role', async () => {
    const base = { accountId: server.owner.accountId, name: `bad-${ids.hex32().slice(0, 6)}` };
    const withAccount = { ...s2s('cloud-object-storage'), resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: childA }] } };
    expect((await errorOf(admin.createPolicyTemplate({ ...base, policy: withAccount as never }))).status).toBe(400);
    const accessWithSubject = { ...s2s('cloud-object-storage', VIEWER), type: 'access' };
    expect((await errorOf(admin.createPolicyTemplate({ ...base, policy: accessWithSubject as never }))).status).toBe(400);
    const noRole = { ...s2s('cloud-object-storage'), control: { grant: { roles: [] } } };
    expect((await errorOf(admin.createPolicyTemplate({ ...base, policy: noRole as never }))).status).toBe(400);
    // Nothing of it was stored.
    expect((await admin.listPolicyTemplates({ accountId: server.owner.accountId, name: base.name })).result.policy_templates).toEqual([]);
  });

  it('assigns a committed version to a child: the managed policy carries its template and the child cannot change it', async () => {
    const id = await committedTemplate(`s2s-${ids.hex32().slice(0, 6)}`, s2s('cloud-object-storage'));
    const created = await admin.createPolicyTemplateAssignment({ version: '1.0', target: { type: 'Account', id: childC }, templates: [{ id, version: '1' }] });
    expect(created.status).toBe(201);
    const assignment = created.result.assignments[0]!;
    expect(assignment.status).toBe('succeeded');
    expect(assignment.resources[0]!.target).toEqual({ type: 'Account', id: childC });
    const policyId = assignment.resources[0]!.policy!.resource_created!.id!;
    // The enterprise sees what its assignment made, with the template metadata.
    const seen = await admin.getV2Policy({ id: policyId });
    expect(seen.result.template).toEqual({ id, version: '1', assignment_id: assignment.id });
    expect(seen.result.resource?.attributes).toContainEqual({ key: 'accountId', operator: 'stringEquals', value: childC });
    // The child account's own administrator cannot detach or weaken it.
    const child = await inChild(childC);
    const own = await child.getV2Policy({ id: policyId });
    expect((await errorOf(child.deleteV2Policy({ id: policyId }))).status).toBe(403);
    const weakened = { type: 'authorization', subject: own.result.subject, resource: own.result.resource, control: { grant: { roles: [{ role_id: READER }] } } };
    expect((await errorOf(child.replaceV2Policy({ id: policyId, ifMatch: own.headers.etag!, ...weakened }))).status).toBe(403);
    // Assigning the same template to the same target again is a conflict; an uncommitted version cannot be assigned.
    expect((await errorOf(admin.createPolicyTemplateAssignment({ version: '1.0', target: { type: 'Account', id: childC }, templates: [{ id, version: '1' }] }))).status).toBe(409);
    const draft = await admin.createPolicyTemplateVersion({ policyTemplateId: id, policy: s2s('cloud-object-storage', READER) as never });
    expect((await errorOf(admin.updatePolicyAssignment({ assignmentId: assignment.id!, version: '1.0', ifMatch: created.headers.etag!, templateVersion: draft.result.version }))).status).toBe(400);
    // A template or version in use cannot be deleted.
    expect((await errorOf(admin.deletePolicyTemplateVersion({ policyTemplateId: id, version: '1' }))).status).toBe(409);

    // Moving to a newer version updates the same policy.
    await admin.commitPolicyTemplate({ policyTemplateId: id, version: draft.result.version });
    const current = await admin.getPolicyAssignment({ assignmentId: assignment.id!, version: '1.0' });
    const updated = await admin.updatePolicyAssignment({ assignmentId: assignment.id!, version: '1.0', ifMatch: current.headers.etag!, templateVersion: draft.result.version });
    expect(updated.result.resources[0]!.policy!.resource_created!.id).toBe(policyId);
    expect(((await admin.getV2Policy({ id: policyId })).result.control as { grant: { roles: Array<{ role_id: string }> } }).grant.roles.map((r) => r.role_id)).toEqual([READER]);

    // Removal takes the policy away.
    expect((await admin.deletePolicyAssignment({ assignmentId: assignment.id! })).status).toBe(204);
    expect((await child.getV2Policy({ id: policyId })).result.state).toBe('deleted');
    expect((await errorOf(admin.getPolicyAssignment({ assignmentId: assignment.id!, version: '1.0' }))).status).toBe(404);
  });

  it('reports drift on read and repairs it when the version is applied again', async () => {
    const id = await committedTemplate(`drift-${ids.hex32().slice(0, 6)}`, s2s('cloud-object-storage'));
    const created = await admin.createPolicyTemplateAssignment({ version: '1.0', target: { type: 'Account', id: childC }, templates: [{ id, version: '1' }] });
    const assignment = created.result.assignments[0]!;
    const policyId = assignment.resources[0]!.policy!.resource_created!.id!;
    // Something outside the API retires the policy (here: the database itself).
    await server.server.registry.database.db.updateTable('policies').set({ state: 'deleted' }).where('id', '=', policyId).execute();
    const read = await admin.getPolicyAssignment({ assignmentId: assignment.id!, version: '1.0' });
    expect(v1(read.result).resources[0]!.policy!.status).toBe('drifted');
    const repaired = await admin.updatePolicyAssignment({ assignmentId: assignment.id!, version: '1.0', ifMatch: read.headers.etag!, templateVersion: '1' });
    expect(repaired.result.status).toBe('succeeded');
    const newId = repaired.result.resources[0]!.policy!.resource_created!.id!;
    expect((await admin.getV2Policy({ id: newId })).result.state).toBe('active');
    expect(v1((await admin.getPolicyAssignment({ assignmentId: assignment.id!, version: '1.0' })).result).resources[0]!.policy!.status).toBe('succeeded');
    await admin.deletePolicyAssignment({ assignmentId: assignment.id! });
  });

  it('reaches every account of a group, and accounts that join it later', async () => {
    const id = await committedTemplate(`group-${ids.hex32().slice(0, 6)}`, s2s('kms', READER));
    const created = await admin.createPolicyTemplateAssignment({ version: '1.0', target: { type: 'AccountGroup', id: groupId }, templates: [{ id, version: '1' }] });
    const assignment = created.result.assignments[0]!;
    expect(assignment.status).toBe('succeeded');
    expect(assignment.resources.map((r) => r.target!.id).sort()).toEqual([childA, childB].sort());
    const late = (await enterprise.createAccount({ parent: groupCrn, name: 'Late', ownerIamId: server.owner.iamId })).result.account_id!;
    const moved = childC;
    await enterprise.updateAccount({ accountId: moved, parent: groupCrn });
    const after = await admin.getPolicyAssignment({ assignmentId: assignment.id!, version: '1.0' });
    expect(v1(after.result).resources.map((r) => r.target!.id).sort()).toEqual([childA, childB, late, moved].sort());
    expect(v1(after.result).resources.every((r) => r.policy!.status === 'succeeded')).toBe(true);
    await admin.deletePolicyAssignment({ assignmentId: assignment.id! });
    await enterprise.updateAccount({ accountId: moved, parent: enterpriseCrn });
  });

  it('a failure in one child is reported for that child only, and the other child is correct', async () => {
    const name = `Clash${ids.hex32().slice(0, 6)}`;
    // Child B already has a custom role of the template's name.
    const childBClient = await inChild(childB);
    await childBClient.createRole({ accountId: childB, name, displayName: 'Local', serviceName: 'iam-groups', actions: ['iam-groups.groups.read'] });
    const template = await admin.createRoleTemplate({
      accountId: server.owner.accountId,
      name: `role-${name}`,
      role: { name, display_name: 'Enterprise reader', service_name: 'iam-groups', actions: ['iam-groups.groups.read'] },
      committed: true,
    });
    const created = await admin.createRoleTemplateAssignment({ target: { type: 'AccountGroup', id: groupId }, templates: [{ id: template.result.id!, version: '1' }] });
    const assignment = created.result.assignments[0]!;
    expect(assignment.status).toBe('failure');
    const byAccount = new Map(assignment.resources!.map((r) => [r.target.id, r.role!]));
    expect(byAccount.get(childB)!.error_message).toMatchObject({ code: 'role_conflict_error' });
    expect(byAccount.get(childB)!.resource_created).toBeUndefined();
    const madeInA = byAccount.get(childA)!.resource_created!.id!;
    const childAClient = await inChild(childA);
    const roles = (await childAClient.listRoles({ accountId: childA })).result.custom_roles!;
    expect(roles.find((r) => r.id === madeInA)).toMatchObject({ name, display_name: 'Enterprise reader' });
    // Child B's own role is untouched; child A's managed role refuses the child's changes.
    expect((await childBClient.listRoles({ accountId: childB })).result.custom_roles!.find((r) => r.name === name)!.display_name).toBe('Local');
    expect((await errorOf(childAClient.deleteRole({ roleId: madeInA }))).status).toBe(403);
    await admin.deleteRoleAssignment({ assignmentId: assignment.id! });
    expect((await childAClient.listRoles({ accountId: childA })).result.custom_roles!.find((r) => r.id === madeInA)).toBeUndefined();
  });

  it('keeps action controls in each child through action-control assignments', async () => {
    const template = await admin.createActionControlTemplate({
      accountId: server.owner.accountId,
      name: `ac-${ids.hex32().slice(0, 6)}`,
      actionControl: { service_name: 'iam-groups', actions: ['iam-groups.groups.delete'] },
      committed: true,
    });
    const created = await admin.createActionControlTemplateAssignment({ target: { type: 'Account', id: childA }, templates: [{ id: template.result.id!, version: '1' }] });
    const assignment = created.result.assignments[0]!;
    expect(assignment.status).toBe('accepted');
    expect(assignment.resources![0]!.action_control!.resource_created!.id).toBeDefined();
    expect((await admin.deleteActionControlAssignment({ assignmentId: assignment.id! })).status).toBe(204);
  });

  it('takes the controlled actions away in the child even from those whose policies grant them, and gives them back with the assignment', async () => {
    // A member of each child with Administrator on access groups there.
    const adminIn = async (accountId: string) => {
      const member = await newMember(server, accountId);
      await (await inChild(accountId)).createPolicy({
        type: 'access',
        subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
        roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Administrator' }],
        resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'iam-groups' }] }],
      });
      return callerOf(server, member);
    };
    const inA = await adminIn(childA);
    const inB = await adminIn(childB);
    const groupIn = async (caller: typeof inA) => (await caller.groups.createAccessGroup({ accountId: caller.accountId, name: `g-${ids.hex32().slice(0, 8)}` })).result.id!;

    const template = await admin.createActionControlTemplate({
      accountId: server.owner.accountId,
      name: `no-delete-${ids.hex32().slice(0, 6)}`,
      actionControl: { service_name: 'iam-groups', actions: ['iam-groups.groups.delete'] },
      committed: true,
    });
    const created = await admin.createActionControlTemplateAssignment({ target: { type: 'Account', id: childA }, templates: [{ id: template.result.id!, version: '1' }] });
    const assignmentId = created.result.assignments[0]!.id!;
    const controlId = created.result.assignments[0]!.resources![0]!.action_control!.resource_created!.id!;

    // In child A the member still creates groups, but may not delete one.
    const kept = await groupIn(inA);
    const refused = await errorOf(inA.groups.deleteAccessGroup({ accessGroupId: kept }));
    expect(refused.status).toBe(403);
    expect((await inA.groups.getAccessGroup({ accessGroupId: kept })).status).toBe(200);
    // The decision point says why.
    const { registry } = server.server;
    const decision = await registry.decisionPoint.decide([
      { subject: { id: inA.iamId }, action: 'iam-groups.groups.delete', resource: { accountId: childA, serviceName: 'iam-groups', resourceType: 'group', resource: kept } },
    ]);
    expect(decision[0]).toMatchObject({ permitted: false, cause: 'action_controlled', actionControlId: controlId });
    // Child B has no such control.
    expect((await inB.groups.deleteAccessGroup({ accessGroupId: await groupIn(inB) })).status).toBe(204);

    // Removing the assignment gives the action back.
    expect((await admin.deleteActionControlAssignment({ assignmentId })).status).toBe(204);
    expect((await inA.groups.deleteAccessGroup({ accessGroupId: kept })).status).toBe(204);
  });

  it('lets template and assignment administrators of the enterprise work, but grants in a child only what they hold there', async () => {
    const member = await newMember(server, server.owner.accountId);
    const asMember = policyClient(server.url, member.apikey);
    const name = `member-${ids.hex32().slice(0, 6)}`;
    // Without a role on iam-access-management the member may not create templates.
    expect((await errorOf(asMember.createPolicyTemplate({ accountId: server.owner.accountId, name, policy: s2s('cloud-object-storage') as never }))).status).toBe(403);
    await admin.createV2Policy({
      type: 'access',
      subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: member.iamId }] },
      resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: server.owner.accountId }, { key: 'serviceName', operator: 'stringEquals', value: 'iam-access-management' }] },
      control: { grant: { roles: ['TemplateAdministrator', 'AssignmentAdministrator'].map((r) => ({ role_id: `crn:v1:bluemix:public:iam::::serviceRole:${r}` })) } },
    });
    const created = await asMember.createPolicyTemplate({ accountId: server.owner.accountId, name, policy: s2s('cloud-object-storage') as never, committed: true });
    // The member holds nothing in child C: the assignment is made, its grant there is refused.
    const assigned = await asMember.createPolicyTemplateAssignment({ version: '1.0', target: { type: 'Account', id: childC }, templates: [{ id: created.result.id!, version: '1' }] });
    const assignment = assigned.result.assignments[0]!;
    expect(assignment.status).toBe('failed');
    expect(assignment.resources[0]!.policy!.error_message).toMatchObject({ code: 'insufficent_permissions' });
    expect(assignment.resources[0]!.policy!.resource_created).toBeUndefined();
    await asMember.deletePolicyAssignment({ assignmentId: assignment.id! });
  });

  it('never grants in a child more than the assigner administers there, nor reaches outside the enterprise', async () => {
    const id = await committedTemplate(`foreign-${ids.hex32().slice(0, 6)}`, s2s('cloud-object-storage'));
    // The foreign child is owned by someone else, whose policies give the enterprise owner nothing there.
    const created = await admin.createPolicyTemplateAssignment({ version: '1.0', target: { type: 'Account', id: foreignChild }, templates: [{ id, version: '1' }] });
    const assignment = created.result.assignments[0]!;
    expect(assignment.status).toBe('failed');
    expect(assignment.resources[0]!.policy!.error_message).toMatchObject({ code: 'insufficent_permissions' });
    expect(assignment.resources[0]!.policy!.resource_created).toBeUndefined();
    await admin.deletePolicyAssignment({ assignmentId: assignment.id! });
    // An account outside the enterprise is no target; another account sees nothing of the template.
    const outsider = await newAccount(server);
    expect((await errorOf(admin.createPolicyTemplateAssignment({ version: '1.0', target: { type: 'Account', id: outsider.accountId }, templates: [{ id, version: '1' }] }))).status).toBe(400);
    const other = policyClient(server.url, outsider.apikey);
    expect((await errorOf(other.getPolicyTemplate({ policyTemplateId: id }))).status).toBe(404);
    expect((await errorOf(other.createPolicyTemplateAssignment({ version: '1.0', target: { type: 'Account', id: childA }, templates: [{ id, version: '1' }] }))).status).toBe(404);
    expect((await other.listPolicyTemplates({ accountId: server.owner.accountId })).result.policy_templates).toEqual([]);
  });
});
