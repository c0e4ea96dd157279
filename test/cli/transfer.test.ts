import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliUser, type CliUser } from './client-process.js';

// Each command is a child process (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 600_000 });

let source: TestServer;
let target: TestServer;
let a: CliUser;
let b: CliUser;

beforeAll(async () => {
  [source, target] = await Promise.all([startTestServer(), startTestServer()]);
  a = cliUser();
  b = cliUser();
  await Promise.all([a.ok(['login', '--apikey', source.owner.apikey, '-a', source.url]), b.ok(['login', '--apikey', target.owner.apikey, '-a', target.url])]);
});
afterAll(async () => {
  a?.remove();
  b?.remove();
  await Promise.all([source?.close(), target?.close()]);
});

/** The questions whose answers must survive the move: service ID or user, action, resource. */
const QUESTIONS: [string, string, string][] = [
  ['ci', 'cloud-object-storage.object.put', 'serviceName=cloud-object-storage,serviceInstance=bucket-host'],
  ['ci', 'cloud-object-storage.object.get', 'serviceName=cloud-object-storage,serviceInstance=bucket-host'],
  ['ci', 'cloud-object-storage.object.delete', 'serviceName=cloud-object-storage,serviceInstance=bucket-host'],
  ['ci', 'kms.secrets.wrap', 'serviceName=kms'],
  ['auditor', 'cloud-object-storage.object.get', 'serviceName=cloud-object-storage'],
  ['auditor', 'cloud-object-storage.object.put', 'serviceName=cloud-object-storage'],
  ['bob@example.com', 'iam-groups.groups.read', 'serviceName=iam-groups'],
  ['runner', 'kms.secrets.delete', 'serviceName=kms'],
];

/** One question at a time: eight CLI processes at once outlast the per-command limit on a loaded machine. */
async function decisions(cli: CliUser): Promise<boolean[]> {
  const answers: boolean[] = [];
  for (const [subject, action, resource] of QUESTIONS) answers.push((await cli.json<{ permitted: boolean }>(['authz', 'check', subject, action, resource])).permitted);
  return answers;
}

interface Summary {
  plan: { action: string; what: string }[];
  summary: { create: number; update: number; unchanged: number; applied: boolean };
}

