import { describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { useCliServer, type CliUser } from './client-process.js';

// Each command is a child process (a few seconds each on a loaded machine): calls are kept few.
vi.setConfig({ testTimeout: 600_000 });

let server: TestServer;
let cli: CliUser;
useCliServer({ loggedIn: true }, (started, owner) => {
  server = started;
  cli = owner;
});

interface Profile {
  id: string;
  name: string;
  description?: string;
  iam_id: string;
}

describe('portcullis iam trusted-profile* (create → list shows it → update → delete)', () => {
  it('profiles, their claim rules, links and identities, and their policies', async () => {
    const created = await cli.json<Profile>(['iam', 'trusted-profile-create', 'ci-runner', '-d', 'CI workloads']);
    expect(created).toMatchObject({ name: 'ci-runner', description: 'CI workloads' });
    expect(await cli.ok(['iam', 'trusted-profiles'])).toMatch(new RegExp(`^${created.id}\\s+ci-runner\\s+CI workloads`, 'm'));

    const rule = await cli.json<{ id: string; type: string; cr_type: string; conditions: { claim: string; operator: string; value: string }[] }>([
      'iam', 'trusted-profile-rule-create', 'ci-runner', '--name', 'iks', '--type', 'Profile-CR', '--cr-type', 'IKS_SA', '--conditions', 'claim=namespace,operator=EQUALS,value=ci',
    ]);
    expect(rule).toMatchObject({ type: 'Profile-CR', cr_type: 'IKS_SA', conditions: [{ claim: 'namespace', operator: 'EQUALS', value: '"ci"' }] });
    const link = await cli.json<{ id: string; cr_type: string; link: { crn: string } }>([
      'iam', 'trusted-profile-link-create', 'ci-runner', '--name', 'vsi-1', '--cr-type', 'VSI', '--link-crn', `crn:v1:bluemix:public:is:us-south:a/${server.owner.accountId}::instance:vsi-1`,
    ]);
    expect(link.cr_type).toBe('VSI');
    await cli.ok(['iam', 'service-id-create', 'deployer']);
    await cli.ok(['iam', 'trusted-profile-identity-set', 'ci-runner', '--id-type', 'serviceid', '--identifier', 'deployer', '-d', 'deploys']);
    await cli.ok(['iam', 'trusted-profile-policy-create', 'ci-runner', '--roles', 'Writer', '--service-name', 'cloud-object-storage']);
    await cli.ok(['iam', 'access-group-create', 'runners']);
    await cli.ok(['iam', 'access-group-profile-add', 'runners', 'ci-runner']);
    expect((await cli.json<{ iam_id: string }[]>(['iam', 'access-group-profiles', 'runners'])).map((m) => m.iam_id)).toEqual([created.iam_id]);
    await cli.ok(['iam', 'access-group-profile-remove', 'runners', 'ci-runner', '-f']);

    // Everything shows up, and a rule changes only in what the update names.
    const [rules, links, identities] = await Promise.all([
      cli.json<{ id: string }[]>(['iam', 'trusted-profile-rules', 'ci-runner']),
      cli.json<{ id: string }[]>(['iam', 'trusted-profile-links', created.id]),
      cli.json<{ type: string; description: string }[]>(['iam', 'trusted-profile-identities', 'ci-runner']),
    ]);
    expect(rules.map((r) => r.id)).toEqual([rule.id]);
    expect(links.map((l) => l.id)).toEqual([link.id]);
    expect(identities).toEqual([expect.objectContaining({ type: 'serviceid', description: 'deploys' })]);
    expect(await cli.json(['iam', 'trusted-profile-rule-update', 'ci-runner', rule.id, '--conditions', 'claim=namespace,operator=EQUALS,value="deploy"'])).toMatchObject({
      id: rule.id,
      cr_type: 'IKS_SA',
      conditions: [{ claim: 'namespace', operator: 'EQUALS', value: '"deploy"' }],
    });
    expect(await cli.json<Profile>(['iam', 'trusted-profile-update', 'ci-runner', '-n', 'ci-runner-2'])).toMatchObject({ id: created.id, name: 'ci-runner-2', description: 'CI workloads' });

    // who-can names the profile through its policy, by name in the table.
    const who = await cli.ok(['authz', 'who-can', 'cloud-object-storage.object.put', 'serviceName=cloud-object-storage']);
    expect(who).toMatch(new RegExp(`^ci-runner-2\\s+profile\\s+${created.iam_id}\\s+policy\\s`, 'm'));

    await cli.ok(['iam', 'trusted-profile-identity-delete', 'ci-runner-2', '--id-type', 'serviceid', '--identifier', 'deployer', '-f']);
    await cli.ok(['iam', 'trusted-profile-link-delete', 'ci-runner-2', link.id, '-f']);
    await cli.ok(['iam', 'trusted-profile-rule-delete', 'ci-runner-2', rule.id, '-f']);
    const [noRules, noLinks, noIdentities] = await Promise.all([
      cli.json(['iam', 'trusted-profile-rules', 'ci-runner-2']),
      cli.json(['iam', 'trusted-profile-links', 'ci-runner-2']),
      cli.json(['iam', 'trusted-profile-identities', 'ci-runner-2']),
    ]);
    expect([noRules, noLinks, noIdentities]).toEqual([[], [], []]);
    await cli.ok(['iam', 'trusted-profile-delete', 'ci-runner-2', '-f']);
    const gone = await cli.run(['iam', 'trusted-profile', 'ci-runner-2']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("Trusted profile 'ci-runner-2' was not found.");
    const usage = await cli.run(['iam', 'trusted-profile-rule-create', 'whatever', '--name', 'x']);
    expect(usage.code).toBe(2);
  });
});

describe('portcullis authz who-can', () => {
  it('lists who may, directly and through access groups, as the decision point decides', async () => {
    await cli.ok(['iam', 'service-id-create', 'uploader']);
    await cli.ok(['iam', 'access-group-create', 'readers']);
    await cli.ok(['iam', 'access-group-service-id-add', 'readers', 'uploader']);
    await cli.ok(['iam', 'service-policy-create', 'uploader', '--roles', 'Writer', '--service-name', 'kms', '--service-instance', 'keys-1']);
    await cli.ok(['iam', 'access-group-policy-create', 'readers', '--roles', 'Reader', '--service-name', 'kms']);
    type WhoCan = { subjects: { iamId: string; type: string; grants: { via: string }[] }[]; accessGroups: { id: string; members: string[] }[] };
    const put = await cli.json<WhoCan>(['authz', 'who-can', 'kms.secrets.create', 'serviceName=kms,serviceInstance=keys-1']);
    const read = await cli.json<WhoCan>(['authz', 'who-can', 'kms.secrets.list', 'serviceName=kms,serviceInstance=keys-2']);
    expect(put.subjects).toEqual([expect.objectContaining({ type: 'serviceid', grants: [expect.objectContaining({ via: 'iam_id' })] })]);
    const uploader = put.subjects[0]!.iamId;
    expect(read.subjects.map((s) => s.iamId)).toEqual([uploader]);
    expect(read.accessGroups).toEqual([expect.objectContaining({ members: [uploader] })]);
    expect(read.subjects[0]!.grants.map((g) => g.via)).toEqual([read.accessGroups[0]!.id]);
    const none = await cli.run(['authz', 'who-can', 'kms.secrets.create', 'serviceName=kms,serviceInstance=keys-2']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No identity may perform kms.secrets.create');
  });
});
