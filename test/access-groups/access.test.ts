import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createServiceId } from './helpers.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { bearerOf, errorOf, rawCall, statusOf } from '../helpers/identities.js';
import { groupsClient } from '../helpers/sdk.js';

let server: TestServer;
let owner: Caller;
let other: Caller;
let member: Caller;
const PUBLIC = 'AccessGroupId-PublicAccess';

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  other = await createOtherAccount(server);
  member = await addMember(server, owner.accountId);
});
afterAll(() => server?.close());

const newGroup = async (name: string) =>
  (await owner.groups.createAccessGroup({ accountId: owner.accountId, name })).result.id!;

const auditOf = (targetId: string) =>
  server.server.registry.database.db
    .selectFrom('audit_events')
    .select(['action', 'outcome', 'initiator_iam_id', 'account_id'])
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();

describe('settings and the Public Access group', () => {
  it('public access is enabled by default and can be switched off', async () => {
    const { accessGroups } = server.server.registry;
    const initial = (await owner.groups.getAccountSettings({ accountId: owner.accountId })).result;
    expect(initial).toEqual({ account_id: owner.accountId, public_access_enabled: true });
    expect(await accessGroups.isPublicAccessEnabled(owner.accountId)).toBe(true);

    const updated = await owner.groups.updateAccountSettings({ accountId: owner.accountId, publicAccessEnabled: false });
    expect(updated.status).toBe(200);
    expect(updated.result).toMatchObject({ account_id: owner.accountId, public_access_enabled: false, last_modified_by_id: owner.iamId });
    expect(updated.result.last_modified_at).toMatch(/Z$/);
    expect((await owner.groups.getAccountSettings({ accountId: owner.accountId })).result.public_access_enabled).toBe(false);
    expect(await accessGroups.isPublicAccessEnabled(owner.accountId)).toBe(false);
    expect(await accessGroups.isPublicAccessEnabled(other.accountId)).toBe(true);
    await owner.groups.updateAccountSettings({ accountId: owner.accountId, publicAccessEnabled: true });
    expect(await accessGroups.isPublicAccessEnabled(owner.accountId)).toBe(true);
    expect((await auditOf(owner.accountId)).filter((e) => e.action === 'iam-groups.account-settings.update')).toHaveLength(2);
  });

  it('switching public access on grants the Public Access group\'s policies: only who could create each of them may', async () => {
    const admin = await addMember(server, owner.accountId);
    const adminOf = (serviceName: string) => ({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: admin.iamId }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Administrator' }],
      resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: serviceName }] }],
    });
    await owner.policies.createPolicy(adminOf('iam-groups'));
    const everyoneAdministersIdentity = await owner.policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'access_group_id', value: PUBLIC }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Administrator' }],
      resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: 'iam-identity' }] }],
    });
    await owner.groups.updateAccountSettings({ accountId: owner.accountId, publicAccessEnabled: false });

    // Administrator on iam-groups may switch it off, but not on: that would grant Administrator on iam-identity.
    expect(await statusOf(admin.groups.updateAccountSettings({ accountId: owner.accountId, publicAccessEnabled: true }))).toBe(403);
    expect((await owner.groups.getAccountSettings({ accountId: owner.accountId })).result.public_access_enabled).toBe(false);
    await owner.policies.createPolicy(adminOf('iam-identity'));
    expect((await admin.groups.updateAccountSettings({ accountId: owner.accountId, publicAccessEnabled: true })).status).toBe(200);
    await owner.policies.deletePolicy({ policyId: everyoneAdministersIdentity.result.id! });
  });

  it('the Public Access group can be read but not changed, deleted, or given members or rules', async () => {
    const g = owner.groups;
    const read = await g.getAccessGroup({ accessGroupId: PUBLIC });
    expect(read.result).toMatchObject({ id: PUBLIC, name: 'Public Access', account_id: owner.accountId });
    const etag = read.headers.etag as string;
    expect(await statusOf(g.updateAccessGroup({ accessGroupId: PUBLIC, ifMatch: etag, name: 'Everyone' }))).toBe(400);
    expect(await statusOf(g.deleteAccessGroup({ accessGroupId: PUBLIC, force: true }))).toBe(400);
    expect(await statusOf(g.addMembersToAccessGroup({ accessGroupId: PUBLIC, members: [{ iam_id: member.iamId, type: 'user' }] }))).toBe(400);
    expect((await g.listAccessGroupMembers({ accessGroupId: PUBLIC })).result.total_count).toBe(0);
    expect((await g.listAccessGroupRules({ accessGroupId: PUBLIC })).result.rules).toEqual([]);
    expect(await statusOf(g.isMemberOfAccessGroup({ accessGroupId: PUBLIC, iamId: member.iamId }))).toBe(404);
    // Each account sees its own Public Access group under the same id.
    expect((await other.groups.getAccessGroup({ accessGroupId: PUBLIC })).result.account_id).toBe(other.accountId);
  });
});

