import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { cliUser, useCliServer, type CliUser } from './client-process.js';

// Each command is a child process (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 600_000 });

let server: TestServer;
let cli: CliUser;
useCliServer({ loggedIn: true }, (started, owner) => {
  server = started;
  cli = owner;
});

interface Named {
  id: string;
  name: string;
  description?: string;
  locked?: boolean;
  disabled?: boolean;
}

describe('portcullis iam (each family: create → list shows it → update → delete)', () => {
  it('service IDs and their API keys, with lock and unlock', async () => {
    const created = await cli.json<Named & { iam_id: string }>(['iam', 'service-id-create', 'deployer', '-d', 'deploys']);
    expect(created).toMatchObject({ name: 'deployer', description: 'deploys', locked: false });
    expect((await cli.json<Named[]>(['iam', 'service-ids'])).map((s) => s.name)).toContain('deployer');
    const table = await cli.ok(['iam', 'service-ids']);
    expect(table).toMatch(/^ID\s+Name\s+Created At/m);
    expect(table).toMatch(new RegExp(`^${created.id}\\s+deployer\\s`, 'm'));

    const keyFile = join(cli.home, 'key.json');
    const key = await cli.json<Named & { apikey: string }>(['iam', 'service-api-key-create', 'k1', 'deployer', '-d', 'first', '--file', keyFile]);
    expect(key.apikey.length).toBeGreaterThanOrEqual(32);
    expect(JSON.parse(readFileSync(keyFile, 'utf8')).apikey).toBe(key.apikey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const keys = await cli.json<(Named & { apikey?: string })[]>(['iam', 'service-api-keys', created.id]);
    expect(keys.map((k) => k.name)).toEqual(['k1']);
    expect(JSON.stringify(keys)).not.toContain(key.apikey);

    // The key works: a login with it (from the file) acts as the service ID.
    const asService = cliUser();
    await asService.ok(['login', '--apikey', `@${keyFile}`, '-a', server.url]);
    expect((await asService.json<{ iam_id: string }>(['target'])).iam_id).toBe(created.iam_id);
    asService.remove();

    expect(await cli.json<Named>(['iam', 'service-api-key-update', 'k1', 'deployer', '-n', 'k2'])).toMatchObject({ name: 'k2', description: 'first' });
    await cli.ok(['iam', 'service-api-key-lock', 'k2', 'deployer', '-f']);
    expect((await cli.json<Named>(['iam', 'service-api-key', 'k2', 'deployer'])).locked).toBe(true);
    const lockedDelete = await cli.run(['iam', 'service-api-key-delete', 'k2', 'deployer', '-f']);
    expect(lockedDelete.code).toBe(1);
    expect(lockedDelete.stderr).toMatch(/locked/i);
    await cli.ok(['iam', 'service-api-key-unlock', 'k2', 'deployer', '-f']);
    await cli.ok(['iam', 'service-api-key-delete', 'k2', 'deployer', '-f']);
    expect(await cli.json<Named[]>(['iam', 'service-api-keys', 'deployer'])).toEqual([]);

    expect(await cli.json<Named>(['iam', 'service-id-update', 'deployer', '-n', 'deployer-2', '-d', 'renamed'])).toMatchObject({ name: 'deployer-2', description: 'renamed' });
    await cli.ok(['iam', 'service-id-lock', 'deployer-2', '-f']);
    expect((await cli.json<Named>(['iam', 'service-id', 'deployer-2'])).locked).toBe(true);
    await cli.ok(['iam', 'service-id-unlock', 'deployer-2', '-f']);
    await cli.ok(['iam', 'service-id-delete', 'deployer-2', '-f']);
    expect((await cli.json<Named[]>(['iam', 'service-ids'])).map((s) => s.name)).not.toContain('deployer-2');
  });

  it("the user's own API keys, with disable and enable", async () => {
    const key = await cli.json<Named & { apikey: string; iam_id: string }>(['iam', 'api-key-create', 'laptop', '-d', 'my laptop']);
    expect(key.iam_id).toBe(server.owner.iamId);
    expect((await cli.json<Named[]>(['iam', 'api-keys'])).map((k) => k.name)).toContain('laptop');
    expect(await cli.json<Named>(['iam', 'api-key-update', 'laptop', '-d', 'old laptop'])).toMatchObject({ name: 'laptop', description: 'old laptop' });
    await cli.ok(['iam', 'api-key-disable', 'laptop', '-f']);
    expect((await cli.json<Named>(['iam', 'api-key', key.id])).disabled).toBe(true);
    await cli.ok(['iam', 'api-key-enable', 'laptop']);
    expect((await cli.json<Named>(['iam', 'api-key', 'laptop'])).disabled).toBe(false);
    await cli.ok(['iam', 'api-key-delete', 'laptop', '-f']);
    expect((await cli.json<Named[]>(['iam', 'api-keys'])).map((k) => k.name)).not.toContain('laptop');
  });

  it('access groups, their users and service IDs, and dynamic rules', async () => {
    await cli.ok(['iam', 'service-id-create', 'member-sid']);
    const group = await cli.json<Named>(['iam', 'access-group-create', 'developers', '-d', 'devs']);
    expect((await cli.json<Named[]>(['iam', 'access-groups'])).map((g) => g.name)).toContain('developers');
    expect(await cli.json<Named>(['iam', 'access-group-update', 'developers', '-d', 'app developers'])).toMatchObject({ id: group.id, description: 'app developers' });

    await cli.ok(['iam', 'access-group-service-id-add', 'developers', 'member-sid']);
    await cli.ok(['iam', 'access-group-user-add', 'developers', 'owner@example.com']);
    expect((await cli.json<{ name: string }[]>(['iam', 'access-group-service-ids', 'developers'])).map((m) => m.name)).toEqual(['member-sid']);
    expect((await cli.json<{ iam_id: string }[]>(['iam', 'access-group-users', 'developers'])).map((m) => m.iam_id)).toEqual([server.owner.iamId]);
    expect((await cli.json<Named[]>(['iam', 'access-groups', '-s', 'member-sid'])).map((g) => g.name)).toEqual(['developers']);

    const rule = await cli.json<{ id: string; name: string; expiration: number; conditions: unknown[] }>([
      'iam', 'access-group-rule-create', 'developers', '-n', 'idp-devs', '--realm-name', 'https://idp.example.com', '--conditions', 'claim=groups,operator=CONTAINS,value=dev;claim=dept,operator=EQUALS,value=42',
    ]);
    expect(rule).toMatchObject({ name: 'idp-devs', expiration: 24, conditions: [{ claim: 'groups', operator: 'CONTAINS', value: 'dev' }, { claim: 'dept', operator: 'EQUALS', value: '42' }] });
    expect((await cli.json<{ id: string }[]>(['iam', 'access-group-rules', 'developers'])).map((r) => r.id)).toEqual([rule.id]);
    expect(await cli.json(['iam', 'access-group-rule-update', 'developers', rule.id, '--expiration', '12'])).toMatchObject({ id: rule.id, expiration: 12, name: 'idp-devs' });
    await cli.ok(['iam', 'access-group-rule-delete', 'developers', rule.id, '-f']);
    expect(await cli.json(['iam', 'access-group-rules', 'developers'])).toEqual([]);

    await cli.ok(['iam', 'access-group-service-id-remove', 'developers', 'member-sid', '-f']);
    await cli.ok(['iam', 'access-group-user-remove', 'developers', 'owner@example.com', '-f']);
    expect(await cli.json(['iam', 'access-group-service-ids', 'developers'])).toEqual([]);
    await cli.ok(['iam', 'access-group-delete', 'developers', '-f']);
    expect((await cli.json<Named[]>(['iam', 'access-groups'])).map((g) => g.name)).not.toContain('developers');
  });

  it('user, service ID and access-group policies by flags and by --file; authz check sees them', async () => {
    await cli.ok(['iam', 'service-id-create', 'reader-sid']);
    await cli.ok(['iam', 'access-group-create', 'auditors']);
    type Policy = { id: string; roles: { role_id: string; display_name?: string }[]; resources: { attributes: { name: string; value: string }[] }[] };
    const policy = await cli.json<Policy>(['iam', 'service-policy-create', 'reader-sid', '--roles', 'Reader', '--service-name', 'cloud-object-storage', '--service-instance', 'inst-1']);
    expect(policy.roles.map((r) => r.role_id)).toEqual(['crn:v1:bluemix:public:iam::::serviceRole:Reader']);
    expect(policy.resources[0]!.attributes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'accountId', value: server.owner.accountId }),
        expect.objectContaining({ name: 'serviceName', value: 'cloud-object-storage' }),
        expect.objectContaining({ name: 'serviceInstance', value: 'inst-1' }),
      ]),
    );
    expect((await cli.json<Policy[]>(['iam', 'service-policies', 'reader-sid'])).map((p) => p.id)).toEqual([policy.id]);
    const check = (action: string) => cli.json<{ permitted: boolean }>(['authz', 'check', 'reader-sid', action, 'serviceName=cloud-object-storage,serviceInstance=inst-1']);
    expect((await check('cloud-object-storage.object.get')).permitted).toBe(true);
    expect((await check('cloud-object-storage.object.put')).permitted).toBe(false);

    const updated = await cli.json<Policy>(['iam', 'service-policy-update', 'reader-sid', policy.id, '--roles', 'Writer']);
    expect(updated.roles.map((r) => r.role_id)).toEqual(['crn:v1:bluemix:public:iam::::serviceRole:Writer']);
    expect(updated.resources[0]!.attributes.map((a) => a.name)).toContain('serviceInstance');
    expect((await check('cloud-object-storage.object.put')).permitted).toBe(true);
    const explained = await cli.ok(['authz', 'check', 'reader-sid', 'cloud-object-storage.object.put', 'serviceName=cloud-object-storage,serviceInstance=inst-1', '--explain']);
    expect(explained).toMatch(/Decision\s+PERMITTED/);
    expect(explained).toContain(policy.id);
    await cli.ok(['iam', 'service-policy-delete', 'reader-sid', policy.id, '-f']);
    expect(await cli.json(['iam', 'service-policies', 'reader-sid'])).toEqual([]);
    expect((await check('cloud-object-storage.object.put')).permitted).toBe(false);

    const file = join(cli.home, 'policy.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify({ roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Viewer' }], resources: [{ attributes: [{ name: 'accountId', value: server.owner.accountId }, { name: 'serviceType', value: 'service' }] }] }));
    const fromFile = await cli.json<Policy>(['iam', 'access-group-policy-create', 'auditors', '--file', `@${file}`]);
    expect((await cli.json<Policy[]>(['iam', 'access-group-policies', 'auditors'])).map((p) => p.id)).toEqual([fromFile.id]);
    await cli.ok(['iam', 'access-group-policy-update', 'auditors', fromFile.id, '--roles', 'Viewer,Editor', '--service-name', 'kms']);
    const [shown] = await cli.json<Policy[]>(['iam', 'access-group-policies', 'auditors']);
    expect(shown!.roles.map((r) => r.display_name).sort()).toEqual(['Editor', 'Viewer']);
    await cli.ok(['iam', 'access-group-policy-delete', 'auditors', fromFile.id, '-f']);

    const userPolicy = await cli.json<Policy>(['iam', 'user-policy-create', 'owner@example.com', '--roles', 'Viewer', '--account-management']);
    expect((await cli.json<Policy[]>(['iam', 'user-policies', 'owner@example.com'])).map((p) => p.id)).toContain(userPolicy.id);
    await cli.ok(['iam', 'user-policy-update', 'owner@example.com', userPolicy.id, '--roles', 'Editor']);
    expect((await cli.json<Policy>(['iam', 'user-policy', 'owner@example.com', userPolicy.id])).roles.map((r) => r.display_name)).toEqual(['Editor']);
    await cli.ok(['iam', 'user-policy-delete', 'owner@example.com', userPolicy.id, '-f']);

    const wrongRole = await cli.run(['iam', 'service-policy-create', 'reader-sid', '--roles', 'Conductor', '--service-name', 'kms']);
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toContain("Role 'Conductor' does not exist for service kms");
  });

  it('custom roles and authorization policies', async () => {
    const role = await cli.json<{ id: string; name: string; actions: string[]; crn: string }>([
      'iam', 'role-create', 'Deployer', 'Deployer', 'cloud-object-storage', '--actions', 'cloud-object-storage.object.put', '-d', 'puts objects',
    ]);
    expect(role).toMatchObject({ name: 'Deployer', actions: ['cloud-object-storage.object.put'] });
    const listed = await cli.json<{ name: string; kind: string }[]>(['iam', 'roles', '--service', 'cloud-object-storage']);
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Deployer', kind: 'custom' }), expect.objectContaining({ name: 'Writer', kind: 'service' })]));
    const updated = await cli.json<{ actions: string[] }>(['iam', 'role-update', 'Deployer', '--actions', 'cloud-object-storage.object.put,cloud-object-storage.object.get']);
    expect(updated.actions.sort()).toEqual(['cloud-object-storage.object.get', 'cloud-object-storage.object.put']);
    await cli.ok(['iam', 'role-delete', 'Deployer', '-f']);
    expect((await cli.run(['iam', 'role', 'Deployer'])).code).toBe(1);

    const auth = await cli.json<{ id: string; type: string }>(['iam', 'authorization-policy-create', 'cloud-object-storage', 'kms', 'Reader']);
    expect(auth.type).toBe('authorization');
    expect((await cli.json<{ id: string }[]>(['iam', 'authorization-policies'])).map((p) => p.id)).toEqual([auth.id]);
    await cli.ok(['iam', 'authorization-policy-delete', auth.id, '-f']);
    expect(await cli.json(['iam', 'authorization-policies'])).toEqual([]);
  });

  it('account settings, users (invite, remove) and oauth-tokens', async () => {
    const before = await cli.json<{ restrict_create_service_id: string }>(['iam', 'account-settings']);
    expect(before.restrict_create_service_id).toBeDefined();
    const after = await cli.json<{ restrict_create_service_id: string; max_sessions_per_identity: string }>([
      'iam', 'account-settings-update', '--restrict-create-service-id', 'RESTRICTED', '--max-sessions-per-identity', '5',
    ]);
    expect(after).toMatchObject({ restrict_create_service_id: 'RESTRICTED', max_sessions_per_identity: '5' });
    const noChange = await cli.run(['iam', 'account-settings-update']);
    expect(noChange.code).toBe(2);

    const invited = await cli.json<{ resources: { email: string; id: string; state: string }[] }>(['iam', 'user-invite', 'bob@example.com']);
    expect(invited.resources[0]).toMatchObject({ email: 'bob@example.com', state: 'PENDING' });
    const listed = await cli.json<{ user_id: string; state: string }[]>(['iam', 'users']);
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ user_id: 'bob@example.com', state: 'PENDING' })]));
    expect(await cli.ok(['iam', 'users'])).toMatch(/^User ID\s+Email\s+IAM ID\s+State$/m);
    await cli.ok(['iam', 'user-remove', 'bob@example.com', '-f']);
    expect((await cli.json<{ user_id: string }[]>(['iam', 'users'])).map((u) => u.user_id)).not.toContain('bob@example.com');

    const human = await cli.ok(['iam', 'oauth-tokens']);
    expect(human).toMatch(/^IAM token:\s+Bearer ey\S+\n$/);
  });
});
