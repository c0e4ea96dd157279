import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../helpers/callers.js';
import { errorOf, statusOf } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildEnterprise, rolePolicy, settle, type TemplateWorld } from './enterprise.js';

/**
 * Trusted-profile templates, driven by the official SDK: the enterprise defines a profile with a
 * claim rule and an identity, commits it and assigns it to an account group of two child accounts;
 * a child that already has a profile of that name fails alone, saying why; the managed profile
 * cannot be changed or deleted in the child; a newer version updates it; removal deletes it. A
 * template's action controls leave the child what they allow (its own rules, identities and
 * policies; the template's policies to delete) and nothing of the template's own.
 */

let server: TestServer;
let world: TemplateWorld;
let root: Caller;

const USER = 'IBMid-1000PROFTPL';
const MISSING = 'policyTemplate-00000000-0000-0000-0000-000000000000';
const rule = { name: 'Auditors', type: 'Profile-SAML', realm_name: 'https://idp.example.org/SAML2', expiration: 3600, conditions: [{ claim: 'team', operator: 'EQUALS', value: '"audit"' }] };
const profileOf = (description: string) => ({ name: 'Auditor', description, rules: [rule], identities: [{ identifier: USER, type: 'user', description: 'lead auditor' }] });

beforeAll(async () => {
  server = await startTestServer();
  world = await buildEnterprise(server);
  root = world.root;
});
afterAll(() => server?.close());

const profilesNamed = async (child: Caller, name: string) =>
  (await child.identity.listProfiles({ accountId: child.accountId })).result.profiles.filter((p) => p.name === name);

type Done = { status: string; resources: { target: string; profile?: { status: string; resource_created?: { id: string }; error_message?: { statusCode: string; message: string } }; policy_template_references?: { id: string; status: string; resource_created?: { id: string }; error_message?: { statusCode: string } }[] }[] };

