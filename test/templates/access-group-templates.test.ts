import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOtherAccount, type Caller } from '../helpers/callers.js';
import { bearerOf, errorOf, statusOf } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildEnterprise, rolePolicy, settle, type TemplateWorld } from './enterprise.js';

/**
 * Access-group templates, driven by the official SDK: an enterprise administrator defines a group
 * once, commits it and assigns it to an account group of two child accounts; each child gets the
 * group (members, rules), enterprise-managed; a name collision in one child fails there only;
 * updates move the children to a new version; removal takes the groups away again.
 */

let server: TestServer;
let world: TemplateWorld;
let root: Caller;

const USER = 'IBMid-1000TPLUSER';
const USER2 = 'IBMid-1000TPLUSR2';
const rule = {
  name: 'Engineers',
  expiration: 12,
  realm_name: 'https://idp.example.org/SAML2',
  conditions: [{ claim: 'team', operator: 'EQUALS', value: '"engineering"' }],
};
const groupOf = (name: string, users = [USER]) => ({
  name,
  description: 'Operators of every child account.',
  members: { users, action_controls: { add: true, remove: false } },
  assertions: { rules: [rule], action_controls: { add: false, remove: false } },
  action_controls: { access: { add: false } },
});

beforeAll(async () => {
  server = await startTestServer();
  world = await buildEnterprise(server);
  root = world.root;
});
afterAll(() => server?.close());

const groupsNamed = async (child: Caller, name: string) =>
  (await child.groups.listAccessGroups({ accountId: child.accountId, hidePublicAccess: true })).result.groups!.filter((g) => g.name === name);

describe('template versions', () => {
  let templateId: string;

  it('creates version 1, adds version 2, and lists templates by their latest version', async () => {
    const created = await root.groups.createTemplate({ name: 'Operators', accountId: root.accountId, description: 'ops', group: groupOf('Operators') });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toMatch(/^1-[0-9a-f]{32}$/);
    expect(created.result).toMatchObject({ name: 'Operators', account_id: root.accountId, version: '1', committed: false, group: { name: 'Operators' } });
    templateId = created.result.id!;

    const second = await root.groups.createTemplateVersion({ templateId, group: groupOf('Operators v2') });
    expect(second.status).toBe(201);
    expect(second.result).toMatchObject({ id: templateId, version: '2', name: 'Operators', description: 'ops', committed: false });

    const listed = await root.groups.listTemplates({ accountId: root.accountId });
    expect(listed.result.group_templates!.map((t) => [t.id, t.version])).toEqual([[templateId, '2']]);
    expect(listed.result.total_count).toBe(1);

    const latest = await root.groups.getLatestTemplateVersion({ templateId });
    expect(latest.result.version).toBe('2');
  });

  it('pages through versions with the SDK pager', async () => {
    const { default: IamAccessGroupsV2 } = await import('@ibm-cloud/platform-services/iam-access-groups/v2.js');
    const all = await new IamAccessGroupsV2.TemplateVersionsPager(root.groups, { templateId, limit: 1 }).getAll();
    expect(all.map((v) => v.version)).toEqual(['1', '2']);
  });

  it('updates an uncommitted version under If-Match, refuses a stale tag, and freezes a committed one', async () => {
    const v1 = await root.groups.getTemplateVersion({ templateId, versionNum: '1' });
    const updated = await root.groups.updateTemplateVersion({
      templateId,
      versionNum: '1',
      ifMatch: v1.headers.etag!,
      name: 'Operators',
      group: groupOf('Operators', [USER, USER2]),
    });
    expect(updated.status).toBe(201);
    expect(updated.result.group!.members!.users).toEqual([USER, USER2]);
    expect(await statusOf(root.groups.updateTemplateVersion({ templateId, versionNum: '1', ifMatch: v1.headers.etag!, group: groupOf('Stale') }))).toBe(412);

    const current = await root.groups.getTemplateVersion({ templateId, versionNum: '1' });
    expect((await root.groups.commitTemplate({ templateId, versionNum: '1', ifMatch: current.headers.etag! })).status).toBe(204);
    expect((await root.groups.getTemplateVersion({ templateId, versionNum: '1' })).result.committed).toBe(true);

    const refused = await errorOf(
      root.groups.updateTemplateVersion({ templateId, versionNum: '1', ifMatch: '*', group: groupOf('Changed') }),
    );
    expect(refused.status).toBe(409);
    expect(refused.message).toContain('is committed and cannot be changed');
    expect((await root.groups.getTemplateVersion({ templateId, versionNum: '1' })).result.group!.name).toBe('Operators');
  });

  it('answers bad input with 400 and writes nothing', async () => {
    const before = (await root.groups.listTemplates({ accountId: root.accountId })).result.total_count;
    expect(await statusOf(root.groups.createTemplate({ name: 'No group', accountId: root.accountId }))).toBe(400);
    expect(await statusOf(root.groups.createTemplate({ name: 'Bad member', accountId: root.accountId, group: groupOf('X', ['not-an-id']) }))).toBe(400);
    const badRule = { ...groupOf('X'), assertions: { rules: [{ ...rule, operator: undefined, conditions: [{ claim: 'a', operator: 'LIKE', value: '"b"' }] }] } };
    expect(await statusOf(root.groups.createTemplate({ name: 'Bad rule', accountId: root.accountId, group: badRule }))).toBe(400);
    expect(await statusOf(root.groups.getTemplateVersion({ templateId, versionNum: 'first' }))).toBe(400);
    expect(await statusOf(root.groups.getTemplateVersion({ templateId, versionNum: '9' }))).toBe(404);
    expect((await root.groups.listTemplates({ accountId: root.accountId })).result.total_count).toBe(before);
  });

  it('refuses to assign an uncommitted version', async () => {
    const res = await errorOf(root.groups.createAssignment({ templateId, templateVersion: '2', targetType: 'AccountGroup', target: world.accountGroupId }));
    expect(res.status).toBe(400);
    expect(res.message).toContain('not committed');
  });
});

