import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtherAccount, type Caller } from '../helpers/callers.js';
import { errorOf, statusOf } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildEnterprise, settle, type TemplateWorld } from './enterprise.js';

/**
 * Account-settings templates, driven by the official SDK: the enterprise defines identity settings
 * once, commits them and assigns them to an account group of two child accounts; each child's
 * identity settings take the template's values; a child that changes one drifts until the
 * assignment is applied again; a newer version moves both children; removal leaves the settings.
 */

let server: TestServer;
let world: TemplateWorld;
let root: Caller;

const settingsV1 = {
  restrict_create_service_id: 'RESTRICTED',
  mfa: 'TOTP',
  session_expiration_in_seconds: '3600',
  max_sessions_per_identity: '5',
  restrict_user_list_visibility: 'RESTRICTED',
  restrict_user_domains: { account_sufficient: true, restrictions: [{ realm_id: 'IBMid', invitation_email_allow_patterns: ['*@example.org'], restrict_invitation: true }] },
};

beforeAll(async () => {
  server = await startTestServer();
  world = await buildEnterprise(server);
  root = world.root;
});
afterAll(() => server?.close());

const settingsOf = async (child: Caller) => (await child.identity.getAccountSettings({ accountId: child.accountId })).result;

describe('account settings template versions', () => {
  let templateId: string;

  it('creates version 1 with its settings, tags it, and refuses settings out of range without writing', async () => {
    const bad = await errorOf(root.identity.createAccountSettingsTemplate({ accountId: root.accountId, name: 'Bad', accountSettings: { session_expiration_in_seconds: '60' } }));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('session_expiration_in_seconds');

    const created = await root.identity.createAccountSettingsTemplate({ accountId: root.accountId, name: 'Baseline', description: 'every child', accountSettings: settingsV1 });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe(created.result.entity_tag);
    expect(created.result).toMatchObject({ name: 'Baseline', account_id: root.accountId, version: 1, committed: false, account_settings: settingsV1 });
    expect(created.result.crn).toContain(created.result.id);
    templateId = created.result.id;
    expect((await root.identity.listAccountSettingsTemplates({ accountId: root.accountId })).result.account_settings_templates.map((t) => t.name)).toEqual(['Baseline']);
  });

  it('pages templates with pagetoken', async () => {
    await root.identity.createAccountSettingsTemplate({ accountId: root.accountId, name: 'Second', accountSettings: { mfa: 'NONE' } });
    const first = await root.identity.listAccountSettingsTemplates({ accountId: root.accountId, limit: '1' });
    expect(first.result.account_settings_templates).toHaveLength(1);
    const token = new URL(first.result.next!).searchParams.get('pagetoken')!;
    const second = await root.identity.listAccountSettingsTemplates({ accountId: root.accountId, limit: '1', pagetoken: token });
    expect(second.result.account_settings_templates).toHaveLength(1);
    expect(second.result.account_settings_templates[0]!.id).not.toBe(first.result.account_settings_templates[0]!.id);
    expect(second.result.next).toBeUndefined();
    expect(await statusOf(root.identity.listAccountSettingsTemplates({ accountId: root.accountId, pagetoken: 'not-a-token' }))).toBe(400);
  });

  it('updates an uncommitted version under If-Match, refuses a stale tag, and freezes a committed one', async () => {
    const v1 = await root.identity.getAccountSettingsTemplateVersion({ templateId, version: '1' });
    expect(await statusOf(root.identity.updateAccountSettingsTemplateVersion({ templateId, version: '1', ifMatch: '1-00000000000000000000000000000000', accountSettings: settingsV1 }))).toBe(412);
    const updated = await root.identity.updateAccountSettingsTemplateVersion({ templateId, version: '1', ifMatch: v1.headers.etag!, name: 'Baseline', accountSettings: settingsV1 });
    expect(updated.status).toBe(200);
    expect(updated.headers.etag).not.toBe(v1.headers.etag);
    expect((await root.identity.commitAccountSettingsTemplate({ templateId, version: '1' })).status).toBe(204);
    const frozen = await errorOf(
      root.identity.updateAccountSettingsTemplateVersion({ templateId, version: '1', ifMatch: updated.headers.etag!, accountSettings: { mfa: 'NONE' } }),
    );
    expect(frozen.status).toBe(409);
    expect(frozen.message).toContain('committed');
  });

  it('hides the template from another account', async () => {
    const other = await createOtherAccount(server);
    expect(await statusOf(other.identity.getLatestAccountSettingsTemplateVersion({ templateId }))).toBe(404);
    expect(await statusOf(other.identity.deleteAllVersionsOfAccountSettingsTemplate({ templateId }))).toBe(404);
  });
});