describe('concurrent updates', () => {
  it('two clients holding the same ETag: exactly one PATCH wins, the other gets 412', async () => {
    const groupId = await newGroup('Contended');
    const second = groupsClient(server.url, owner.apikey);
    const [a, b] = await Promise.all([
      owner.groups.getAccessGroup({ accessGroupId: groupId }),
      second.getAccessGroup({ accessGroupId: groupId }),
    ]);
    expect(a.headers.etag).toBe(b.headers.etag);
    const outcomes = await Promise.allSettled([
      owner.groups.updateAccessGroup({ accessGroupId: groupId, ifMatch: a.headers.etag as string, name: 'Contended A' }),
      second.updateAccessGroup({ accessGroupId: groupId, ifMatch: b.headers.etag as string, name: 'Contended B' }),
    ]);
    const statuses = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : (o.reason as { status: number }).status)).sort();
    expect(statuses).toEqual([200, 412]);
    const winner = outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ result: { name?: string } }>;
    expect((await owner.groups.getAccessGroup({ accessGroupId: groupId })).result.name).toBe(winner.value.result.name);
  });

  it('concurrent creates of one name: one 201, the others 409', async () => {
    const clients = [owner.groups, groupsClient(server.url, owner.apikey), groupsClient(server.url, owner.apikey)];
    const outcomes = await Promise.allSettled(clients.map((c, i) => c.createAccessGroup({ accountId: owner.accountId, name: i ? 'RACE' : 'race' })));
    const statuses = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : (o.reason as { status: number }).status)).sort();
    expect(statuses).toEqual([201, 409, 409]);
  });

  it('adding members while the group is force-deleted never fails with 500', async () => {
    const user = await addMember(server, owner.accountId);
    for (let round = 0; round < 3; round++) {
      const groupId = await newGroup(`Vanishing ${round}`);
      const outcomes = await Promise.allSettled([
        owner.groups.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: user.iamId, type: 'user' }] }),
        groupsClient(server.url, owner.apikey).deleteAccessGroup({ accessGroupId: groupId, force: true }),
      ]);
      for (const o of outcomes) {
        const status = o.status === 'fulfilled' ? o.value.status : (o.reason as { status: number }).status;
        expect([204, 207, 404, 409]).toContain(status);
      }
      expect(await server.server.registry.accessGroups.groupsOf(user.iamId, owner.accountId)).not.toContain(groupId);
    }
  });

  it('the same holds for rules', async () => {
    const groupId = await newGroup('Contended rules');
    const rule = { expiration: 1, realmName: 'https://idp.example.org', conditions: [{ claim: 'a', operator: 'EQUALS', value: '"b"' }] };
    const ruleId = (await owner.groups.addAccessGroupRule({ accessGroupId: groupId, ...rule })).result.id!;
    const etag = (await owner.groups.getAccessGroupRule({ accessGroupId: groupId, ruleId })).headers.etag as string;
    const outcomes = await Promise.allSettled([2, 3].map((expiration) =>
      owner.groups.replaceAccessGroupRule({ accessGroupId: groupId, ruleId, ifMatch: etag, ...rule, expiration }),
    ));
    const statuses = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : (o.reason as { status: number }).status)).sort();
    expect(statuses).toEqual([200, 412]);
  });
});