describe('assignments across two child accounts', () => {
  let templateId: string;
  let assignmentId: string;

  it('assigns a committed version to the account group: each child gets the group, asynchronously', async () => {
    const t = await root.groups.createTemplate({ name: 'Auditors', accountId: root.accountId, group: groupOf('Auditors') });
    templateId = t.result.id!;
    await root.groups.commitTemplate({ templateId, versionNum: '1', ifMatch: t.headers.etag! });
    const res = await root.groups.createAssignment({ templateId, templateVersion: '1', targetType: 'AccountGroup', target: world.accountGroupId });
    expect(res.status).toBe(202);
    expect(res.result).toMatchObject({ template_id: templateId, template_version: '1', target_type: 'AccountGroup', operation: 'assign', status: 'in_progress' });
    assignmentId = res.result.id!;

    const done = await settle(() => root.groups.getAssignment({ assignmentId }));
    expect(done).not.toBe('gone');
    if (done === 'gone') return;
    expect(done.status).toBe('succeeded');
    expect(done.resources!.map((r) => r.target).sort()).toEqual([world.childA.accountId, world.childB.accountId].sort());

    for (const child of [world.childA, world.childB]) {
      const [group] = await groupsNamed(child, 'Auditors');
      expect(group).toBeDefined();
      const members = await child.groups.listAccessGroupMembers({ accessGroupId: group!.id! });
      expect(members.result.members!.map((m) => m.iam_id)).toEqual([USER]);
      const rules = await child.groups.listAccessGroupRules({ accessGroupId: group!.id! });
      expect(rules.result.rules!.map((r) => r.name)).toEqual(['Engineers']);
    }
    const listed = await root.groups.listAssignments({ accountId: root.accountId, templateId });
    expect(listed.result.assignments!.map((a) => a.id)).toEqual([assignmentId]);
  });

  it('a child account cannot rename, delete or strip the managed group; it may add members as the template allows', async () => {
    const { childA } = world;
    const [group] = await groupsNamed(childA, 'Auditors');
    const id = group!.id!;
    const renamed = await errorOf(childA.groups.updateAccessGroup({ accessGroupId: id, ifMatch: '*', name: 'Mine now' }));
    expect(renamed.status).toBe(403);
    expect(renamed.body.errors[0].message).toContain(`managed by the enterprise template assignment ${assignmentId}`);
    expect(await statusOf(childA.groups.deleteAccessGroup({ accessGroupId: id, force: true }))).toBe(403);
    expect(await statusOf(childA.groups.removeMemberFromAccessGroup({ accessGroupId: id, iamId: USER }))).toBe(403);
    expect(await statusOf(childA.groups.removeMemberFromAllAccessGroups({ accountId: childA.accountId, iamId: USER }))).toBe(403);
    expect(await statusOf(childA.groups.addAccessGroupRule({ accessGroupId: id, name: rule.name, expiration: rule.expiration, realmName: rule.realm_name, conditions: rule.conditions }))).toBe(403);
    const added = await childA.groups.addMembersToAccessGroup({ accessGroupId: id, members: [{ iam_id: USER2, type: 'user' }] });
    expect(added.status).toBe(207);
    expect(added.result.members![0]!.status_code).toBe(200);
    expect((await childA.groups.getAccessGroup({ accessGroupId: id })).result.name).toBe('Auditors');
    expect((await childA.groups.listAccessGroupMembers({ accessGroupId: id })).result.members!.map((m) => m.iam_id).sort()).toEqual([USER, USER2].sort());
  });

  it('a name collision in one child fails there, says why, and leaves the other child correct', async () => {
    await world.childB.groups.createAccessGroup({ accountId: world.childB.accountId, name: 'Security' });
    const t = await root.groups.createTemplate({ name: 'Security', accountId: root.accountId, group: groupOf('Security') });
    await root.groups.commitTemplate({ templateId: t.result.id!, versionNum: '1', ifMatch: t.headers.etag! });
    const res = await root.groups.createAssignment({ templateId: t.result.id!, templateVersion: '1', targetType: 'AccountGroup', target: world.accountGroupId });
    const done = await settle(() => root.groups.getAssignment({ assignmentId: res.result.id! }));
    if (done === 'gone') throw new Error('gone');
    expect(done.status).toBe('failed');
    const byTarget = Object.fromEntries(done.resources!.map((r) => [r.target, r]));
    expect(byTarget[world.childA.accountId]!.group!.group.status).toBe('succeeded');
    const failed = byTarget[world.childB.accountId]!.group!.group;
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('An access group named "Security" already exists');
    expect(await groupsNamed(world.childA, 'Security')).toHaveLength(1);
    const [own] = await groupsNamed(world.childB, 'Security');
    expect((await world.childB.groups.getAccessGroup({ accessGroupId: own!.id! })).result.description).toBe('');
  });

  it('moves the children to a new committed version; applying it again repairs what a child changed', async () => {
    const removable = { ...groupOf('Auditors'), description: 'Version two.' };
    removable.members.action_controls.remove = true;
    const v2 = await root.groups.createTemplateVersion({ templateId, group: removable });
    await root.groups.commitTemplate({ templateId, versionNum: '2', ifMatch: v2.headers.etag! });
    const current = await root.groups.getAssignment({ assignmentId });
    expect(await statusOf(root.groups.updateAssignment({ assignmentId, ifMatch: '1-00000000000000000000000000000000', templateVersion: '2' }))).toBe(412);
    const res = await root.groups.updateAssignment({ assignmentId, ifMatch: current.headers.etag!, templateVersion: '2' });
    expect(res.status).toBe(202);
    expect(res.result).toMatchObject({ operation: 'update', status: 'in_progress', template_version: '2' });
    const done = await settle(() => root.groups.getAssignment({ assignmentId }));
    if (done === 'gone') throw new Error('gone');
    expect(done.status).toBe('succeeded');
    for (const child of [world.childA, world.childB]) {
      const [group] = await groupsNamed(child, 'Auditors');
      expect(group!.description).toBe('Version two.');
    }
    // Version 2 lets the child remove members; one does, and applying the version again restores it.
    const [inB] = await groupsNamed(world.childB, 'Auditors');
    expect((await world.childB.groups.removeMemberFromAccessGroup({ accessGroupId: inB!.id!, iamId: USER })).status).toBe(204);
    const again = await root.groups.getAssignment({ assignmentId });
    await root.groups.updateAssignment({ assignmentId, ifMatch: again.headers.etag!, templateVersion: '2' });
    await settle(() => root.groups.getAssignment({ assignmentId }));
    const members = await world.childB.groups.listAccessGroupMembers({ accessGroupId: inB!.id! });
    expect(members.result.members!.map((m) => m.iam_id)).toEqual([USER]);
    // A version in use stays.
    expect(await statusOf(root.groups.deleteTemplateVersion({ templateId, versionNum: '2' }))).toBe(409);
    expect(await statusOf(root.groups.deleteTemplate({ templateId }))).toBe(409);
  });

  it('applies in a child account whose owner nobody asked about lately (authorization reads the database outside the write)', async () => {
    // The owner lookup remembers owners for 5 s; past that, authorizing in the child reads the accounts table.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const t = await root.groups.createTemplate({ name: 'Cold', accountId: root.accountId, group: groupOf('Cold') });
    await root.groups.commitTemplate({ templateId: t.result.id!, versionNum: '1', ifMatch: t.headers.etag! });
    const res = await root.groups.createAssignment({ templateId: t.result.id!, templateVersion: '1', targetType: 'Account', target: world.childB.accountId });
    const done = await settle(() => root.groups.getAssignment({ assignmentId: res.result.id! }));
    expect(done === 'gone' ? 'gone' : done.status).toBe('succeeded');
    await root.groups.deleteAssignment({ assignmentId: res.result.id! });
    expect(await settle(() => root.groups.getAssignment({ assignmentId: res.result.id! }))).toBe('gone');
  }, 20_000);

  it('removal takes the groups out of every child and then the assignment itself', async () => {
    const res = await root.groups.deleteAssignment({ assignmentId });
    expect(res.status).toBe(202);
    expect(await settle(() => root.groups.getAssignment({ assignmentId }))).toBe('gone');
    expect(await groupsNamed(world.childA, 'Auditors')).toHaveLength(0);
    expect(await groupsNamed(world.childB, 'Auditors')).toHaveLength(0);
    expect((await root.groups.deleteTemplateVersion({ templateId, versionNum: '2' })).status).toBe(204);
    expect((await root.groups.deleteTemplate({ templateId })).status).toBe(204);
    expect(await statusOf(root.groups.getLatestTemplateVersion({ templateId }))).toBe(404);
  });
});