describe('trusted profile templates', () => {
  let templateId: string;
  let assignmentId: string;

  it('creates, updates under If-Match, commits and freezes a version; refuses a bad rule', async () => {
    const bad = await errorOf(root.identity.createProfileTemplate({ accountId: root.accountId, name: 'Bad', profile: { name: 'x', rules: [{ ...rule, realm_name: undefined }] } }));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('realm_name');

    const created = await root.identity.createProfileTemplate({ accountId: root.accountId, name: 'Auditors', profile: profileOf('first') });
    expect(created.status).toBe(201);
    expect(created.result).toMatchObject({ version: 1, committed: false, profile: { name: 'Auditor', identities: [{ identifier: USER, iam_id: USER, type: 'user' }] } });
    templateId = created.result.id;
    const updated = await root.identity.updateProfileTemplateVersion({ templateId, version: '1', ifMatch: created.headers.etag!, name: 'Auditors', profile: profileOf('reviewed') });
    expect(updated.status).toBe(200);
    expect((await root.identity.commitProfileTemplate({ templateId, version: '1' })).status).toBe(204);
    expect(await statusOf(root.identity.updateProfileTemplateVersion({ templateId, version: '1', ifMatch: updated.headers.etag!, profile: profileOf('again') }))).toBe(409);
    expect((await root.identity.listProfileTemplates({ accountId: root.accountId })).result.profile_templates!.map((t) => t.id)).toEqual([templateId]);
  });

  it('creates the profile in each child, and a child whose name is taken fails alone, saying why', async () => {
    await world.childB.identity.createProfile({ accountId: world.childB.accountId, name: 'Auditor' });
    const res = await root.identity.createTrustedProfileAssignment({ templateId, templateVersion: 1, targetType: 'AccountGroup', target: world.accountGroupId });
    expect(res.status).toBe(202);
    assignmentId = res.result.id;
    const done = (await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }))) as unknown as Done;
    expect(done.status).toBe('failed');
    const byTarget = new Map(done.resources.map((r) => [r.target, r.profile!]));
    expect(byTarget.get(world.childA.accountId)).toMatchObject({ status: 'succeeded' });
    expect(byTarget.get(world.childB.accountId)).toMatchObject({ status: 'failed', error_message: { statusCode: '409' } });

    const [made] = await profilesNamed(world.childA, 'Auditor');
    expect(made?.id).toBe(byTarget.get(world.childA.accountId)!.resource_created!.id);
    expect(made?.description).toBe('reviewed');
    const rules = (await world.childA.identity.listClaimRules({ profileId: made!.id })).result.rules;
    expect(rules.map((r) => r.realm_name)).toEqual([rule.realm_name]);
    const identities = (await world.childA.identity.getProfileIdentities({ profileId: made!.id })).result.identities ?? [];
    expect(identities.map((i) => i.identifier)).toEqual([USER]);
    expect(await profilesNamed(world.childB, 'Auditor')).toHaveLength(1);
  });

  it('keeps the managed profile from being changed or deleted in the child', async () => {
    const [made] = await profilesNamed(world.childA, 'Auditor');
    const profile = await world.childA.identity.getProfile({ profileId: made!.id });
    const change = await errorOf(world.childA.identity.updateProfile({ profileId: made!.id, ifMatch: profile.headers.etag!, description: 'mine now' }));
    expect(change.status).toBe(403);
    expect(change.body.errors[0]).toMatchObject({ code: 'enterprise_managed' });
    expect(change.body.errors[0].message).toContain('enterprise template assignment');
    expect(await statusOf(world.childA.identity.deleteProfile({ profileId: made!.id }))).toBe(403);
    expect(await statusOf(world.childA.identity.createClaimRule({ profileId: made!.id, type: 'Profile-SAML', realmName: 'https://x.example', expiration: 3600, conditions: [{ claim: 'a', operator: 'EQUALS', value: '"b"' }] }))).toBe(403);
    // No action controls: no identity added or taken away, no policy given.
    expect(await statusOf(world.childA.identity.setProfileIdentity({ profileId: made!.id, identityType: 'user', identifier: 'IBMid-1000CHILDADD', type: 'user' }))).toBe(403);
    expect(await statusOf(world.childA.identity.deleteProfileIdentity({ profileId: made!.id, identityType: 'user', identifierId: USER }))).toBe(403);
    const policy = rolePolicy(world.childA.accountId, made!.iam_id, 'cloud-object-storage', 'serviceRole:Reader');
    const refusedPolicy = await errorOf(world.childA.policies.createPolicy(policy as never));
    expect(refusedPolicy.status).toBe(403);
    expect(refusedPolicy.body.errors[0].message).toContain('adding access policies');
    expect((await profilesNamed(world.childA, 'Auditor'))[0]!.description).toBe('reviewed');
    expect(((await world.childA.identity.getProfileIdentities({ profileId: made!.id })).result.identities ?? []).map((i) => i.identifier)).toEqual([USER]);
    expect((await world.childA.policies.listV2Policies({ accountId: world.childA.accountId, iamId: made!.iam_id })).result.policies).toHaveLength(0);
  });

  it('moves the profile to a newer version; a reference to a missing policy template fails that account whole, saying which', async () => {
    await root.identity.createProfileTemplateVersion({ templateId, profile: profileOf('second'), policyTemplateReferences: [{ id: MISSING, version: '1' }] });
    await root.identity.commitProfileTemplate({ templateId, version: '2' });
    const current = await root.identity.getTrustedProfileAssignment({ assignmentId });
    await root.identity.updateTrustedProfileAssignment({ assignmentId, ifMatch: current.headers.etag!, templateVersion: 2 });
    const done = (await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }))) as unknown as Done;
    const a = done.resources.find((r) => r.target === world.childA.accountId)!;
    expect(a.policy_template_references).toMatchObject([{ id: MISSING, status: 'failed', error_message: { statusCode: '404' } }]);
    expect(done.status).toBe('failed');
    // The account's apply is one write: the profile stays at the version it had.
    expect((await profilesNamed(world.childA, 'Auditor'))[0]!.description).toBe('reviewed');
  });

  it('gives the profile the policy of a referenced policy template, enterprise-managed; drift is reported and repaired; a version without it retires it', async () => {
    const readCos = { type: 'access', resource: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] }, control: { grant: { roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }] } } };
    const policyTemplate = await root.policies.createPolicyTemplate({ accountId: root.accountId, name: 'Profile readers', policy: readCos as never, committed: true });
    const policyTemplateId = policyTemplate.result.id!;
    await root.identity.createProfileTemplateVersion({ templateId, profile: profileOf('third'), policyTemplateReferences: [{ id: policyTemplateId, version: '1' }] });
    await root.identity.commitProfileTemplate({ templateId, version: '3' });
    const current = await root.identity.getTrustedProfileAssignment({ assignmentId });
    await root.identity.updateTrustedProfileAssignment({ assignmentId, ifMatch: current.headers.etag!, templateVersion: 3 });
    const done = (await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }))) as unknown as Done;
    const a = done.resources.find((r) => r.target === world.childA.accountId)!;
    expect(a.policy_template_references).toMatchObject([{ id: policyTemplateId, status: 'succeeded' }]);
    const [profile] = await profilesNamed(world.childA, 'Auditor');
    expect(profile!.description).toBe('third');

    const policies = (await world.childA.policies.listV2Policies({ accountId: world.childA.accountId, iamId: profile!.iam_id })).result.policies;
    expect(policies).toHaveLength(1);
    const policy = policies[0]!;
    expect(policy.id).toBe(a.policy_template_references![0]!.resource_created!.id);
    expect(policy.template).toEqual({ id: policyTemplateId, version: '1', assignment_id: assignmentId, root_id: templateId, root_version: '3' });
    expect(policy.subject!.attributes).toEqual([{ key: 'iam_id', operator: 'stringEquals', value: profile!.iam_id }]);
    // The child cannot take it away.
    expect(await statusOf(world.childA.policies.deleteV2Policy({ id: policy.id! }))).toBe(403);

    // Changed behind the API: drifted; applying the version again repairs it.
    const { db } = server.server.registry.database;
    await db.updateTable('policies').set({ state: 'deleted' }).where('id', '=', policy.id!).execute();
    const drifted = (await root.identity.getTrustedProfileAssignment({ assignmentId })).result as unknown as Done;
    expect(drifted.resources.find((r) => r.target === world.childA.accountId)!.policy_template_references![0]!.status).toBe('drifted');
    const again = await root.identity.getTrustedProfileAssignment({ assignmentId });
    await root.identity.updateTrustedProfileAssignment({ assignmentId, ifMatch: again.headers.etag!, templateVersion: 3 });
    const repaired = (await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }))) as unknown as Done;
    const entry = repaired.resources.find((r) => r.target === world.childA.accountId)!.policy_template_references![0]!;
    expect(entry.status).toBe('succeeded');
    expect((await world.childA.policies.getV2Policy({ id: entry.resource_created!.id })).result.state).toBe('active');

    // A version without the reference retires the policy and keeps the profile.
    await root.identity.createProfileTemplateVersion({ templateId, profile: profileOf('fourth'), policyTemplateReferences: [] });
    await root.identity.commitProfileTemplate({ templateId, version: '4' });
    const latest = await root.identity.getTrustedProfileAssignment({ assignmentId });
    await root.identity.updateTrustedProfileAssignment({ assignmentId, ifMatch: latest.headers.etag!, templateVersion: 4 });
    await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }));
    expect((await profilesNamed(world.childA, 'Auditor'))[0]!.description).toBe('fourth');
    expect((await world.childA.policies.getV2Policy({ id: entry.resource_created!.id })).result.state).toBe('deleted');
  });

  it('removes the assignment (202) and the profile it made; the child\'s own profile stays', async () => {
    const res = await root.identity.deleteTrustedProfileAssignment({ assignmentId });
    expect(res.status).toBe(202);
    expect(await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }))).toBe('gone');
    expect(await profilesNamed(world.childA, 'Auditor')).toHaveLength(0);
    expect(await profilesNamed(world.childB, 'Auditor')).toHaveLength(1);
    expect((await root.identity.deleteAllVersionsOfProfileTemplate({ templateId })).status).toBe(204);
  });
});