describe('portcullis export / import', () => {
  it('moves an account into a fresh one with the same decisions; re-importing changes nothing', async () => {
    for (const args of [
      ['iam', 'service-id-create', 'ci', '-d', 'CI deployer'],
      ['iam', 'service-id-create', 'auditor'],
      ['iam', 'role-create', 'Uploader', 'Uploader', 'cloud-object-storage', '--actions', 'cloud-object-storage.object.put'],
      ['iam', 'access-group-create', 'readers', '-d', 'read everything'],
      ['iam', 'access-group-service-id-add', 'readers', 'auditor'],
      ['iam', 'access-group-rule-create', 'readers', '-n', 'idp', '--realm-name', 'https://idp.example.com', '--conditions', 'claim=groups,operator=CONTAINS,value=readers'],
      ['iam', 'access-group-policy-create', 'readers', '--roles', 'Reader', '--service-name', 'cloud-object-storage'],
      ['iam', 'service-policy-create', 'ci', '--roles', 'Uploader,Reader', '--service-name', 'cloud-object-storage', '--service-instance', 'bucket-host'],
      ['iam', 'authorization-policy-create', 'cloud-object-storage', 'kms', 'Reader'],
      ['iam', 'user-invite', 'bob@example.com', '--access-groups', 'readers'],
      ['iam', 'user-policy-create', 'bob@example.com', '--roles', 'Viewer', '--service-name', 'iam-groups'],
      ['iam', 'account-settings-update', '--max-sessions-per-identity', '7'],
      ['iam', 'trusted-profile-create', 'runner', '-d', 'CI runner'],
      ['iam', 'trusted-profile-rule-create', 'runner', '--name', 'iks', '--type', 'Profile-CR', '--cr-type', 'IKS_SA', '--conditions', 'claim=namespace,operator=EQUALS,value=ci'],
      ['iam', 'trusted-profile-link-create', 'runner', '--name', 'vsi', '--cr-type', 'VSI', '--link-crn', `crn:v1:bluemix:public:is:us-south:a/${source.owner.accountId}::instance:vsi-1`],
      ['iam', 'trusted-profile-identity-set', 'runner', '--id-type', 'serviceid', '--identifier', 'ci'],
      ['iam', 'trusted-profile-policy-create', 'runner', '--roles', 'Manager', '--service-name', 'kms'],
    ]) {
      await a.ok(args);
    }
    const { apikey } = await a.json<{ apikey: string }>(['iam', 'service-api-key-create', 'ci-key', 'ci']);
    const file = join(a.home, 'account.yaml');
    await a.ok(['export', '--file', file]);
    const yaml = readFileSync(file, 'utf8');
    const exported = parse(yaml) as Record<string, unknown>;
    expect(exported).toMatchObject({
      portcullis: 'account/v1',
      service_ids: [{ name: 'auditor' }, { name: 'ci', description: 'CI deployer' }],
      custom_roles: [{ name: 'Uploader', service_name: 'cloud-object-storage', actions: ['cloud-object-storage.object.put'] }],
      access_groups: [{ name: 'readers', service_ids: ['auditor'], users: ['bob@example.com'], rules: [{ name: 'idp', expiration: 24 }] }],
      trusted_profiles: [
        {
          name: 'runner',
          description: 'CI runner',
          rules: [{ name: 'iks', type: 'Profile-CR', cr_type: 'IKS_SA', conditions: [{ claim: 'namespace', operator: 'EQUALS', value: '"ci"' }] }],
          links: [{ name: 'vsi', cr_type: 'VSI', crn: 'crn:v1:bluemix:public:is:us-south:a/{account}::instance:vsi-1' }],
          identities: [{ type: 'serviceid', identifier: 'ci', description: 'CI deployer' }],
        },
      ],
    });
    expect((exported.policies as { subject: Record<string, string> }[]).map((p) => p.subject)).toContainEqual({ trusted_profile: 'runner' });
    expect((exported.settings as Record<string, string>).max_sessions_per_identity).toBe('7');
    // Names, not ids: nothing of the source account but the informational `account:` line, and no secret.
    expect(yaml.replace(`account: ${source.owner.accountId}`, '')).not.toContain(source.owner.accountId);
    expect(yaml).not.toMatch(/ServiceId-|AccessGroupId-|ApiKey-/);
    expect(yaml).not.toContain(apikey);

    const before = await decisions(a);
    expect(before).toEqual([true, true, false, false, true, false, true, true]);

    const dry = await b.json<Summary>(['import', file, '--dry-run']);
    expect(dry.summary).toMatchObject({ applied: false, update: 1 });
    expect(dry.plan).toEqual(expect.arrayContaining([{ action: 'create', what: 'service ID ci' }, { action: 'invite', what: 'user bob@example.com' }]));
    expect(await b.json(['iam', 'service-ids'])).toEqual([]);

    const applied = await b.run(['import', file, '-f']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^\[1\/\d+\] update account settings/m);
    expect(applied.stdout).toMatch(new RegExp(`^${dry.summary.create} added, 1 changed, \\d+ unchanged\\.$`, 'm'));
    expect(await decisions(b)).toEqual(before);

    const again = await b.json<Summary>(['import', file, '-f']);
    expect(again.plan).toEqual([]);
    expect(again.summary).toMatchObject({ create: 0, update: 0 });
    const reexported = parse(await b.ok(['export'])) as Record<string, unknown>;
    expect({ ...reexported, account: undefined }).toEqual({ ...exported, account: undefined });

    // An edited document: only the difference is applied.
    const edited = exported as { policies: { subject: Record<string, string>; roles: string[] }[] };
    edited.policies.find((p) => p.subject.access_group === 'readers')!.roles = ['crn:v1:bluemix:public:iam::::serviceRole:Writer'];
    writeFileSync(file, stringify(edited));
    const change = await b.json<Summary>(['import', file, '-f']);
    expect(change.plan).toHaveLength(1);
    expect(change.plan[0]!.action).toBe('update');
    expect((await b.json<{ permitted: boolean }>(['authz', 'check', 'auditor', 'cloud-object-storage.object.put', 'serviceName=cloud-object-storage'])).permitted).toBe(true);
  });

  it('refuses a document it cannot apply, before changing anything', async () => {
    const file = join(b.home, 'bad.yaml');
    writeFileSync(file, 'portcullis: account/v1\nservice_ids:\n  - description: no name\n');
    const invalid = await b.run(['import', file, '-f']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('/service_ids/0');

    writeFileSync(file, stringify({ portcullis: 'account/v1', service_ids: [{ name: 'new-one' }], access_groups: [{ name: 'g', service_ids: ['nobody'] }] }));
    const unknown = await b.run(['import', file, '-f']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('service ID nobody is neither in the account nor under service_ids:');
    expect((await b.json<{ name: string }[]>(['iam', 'service-ids'])).map((s) => s.name)).not.toContain('new-one');
  });
});