describe('isolation and authorization', () => {
  it("another account's groups do not exist for it; naming this account is forbidden; nothing changes", async () => {
    const groupId = await newGroup('Private');
    await owner.groups.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: member.iamId, type: 'user' }] });
    const etag = (await owner.groups.getAccessGroup({ accessGroupId: groupId })).headers.etag as string;
    const o = other.groups;

    expect(await statusOf(o.getAccessGroup({ accessGroupId: groupId }))).toBe(404);
    expect(await statusOf(o.updateAccessGroup({ accessGroupId: groupId, ifMatch: etag, name: 'stolen' }))).toBe(404);
    expect(await statusOf(o.deleteAccessGroup({ accessGroupId: groupId, force: true }))).toBe(404);
    expect(await statusOf(o.listAccessGroupMembers({ accessGroupId: groupId }))).toBe(404);
    expect(await statusOf(o.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: member.iamId }))).toBe(404);
    expect(await statusOf(o.removeMemberFromAccessGroup({ accessGroupId: groupId, iamId: member.iamId }))).toBe(404);
    expect(await statusOf(o.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: other.iamId, type: 'user' }] }))).toBe(404);
    expect(await statusOf(o.listAccessGroupRules({ accessGroupId: groupId }))).toBe(404);

    expect(await statusOf(o.listAccessGroups({ accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(o.createAccessGroup({ accountId: owner.accountId, name: 'intruder' }))).toBe(403);
    expect(await statusOf(o.getAccountSettings({ accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(o.updateAccountSettings({ accountId: owner.accountId, publicAccessEnabled: false }))).toBe(403);
    expect(await statusOf(o.removeMemberFromAllAccessGroups({ accountId: owner.accountId, iamId: member.iamId }))).toBe(403);
    expect(
      await statusOf(o.addMemberToMultipleAccessGroups({ accountId: owner.accountId, iamId: member.iamId, type: 'user', groups: [groupId] })),
    ).toBe(403);

    const after = await owner.groups.getAccessGroup({ accessGroupId: groupId });
    expect(after.headers.etag).toBe(etag);
    expect((await owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: member.iamId })).status).toBe(204);
    expect((await owner.groups.getAccountSettings({ accountId: owner.accountId })).result.public_access_enabled).toBe(true);
    const names = (await owner.groups.listAccessGroups({ accountId: owner.accountId })).result.groups!.map((g) => g.name);
    expect(names).not.toContain('intruder');
  });

  it('asks the authorizer: a member who is not the owner is refused, and the refusal is audited', async () => {
    const groupId = await newGroup('Owner only');
    const refused = await errorOf(member.groups.createAccessGroup({ accountId: owner.accountId, name: 'By a member' }));
    expect(refused.status).toBe(403);
    expect(await statusOf(member.groups.getAccessGroup({ accessGroupId: groupId }))).toBe(403);
    expect(await statusOf(member.groups.deleteAccessGroup({ accessGroupId: groupId }))).toBe(403);
    expect(await auditOf(groupId)).toEqual([
      { action: 'iam-groups.groups.create', outcome: 'success', initiator_iam_id: owner.iamId, account_id: owner.accountId },
      { action: 'iam-groups.groups.delete', outcome: 'failure', initiator_iam_id: member.iamId, account_id: owner.accountId },
    ]);
  });

  it('malformed requests are 400 and write nothing', async () => {
    const groupId = await newGroup('Malformed');
    const bearer = await bearerOf(server.url, owner.apikey);
    const put = (body: string) => rawCall(server.url, bearer, 'PUT', `/v2/groups/${groupId}/members`, body);
    expect((await put('{"members": [{"iam_id": "x"}]}')).status).toBe(400);
    expect((await put('{"members": "nope"}')).status).toBe(400);
    expect((await put('{not json')).status).toBe(400);
    expect((await put(JSON.stringify({ members: Array.from({ length: 51 }, (_, i) => ({ iam_id: `IBMid-X${i}`, type: 'user' })) }))).status).toBe(400);
    const patch = await rawCall(server.url, bearer, 'PATCH', `/v2/groups/${groupId}`, '{"name": 5}', { 'If-Match': '*' });
    expect(patch.status).toBe(400);
    expect(patch.body).toMatchObject({ status_code: 400, errors: [{ code: 'invalid_body' }] });
    const noIfMatch = await rawCall(server.url, bearer, 'PATCH', `/v2/groups/${groupId}`, '{"name": "x"}');
    expect(noIfMatch.status).toBe(428);
    const rule = await rawCall(server.url, bearer, 'POST', `/v2/groups/${groupId}/rules`, '{"expiration": 1, "realm_name": "r"}');
    expect(rule.status).toBe(400);
    expect((await owner.groups.listAccessGroupMembers({ accessGroupId: groupId })).result.total_count).toBe(0);
    expect((await owner.groups.getAccessGroup({ accessGroupId: groupId })).result.name).toBe('Malformed');
    const unknownRoute = await rawCall(server.url, bearer, 'GET', `/v2/groups/${groupId}/nothing`);
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body).toMatchObject({ status_code: 404 });
  });
});

describe('identities that leave', () => {
  it('removeIdentityEverywhere ends all memberships of an identity in the account, publishing each', async () => {
    const { accessGroups, writer, database } = server.server.registry;
    const one = await newGroup('Leaving one');
    const two = await newGroup('Leaving two');
    const sid = await createServiceId(server, owner, 'leaving-bot');
    for (const groupId of [one, two]) {
      await owner.groups.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: sid.iam_id, type: 'service' }] });
    }
    expect((await accessGroups.groupsOf(sid.iam_id, owner.accountId)).sort()).toEqual([one, two].sort());
    const { value, revision } = await writer.write((w) => accessGroups.removeIdentityEverywhere(w, owner.accountId, sid.iam_id));
    expect(value.sort()).toEqual([one, two].sort());
    expect(await accessGroups.membershipsOf(sid.iam_id)).toEqual([]);
    const published = await database.db.selectFrom('changes').select(['entity', 'entity_id', 'op']).where('revision', '=', revision).execute();
    expect(published.map((c) => c.entity_id).sort()).toEqual([`${one}/${sid.iam_id}`, `${two}/${sid.iam_id}`].sort());
    expect(published.every((c) => c.entity === 'group_member' && c.op === 'delete')).toBe(true);
    expect((await accessGroups.listMemberships()).some((m) => m.iamId === sid.iam_id)).toBe(false);
  });
});