describe('account settings assignments', () => {
  let templateId: string;
  let assignmentId: string;

  beforeAll(async () => {
    const created = await root.identity.createAccountSettingsTemplate({ accountId: root.accountId, name: 'Assigned', accountSettings: settingsV1 });
    templateId = created.result.id;
    await root.identity.commitAccountSettingsTemplate({ templateId, version: '1' });
  });

  it('applies a committed version to every child of an account group', async () => {
    const res = await root.identity.createAccountSettingsAssignment({ templateId, templateVersion: 1, targetType: 'AccountGroup', target: world.accountGroupId });
    expect(res.status).toBe(202);
    expect(res.headers.etag).toBe(res.result.entity_tag);
    assignmentId = res.result.id;
    const done = await settle(() => root.identity.getAccountSettingsAssignment({ assignmentId }));
    expect(done).toMatchObject({ status: 'succeeded', template_version: 1 });
    const resources = (done as { resources: { target: string; account_settings: { status: string; resource_created: { id: string } } }[] }).resources;
    expect(resources.map((r) => r.target).sort()).toEqual([world.childA.accountId, world.childB.accountId].sort());
    for (const r of resources) expect(r.account_settings).toMatchObject({ status: 'succeeded', resource_created: { id: r.target } });
    for (const child of [world.childA, world.childB]) {
      expect(await settingsOf(child)).toMatchObject({ restrict_create_service_id: 'RESTRICTED', mfa: 'TOTP', session_expiration_in_seconds: '3600', max_sessions_per_identity: '5' });
    }
    const effective = (await world.childA.identity.getEffectiveAccountSettings({ accountId: world.childA.accountId })).result;
    expect(effective.assigned_templates).toEqual([expect.objectContaining({ template_id: templateId, template_version: 1, template_name: 'Assigned', mfa: 'TOTP' })]);
    expect(effective.effective.session_expiration_in_seconds).toBe('3600');
    const listed = await root.identity.listAccountSettingsAssignments({ accountId: root.accountId, templateId });
    expect(listed.result.assignments.map((a) => a.id)).toEqual([assignmentId]);
  });

  it('reports a child that changed a managed setting as drifted, and repairs it when applied again', async () => {
    const current = await world.childA.identity.getAccountSettings({ accountId: world.childA.accountId });
    await world.childA.identity.updateAccountSettings({ accountId: world.childA.accountId, ifMatch: current.headers.etag!, sessionExpirationInSeconds: '7200' });
    const read = await root.identity.getAccountSettingsAssignment({ assignmentId });
    const byTarget = new Map(read.result.resources!.map((r) => [r.target, r.account_settings!.status]));
    expect(byTarget.get(world.childA.accountId)).toBe('drifted');
    expect(byTarget.get(world.childB.accountId)).toBe('succeeded');

    const again = await root.identity.updateAccountSettingsAssignment({ assignmentId, ifMatch: read.headers.etag!, templateVersion: 1 });
    expect(again.status).toBe(202);
    await settle(() => root.identity.getAccountSettingsAssignment({ assignmentId }));
    expect((await settingsOf(world.childA)).session_expiration_in_seconds).toBe('3600');
  });

  it('moves the children to a newer committed version under If-Match', async () => {
    await root.identity.createAccountSettingsTemplateVersion({ templateId, accountSettings: { ...settingsV1, mfa: 'LEVEL3' } });
    await root.identity.commitAccountSettingsTemplate({ templateId, version: '2' });
    const current = await root.identity.getAccountSettingsAssignment({ assignmentId });
    expect(await statusOf(root.identity.updateAccountSettingsAssignment({ assignmentId, ifMatch: '1-00000000000000000000000000000000', templateVersion: 2 }))).toBe(412);
    await root.identity.updateAccountSettingsAssignment({ assignmentId, ifMatch: current.headers.etag!, templateVersion: 2 });
    expect(await settle(() => root.identity.getAccountSettingsAssignment({ assignmentId }))).toMatchObject({ status: 'succeeded', template_version: 2 });
    for (const child of [world.childA, world.childB]) expect((await settingsOf(child)).mfa).toBe('LEVEL3');
  });

  it('fails an assignment whose settings cannot apply, saying why, and leaves the child as it was', async () => {
    const bad = await root.identity.createAccountSettingsTemplate({
      accountId: root.accountId,
      name: 'Exempts a stranger',
      accountSettings: { mfa: 'NONE', user_mfa: [{ iam_id: 'IBMid-NOTAMEMBER1', mfa: 'NONE' }] },
    });
    await root.identity.commitAccountSettingsTemplate({ templateId: bad.result.id, version: '1' });
    const res = await root.identity.createAccountSettingsAssignment({ templateId: bad.result.id, templateVersion: 1, targetType: 'Account', target: world.childB.accountId });
    const done = (await settle(() => root.identity.getAccountSettingsAssignment({ assignmentId: res.result.id }))) as {
      status: string;
      resources: { account_settings: { status: string; error_message: { statusCode: string; message: string } } }[];
    };
    expect(done.status).toBe('failed');
    expect(done.resources[0]!.account_settings).toMatchObject({ status: 'failed', error_message: { statusCode: '400' } });
    expect(done.resources[0]!.account_settings.error_message.message).toContain('IBMid-NOTAMEMBER1');
    expect((await settingsOf(world.childB)).mfa).toBe('LEVEL3');
  });

  it('keeps a child administrator from reading or changing the enterprise assignment', async () => {
    expect(await statusOf(world.childA.identity.getAccountSettingsAssignment({ assignmentId }))).toBe(404);
    expect(await statusOf(world.childA.identity.deleteAccountSettingsAssignment({ assignmentId }))).toBe(404);
  });

  it('removes the assignment (202) and leaves the children their settings; then the versions can go', async () => {
    const res = await root.identity.deleteAccountSettingsAssignment({ assignmentId });
    expect(res.status).toBe(202);
    expect(await settle(() => root.identity.getAccountSettingsAssignment({ assignmentId }))).toBe('gone');
    expect((await settingsOf(world.childA)).mfa).toBe('LEVEL3');
    expect((await world.childA.identity.getEffectiveAccountSettings({ accountId: world.childA.accountId })).result.assigned_templates).toEqual([]);
    expect((await root.identity.deleteAccountSettingsTemplateVersion({ templateId, version: '1' })).status).toBe(204);
    expect((await root.identity.deleteAllVersionsOfAccountSettingsTemplate({ templateId })).status).toBe(204);
    expect(await statusOf(root.identity.getLatestAccountSettingsTemplateVersion({ templateId }))).toBe(404);
  });
});