describe('trusted profile template action controls', () => {
  const OWN_USER = 'IBMid-1000CHILDOWN';
  const OTHER_USER = 'IBMid-1000CHILDTWO';
  const ownRule = { type: 'Profile-SAML', realmName: 'https://child.example.org', expiration: 3600, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"ops"' }] };
  const controls = { rules: { add: true, remove: false }, identities: { add: true, remove: false }, policies: { add: true, remove: true } };
  let templateId: string;
  let assignmentId: string;
  let profileId: string;
  let profileIamId: string;
  let placedPolicyId: string;

  it('holds the action controls in the version and makes the profile with the template\'s policy', async () => {
    const readCos = { type: 'access', resource: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] }, control: { grant: { roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }] } } };
    const policyTemplate = await root.policies.createPolicyTemplate({ accountId: root.accountId, name: 'Operator readers', policy: readCos as never, committed: true });
    const created = await root.identity.createProfileTemplate({
      accountId: root.accountId,
      name: 'Operators',
      profile: { name: 'Operator', rules: [rule], identities: [{ identifier: USER, type: 'user' }] },
      policyTemplateReferences: [{ id: policyTemplate.result.id!, version: '1' }],
      actionControls: controls,
    });
    expect(created.result.action_controls).toEqual(controls);
    templateId = created.result.id;
    // A bad control is a 400 naming it.
    expect(await statusOf(root.identity.createProfileTemplateVersion({ templateId, actionControls: { rules: { add: true }, policies: { add: true, remove: true } } as never }))).toBe(400);
    await root.identity.commitProfileTemplate({ templateId, version: '1' });
    expect((await root.identity.getProfileTemplateVersion({ templateId, version: '1' })).result.action_controls).toEqual(controls);
    const res = await root.identity.createTrustedProfileAssignment({ templateId, templateVersion: 1, targetType: 'Account', target: world.childA.accountId });
    assignmentId = res.result.id;
    const done = (await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }))) as unknown as Done;
    expect(done.status).toBe('succeeded');
    const [made] = await profilesNamed(world.childA, 'Operator');
    profileId = made!.id;
    profileIamId = made!.iam_id;
    placedPolicyId = done.resources[0]!.policy_template_references![0]!.resource_created!.id;
  });

  it('lets the child add and remove its own rules, never change or remove the template\'s', async () => {
    const [templateRule] = (await world.childA.identity.listClaimRules({ profileId })).result.rules;
    const own = await world.childA.identity.createClaimRule({ profileId, ...ownRule });
    expect(own.status).toBe(201);
    const removing = await errorOf(world.childA.identity.deleteClaimRule({ profileId, ruleId: templateRule!.id }));
    expect(removing.status).toBe(403);
    expect(removing.body.errors[0]).toMatchObject({ code: 'enterprise_managed' });
    expect(removing.body.errors[0].message).toContain("template's action controls");
    expect(await statusOf(world.childA.identity.updateClaimRule({ profileId, ruleId: templateRule!.id, ifMatch: '*', ...ownRule }))).toBe(403);
    const second = await world.childA.identity.createClaimRule({ profileId, ...ownRule, realmName: 'https://second.example.org' });
    expect((await world.childA.identity.updateClaimRule({ profileId, ruleId: second.result.id, ifMatch: '*', ...ownRule, expiration: 7200 })).status).toBe(200);
    expect((await world.childA.identity.deleteClaimRule({ profileId, ruleId: second.result.id })).status).toBe(204);
    const rules = (await world.childA.identity.listClaimRules({ profileId })).result.rules;
    expect(rules.map((r) => r.id).sort()).toEqual([templateRule!.id, own.result.id].sort());
  });

  it('lets the child add identities and take away its own, never the template\'s', async () => {
    expect((await world.childA.identity.setProfileIdentity({ profileId, identityType: 'user', identifier: OWN_USER, type: 'user' })).status).toBe(200);
    expect((await world.childA.identity.setProfileIdentity({ profileId, identityType: 'user', identifier: OTHER_USER, type: 'user' })).status).toBe(200);
    expect(await statusOf(world.childA.identity.deleteProfileIdentity({ profileId, identityType: 'user', identifierId: USER }))).toBe(403);
    // Changing the template's entry is taking it away as it was.
    expect(await statusOf(world.childA.identity.setProfileIdentity({ profileId, identityType: 'user', identifier: USER, type: 'user', description: 'mine' }))).toBe(403);
    const list = await world.childA.identity.getProfileIdentities({ profileId });
    const without = (list.result.identities ?? []).filter((i) => i.identifier !== USER).map((i) => ({ identifier: i.identifier, type: i.type }));
    expect(await statusOf(world.childA.identity.setProfileIdentities({ profileId, ifMatch: list.result.entity_tag!, identities: without }))).toBe(403);
    expect((await world.childA.identity.deleteProfileIdentity({ profileId, identityType: 'user', identifierId: OTHER_USER })).status).toBe(204);
    const identities = ((await world.childA.identity.getProfileIdentities({ profileId })).result.identities ?? []).map((i) => i.identifier);
    expect(identities.sort()).toEqual([OWN_USER, USER].sort());
  });

  it('lets the child give the profile policies and delete the template\'s (policies add and remove)', async () => {
    const own = await world.childA.policies.createPolicy(rolePolicy(world.childA.accountId, profileIamId, 'iam-groups', 'role:Viewer') as never);
    expect(own.status).toBe(201);
    // Only deletion is left to the child: a replace of the template's policy is refused.
    const placed = await world.childA.policies.getV2Policy({ id: placedPolicyId });
    expect(await statusOf(world.childA.policies.replaceV2Policy({ id: placedPolicyId, ifMatch: placed.headers.etag!, control: placed.result.control as never, type: 'access', resource: placed.result.resource!, subject: placed.result.subject! }))).toBe(403);
    expect((await world.childA.policies.deleteV2Policy({ id: placedPolicyId })).status).toBe(204);
  });

  it('keeps what the child added when the version is applied again, and does not count it as drift', async () => {
    const read = (await root.identity.getTrustedProfileAssignment({ assignmentId })).result as unknown as Done;
    expect(read.resources[0]!.profile!.status).toBe('succeeded');
    expect(read.resources[0]!.policy_template_references![0]!.status).toBe('drifted');
    const current = await root.identity.getTrustedProfileAssignment({ assignmentId });
    await root.identity.updateTrustedProfileAssignment({ assignmentId, ifMatch: current.headers.etag!, templateVersion: 1 });
    const repaired = (await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }))) as unknown as Done;
    expect(repaired.status).toBe('succeeded');
    const rules = (await world.childA.identity.listClaimRules({ profileId })).result.rules;
    expect(rules.map((r) => r.realm_name).sort()).toEqual([rule.realm_name, ownRule.realmName].sort());
    const identities = ((await world.childA.identity.getProfileIdentities({ profileId })).result.identities ?? []).map((i) => i.identifier);
    expect(identities.sort()).toEqual([OWN_USER, USER].sort());
    const policyNow = repaired.resources[0]!.policy_template_references![0]!;
    expect(policyNow.status).toBe('succeeded');
    expect((await world.childA.policies.getV2Policy({ id: policyNow.resource_created!.id })).result.state).toBe('active');
    const res = await root.identity.deleteTrustedProfileAssignment({ assignmentId });
    expect(res.status).toBe(202);
    expect(await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId }))).toBe('gone');
  });
});