describe('action controls in the child account', () => {
  const USER3 = 'IBMid-1000TPLUSR3';
  const second = { ...rule, name: 'Contractors', action_controls: { remove: true } };
  const controlled = (access: boolean, membersAdd: boolean) => ({
    name: 'Controlled',
    members: { users: [USER], action_controls: { add: membersAdd, remove: false } },
    assertions: { rules: [rule, second], action_controls: { add: true, remove: false } },
    action_controls: { access: { add: access } },
  });
  let templateId: string;
  let assignmentId: string;
  let groupId: string;
  const child = () => world.childA;
  const groupPolicy = () => ({
    type: 'access',
    subjects: [{ attributes: [{ name: 'access_group_id', value: groupId }] }],
    roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Viewer' }],
    resources: [{ attributes: [{ name: 'accountId', value: child().accountId }, { name: 'serviceName', value: 'cloud-object-storage' }] }],
  });
  const policiesOfGroup = async () => (await child().policies.listV2Policies({ accountId: child().accountId, accessGroupId: groupId })).result.policies;

  /** Moves the assignment to a new committed version with this definition. */
  async function moveTo(group: ReturnType<typeof controlled>) {
    const v = await root.groups.createTemplateVersion({ templateId, group });
    await root.groups.commitTemplate({ templateId, versionNum: v.result.version!, ifMatch: v.headers.etag! });
    const current = await root.groups.getAssignment({ assignmentId });
    await root.groups.updateAssignment({ assignmentId, ifMatch: current.headers.etag!, templateVersion: v.result.version! });
    const done = await settle(() => root.groups.getAssignment({ assignmentId }));
    expect(done === 'gone' ? 'gone' : done.status).toBe('succeeded');
  }

  beforeAll(async () => {
    const t = await root.groups.createTemplate({ name: 'Controlled', accountId: root.accountId, group: controlled(false, false) });
    templateId = t.result.id!;
    await root.groups.commitTemplate({ templateId, versionNum: '1', ifMatch: t.headers.etag! });
    const res = await root.groups.createAssignment({ templateId, templateVersion: '1', targetType: 'Account', target: world.childA.accountId });
    assignmentId = res.result.id!;
    await settle(() => root.groups.getAssignment({ assignmentId }));
    groupId = (await groupsNamed(child(), 'Controlled'))[0]!.id!;
  });

  it('access.add false: the child cannot give the group access; once a version allows it, the child adds a policy and may remove its own', async () => {
    const refused = await errorOf(child().policies.createPolicy(groupPolicy()));
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].code).toBe('enterprise_managed');
    expect(refused.body.errors[0].message).toContain(`managed by the enterprise template assignment ${assignmentId}`);
    expect(await policiesOfGroup()).toHaveLength(0);

    await moveTo(controlled(true, false));
    const own = await child().policies.createPolicy(groupPolicy());
    expect(own.status).toBe(201);
    expect((await policiesOfGroup()).map((p) => p.id)).toEqual([own.result.id]);
    expect((await child().policies.deletePolicy({ policyId: own.result.id! })).status).toBe(204);
    expect(await policiesOfGroup()).toHaveLength(0);
  });

  it('members.add false refuses new members; once allowed, a member the child added it may remove, the template\'s own it may not', async () => {
    const refused = await child().groups.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: USER3, type: 'user' }] }).catch((e: { status: number }) => e);
    expect('status' in refused ? refused.status : 0).toBe(403);
    await moveTo(controlled(true, true));
    const added = await child().groups.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: USER3, type: 'user' }] });
    expect(added.result.members![0]!.status_code).toBe(200);

    const both = await child().groups.removeMembersFromAccessGroup({ accessGroupId: groupId, members: [USER, USER3] });
    expect(both.status).toBe(207);
    const byId = Object.fromEntries(both.result.members!.map((m) => [m.iam_id, m.status_code]));
    expect(byId).toEqual({ [USER]: 403, [USER3]: 204 });
    expect((await child().groups.listAccessGroupMembers({ accessGroupId: groupId })).result.members!.map((m) => m.iam_id)).toEqual([USER]);
    expect(await statusOf(child().groups.removeMemberFromAccessGroup({ accessGroupId: groupId, iamId: USER }))).toBe(403);
  });

  it('rules: the child adds, changes and removes its own; a template rule changes or goes only where its action control (or the group\'s) allows', async () => {
    const rules = (await child().groups.listAccessGroupRules({ accessGroupId: groupId })).result.rules!;
    const kept = rules.find((r) => r.name === rule.name)!;
    const removable = rules.find((r) => r.name === second.name)!;
    const change = { expiration: 24, realmName: rule.realm_name, conditions: rule.conditions };
    expect(await statusOf(child().groups.replaceAccessGroupRule({ accessGroupId: groupId, ruleId: kept.id!, ifMatch: '*', name: 'Mine', ...change }))).toBe(403);
    expect(await statusOf(child().groups.removeAccessGroupRule({ accessGroupId: groupId, ruleId: kept.id! }))).toBe(403);
    expect((await child().groups.removeAccessGroupRule({ accessGroupId: groupId, ruleId: removable.id! })).status).toBe(204);

    const own = await child().groups.addAccessGroupRule({ accessGroupId: groupId, name: 'Local', ...change });
    expect(own.status).toBe(201);
    const replaced = await child().groups.replaceAccessGroupRule({ accessGroupId: groupId, ruleId: own.result.id!, ifMatch: own.headers.etag!, name: 'Local', ...change, expiration: 6 });
    expect(replaced.result.expiration).toBe(6);
    expect((await child().groups.removeAccessGroupRule({ accessGroupId: groupId, ruleId: own.result.id! })).status).toBe(204);
    expect((await child().groups.listAccessGroupRules({ accessGroupId: groupId })).result.rules!.map((r) => r.name)).toEqual([rule.name]);

    // The removed template rule drifted; applying the version again reinstates it.
    const drifted = await root.groups.getAssignment({ assignmentId });
    expect(drifted.result.resources![0]!.group!.rules.map((r) => r.status)).toContain('drifted');
    await root.groups.updateAssignment({ assignmentId, ifMatch: drifted.headers.etag!, templateVersion: drifted.result.template_version! });
    await settle(() => root.groups.getAssignment({ assignmentId }));
    expect((await child().groups.listAccessGroupRules({ accessGroupId: groupId })).result.rules!.map((r) => r.name).sort()).toEqual([second.name, rule.name].sort());
  });

  afterAll(async () => {
    await root.groups.deleteAssignment({ assignmentId });
    await settle(() => root.groups.getAssignment({ assignmentId }));
  });
});

describe('who may', () => {
  it('another account sees none of it: templates and assignments answer 404, its children are not targets', async () => {
    const t = await root.groups.createTemplate({ name: 'Private', accountId: root.accountId, group: groupOf('Private') });
    await root.groups.commitTemplate({ templateId: t.result.id!, versionNum: '1', ifMatch: t.headers.etag! });
    const a = await root.groups.createAssignment({ templateId: t.result.id!, templateVersion: '1', targetType: 'Account', target: world.childA.accountId });
    await settle(() => root.groups.getAssignment({ assignmentId: a.result.id! }));
    const other = await createOtherAccount(server);
    expect(await statusOf(other.groups.getLatestTemplateVersion({ templateId: t.result.id! }))).toBe(404);
    expect(await statusOf(other.groups.createTemplateVersion({ templateId: t.result.id!, group: groupOf('Mine') }))).toBe(404);
    expect(await statusOf(other.groups.getAssignment({ assignmentId: a.result.id! }))).toBe(404);
    expect(await statusOf(other.groups.deleteAssignment({ assignmentId: a.result.id! }))).toBe(404);
    const listing = await other.groups.listTemplates({ accountId: root.accountId }).catch((error: { status: number }) => error.status);
    expect(listing === 403 || (typeof listing === 'object' && listing.result.total_count === 0)).toBe(true);
    // The other account is no enterprise: it assigns nowhere, least of all into this enterprise.
    const own = await other.groups.createTemplate({ name: 'Mine', accountId: other.accountId, group: groupOf('Mine') });
    await other.groups.commitTemplate({ templateId: own.result.id!, versionNum: '1', ifMatch: own.headers.etag! });
    expect(await statusOf(other.groups.createAssignment({ templateId: own.result.id!, templateVersion: '1', targetType: 'Account', target: world.childA.accountId }))).toBe(400);
    // Nor can a child account assign the enterprise's template.
    expect(await statusOf(world.childA.groups.createAssignment({ templateId: t.result.id!, templateVersion: '1', targetType: 'Account', target: world.childB.accountId }))).toBe(404);
    await root.groups.deleteAssignment({ assignmentId: a.result.id! });
    await settle(() => root.groups.getAssignment({ assignmentId: a.result.id! }));
  });

  it('templates need Template Administrator, assignments Assignment Administrator, and what they create needs the assigner\'s access in the child', async () => {
    const author = await addMember(server, root.accountId);
    expect(await statusOf(author.groups.createTemplate({ name: 'Nope', accountId: root.accountId, group: groupOf('Nope') }))).toBe(403);
    const templateAdmin = await root.policies.createPolicy(rolePolicy(root.accountId, author.iamId, 'iam-groups', 'serviceRole:TemplateAdministrator'));
    const t = await author.groups.createTemplate({ name: 'Authored', accountId: root.accountId, group: groupOf('Authored') });
    expect(t.status).toBe(201);
    await author.groups.commitTemplate({ templateId: t.result.id!, versionNum: '1', ifMatch: t.headers.etag! });
    const assign = () => author.groups.createAssignment({ templateId: t.result.id!, templateVersion: '1', targetType: 'Account', target: world.childB.accountId });
    expect(await statusOf(assign())).toBe(403);
    expect((await root.groups.listAssignments({ accountId: root.accountId, templateId: t.result.id! })).result.total_count).toBe(0);
    const both = rolePolicy(root.accountId, author.iamId, 'iam-groups', 'serviceRole:TemplateAdministrator');
    both.roles.push({ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:AssignmentAdministrator' });
    await root.policies.replacePolicy({ policyId: templateAdmin.result.id!, ifMatch: templateAdmin.headers.etag!, ...both });
    const res = await assign();
    expect(res.status).toBe(202);
    const assignmentId = res.result.id!;
    // The author administers nothing in child B: the assignment may not create a group there.
    const refused = await settle(() => author.groups.getAssignment({ assignmentId }));
    if (refused === 'gone') throw new Error('gone');
    expect(refused.status).toBe('failed');
    expect(refused.resources![0]!.group!.group.error).toMatch(/^insufficent_permissions/);
    expect(await groupsNamed(world.childB, 'Authored')).toHaveLength(0);
    // Once child B's owner lets the author administer its access groups, applying it again succeeds.
    await world.childB.policies.createPolicy(rolePolicy(world.childB.accountId, author.iamId, 'iam-groups', 'role:Administrator'));
    const current = await author.groups.getAssignment({ assignmentId });
    await author.groups.updateAssignment({ assignmentId, ifMatch: current.headers.etag!, templateVersion: '1' });
    const done = await settle(() => author.groups.getAssignment({ assignmentId }));
    expect(done === 'gone' ? 'gone' : done.status).toBe('succeeded');
    expect(await groupsNamed(world.childB, 'Authored')).toHaveLength(1);
    // A second assignment of the same template to the same target is refused.
    expect(await statusOf(assign())).toBe(409);
  });
});

describe('policy template references', () => {
  const COS = 'cloud-object-storage';
  const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';
  const readCos = { type: 'access', description: 'Read object storage', resource: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: COS }] }, control: { grant: { roles: [{ role_id: READER }] } } };
  let policyTemplateId: string;
  let templateId: string;
  let assignmentId: string;
  let groupId: string;
  let policyId: string;

  /** The child's decision for `iamId` reading a bucket of object storage there. */
  async function mayRead(child: Caller, iamId: string): Promise<boolean> {
    const response = await fetch(`${server.url}/v2/authz`, {
      method: 'POST',
      headers: { authorization: await bearerOf(server.url, child.apikey), 'content-type': 'application/json' },
      body: JSON.stringify([{ subject: { attributes: { id: iamId } }, action: `${COS}.bucket.get`, resource: { attributes: { accountId: child.accountId, serviceName: COS, serviceInstance: 'bucket-host' } } }]),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { responses: Array<{ authorizationDecision: { permitted: boolean } }> };
    return body.responses[0]!.authorizationDecision.permitted;
  }

  /** A committed group template named `name` whose group receives the policies of `refs`. */
  async function committedGroupTemplate(as: Caller, name: string, refs: Array<{ id: string; version: string }>): Promise<string> {
    const t = await as.groups.createTemplate({ name, accountId: root.accountId, group: groupOf(name), policyTemplateReferences: refs });
    await as.groups.commitTemplate({ templateId: t.result.id!, versionNum: '1', ifMatch: t.headers.etag! });
    return t.result.id!;
  }

  beforeAll(async () => {
    const created = await root.policies.createPolicyTemplate({ accountId: root.accountId, name: 'Object storage readers', policy: readCos as never, committed: true });
    policyTemplateId = created.result.id!;
  });

  it('gives the child\'s group the referenced policy, enterprise-managed, and its members the access', async () => {
    expect(await mayRead(world.childA, USER)).toBe(false);
    templateId = await committedGroupTemplate(root, 'Readers', [{ id: policyTemplateId, version: '1' }]);
    const res = await root.groups.createAssignment({ templateId, templateVersion: '1', targetType: 'Account', target: world.childA.accountId });
    assignmentId = res.result.id!;
    const done = await settle(() => root.groups.getAssignment({ assignmentId }));
    if (done === 'gone') throw new Error('gone');
    expect(done.status).toBe('succeeded');
    const [entry] = done.resources![0]!.policy_template_references!;
    expect(entry).toMatchObject({ name: policyTemplateId, status: 'succeeded', error: '' });

    const [group] = await groupsNamed(world.childA, 'Readers');
    groupId = group!.id!;
    const policies = (await world.childA.policies.listV2Policies({ accountId: world.childA.accountId, accessGroupId: groupId })).result.policies;
    expect(policies).toHaveLength(1);
    policyId = policies[0]!.id!;
    expect(entry!.resource).toBe(policyId);
    expect(policies[0]!.template).toEqual({ id: policyTemplateId, version: '1', assignment_id: assignmentId, root_id: templateId, root_version: '1' });
    expect(policies[0]!.subject!.attributes).toEqual([{ key: 'access_group_id', operator: 'stringEquals', value: groupId }]);
    expect(policies[0]!.resource!.attributes).toContainEqual({ key: 'accountId', operator: 'stringEquals', value: world.childA.accountId });

    expect(await mayRead(world.childA, USER)).toBe(true);
    expect(await mayRead(world.childA, USER2)).toBe(false);
    // The policy is made in child A only.
    expect(await mayRead(world.childB, USER)).toBe(false);
  });

  it('the child account cannot delete or weaken the group\'s managed policy', async () => {
    const child = world.childA.policies;
    const own = await child.getV2Policy({ id: policyId });
    const deleted = await errorOf(child.deleteV2Policy({ id: policyId }));
    expect(deleted.status).toBe(403);
    expect(deleted.body.errors[0].message).toContain('managed by an enterprise template assignment');
    const weakened = { type: 'access', subject: own.result.subject, resource: own.result.resource, control: { grant: { roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Viewer' }] } } };
    expect((await errorOf(child.replaceV2Policy({ id: policyId, ifMatch: own.headers.etag!, ...(weakened as Omit<Parameters<typeof child.replaceV2Policy>[0], 'id' | 'ifMatch'>) }))).status).toBe(403);
    expect((await child.getV2Policy({ id: policyId })).result.state).toBe('active');
    expect(await mayRead(world.childA, USER)).toBe(true);
  });

  it('reports a changed or vanished policy as drifted and restores it when the version is applied again', async () => {
    const { db } = server.server.registry.database;
    await db.updateTable('policies').set({ description: 'Edited behind the API' }).where('id', '=', policyId).execute();
    const changed = await root.groups.getAssignment({ assignmentId });
    expect(changed.result.resources![0]!.policy_template_references![0]!.status).toBe('drifted');
    expect(changed.result.resources![0]!.group!.group.status).toBe('succeeded');

    await db.updateTable('policies').set({ state: 'deleted' }).where('id', '=', policyId).execute();
    const gone = await root.groups.getAssignment({ assignmentId });
    expect(gone.result.resources![0]!.policy_template_references![0]!.status).toBe('drifted');
    await root.groups.updateAssignment({ assignmentId, ifMatch: gone.headers.etag!, templateVersion: '1' });
    const repaired = await settle(() => root.groups.getAssignment({ assignmentId }));
    if (repaired === 'gone') throw new Error('gone');
    expect(repaired.status).toBe('succeeded');
    const [entry] = repaired.resources![0]!.policy_template_references!;
    expect(entry!.status).toBe('succeeded');
    policyId = entry!.resource!;
    const restored = await world.childA.policies.getV2Policy({ id: policyId });
    expect(restored.result).toMatchObject({ state: 'active', description: 'Read object storage' });
    expect(await mayRead(world.childA, USER)).toBe(true);
  });

  it('removing the assignment removes the group and retires its policy', async () => {
    expect((await root.groups.deleteAssignment({ assignmentId })).status).toBe(202);
    expect(await settle(() => root.groups.getAssignment({ assignmentId }))).toBe('gone');
    expect(await groupsNamed(world.childA, 'Readers')).toHaveLength(0);
    expect((await world.childA.policies.getV2Policy({ id: policyId })).result.state).toBe('deleted');
    expect((await world.childA.policies.listV2Policies({ accountId: world.childA.accountId, accessGroupId: groupId })).result.policies).toHaveLength(0);
    expect(await mayRead(world.childA, USER)).toBe(false);
  });

  it('a newer version without the reference retires the policy and keeps the group', async () => {
    const t = await committedGroupTemplate(root, 'Dropping', [{ id: policyTemplateId, version: '1' }]);
    const res = await root.groups.createAssignment({ templateId: t, templateVersion: '1', targetType: 'Account', target: world.childB.accountId });
    const id = res.result.id!;
    await settle(() => root.groups.getAssignment({ assignmentId: id }));
    const [group] = await groupsNamed(world.childB, 'Dropping');
    const [policy] = (await world.childB.policies.listV2Policies({ accountId: world.childB.accountId, accessGroupId: group!.id! })).result.policies;
    expect(await mayRead(world.childB, USER)).toBe(true);

    const v2 = await root.groups.createTemplateVersion({ templateId: t, group: groupOf('Dropping'), policyTemplateReferences: [] });
    await root.groups.commitTemplate({ templateId: t, versionNum: '2', ifMatch: v2.headers.etag! });
    const current = await root.groups.getAssignment({ assignmentId: id });
    await root.groups.updateAssignment({ assignmentId: id, ifMatch: current.headers.etag!, templateVersion: '2' });
    const done = await settle(() => root.groups.getAssignment({ assignmentId: id }));
    if (done === 'gone') throw new Error('gone');
    expect(done.status).toBe('succeeded');
    expect(done.resources![0]!.policy_template_references).toEqual([]);
    expect((await world.childB.policies.getV2Policy({ id: policy!.id! })).result.state).toBe('deleted');
    expect(await groupsNamed(world.childB, 'Dropping')).toHaveLength(1);
    expect(await mayRead(world.childB, USER)).toBe(false);
    await root.groups.deleteAssignment({ assignmentId: id });
    expect(await settle(() => root.groups.getAssignment({ assignmentId: id }))).toBe('gone');
  });

  it('a reference to an uncommitted or missing policy template fails, says why, and makes nothing in the child', async () => {
    const draft = await root.policies.createPolicyTemplate({ accountId: root.accountId, name: 'Draft readers', policy: readCos as never });
    for (const [name, ref, reason] of [
      ['Draft refs', { id: draft.result.id!, version: '1' }, 'is not committed'],
      ['Missing refs', { id: 'PolicyTemplate-00000000-0000-0000-0000-000000000000', version: '1' }, 'was not found'],
    ] as const) {
      const t = await committedGroupTemplate(root, name, [ref]);
      const res = await root.groups.createAssignment({ templateId: t, templateVersion: '1', targetType: 'Account', target: world.childB.accountId });
      const done = await settle(() => root.groups.getAssignment({ assignmentId: res.result.id! }));
      if (done === 'gone') throw new Error('gone');
      expect(done.status).toBe('failed');
      const [failed] = done.resources![0]!.policy_template_references!;
      expect(failed).toMatchObject({ name: ref.id, status: 'failed' });
      expect(failed!.error).toContain(reason);
      expect(await groupsNamed(world.childB, name)).toHaveLength(0);
      await root.groups.deleteAssignment({ assignmentId: res.result.id! });
      expect(await settle(() => root.groups.getAssignment({ assignmentId: res.result.id! }))).toBe('gone');
    }
  });

  it('an assigner who may make groups but not policies in the child fails at the reference there', async () => {
    const assigner = await addMember(server, root.accountId);
    const roles = rolePolicy(root.accountId, assigner.iamId, 'iam-groups', 'serviceRole:TemplateAdministrator');
    roles.roles.push({ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:AssignmentAdministrator' });
    await root.policies.createPolicy(roles);
    await world.childB.policies.createPolicy(rolePolicy(world.childB.accountId, assigner.iamId, 'iam-groups', 'role:Administrator'));
    const t = await committedGroupTemplate(assigner, 'Assigned readers', [{ id: policyTemplateId, version: '1' }]);
    const res = await assigner.groups.createAssignment({ templateId: t, templateVersion: '1', targetType: 'Account', target: world.childB.accountId });
    const done = await settle(() => assigner.groups.getAssignment({ assignmentId: res.result.id! }));
    if (done === 'gone') throw new Error('gone');
    expect(done.status).toBe('failed');
    const [refused] = done.resources![0]!.policy_template_references!;
    expect(refused!.status).toBe('failed');
    expect(refused!.error).toMatch(/^insufficent_permissions/);
    expect(await groupsNamed(world.childB, 'Assigned readers')).toHaveLength(0);
    expect(await mayRead(world.childB, USER)).toBe(false);
  });
});
