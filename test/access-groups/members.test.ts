import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createServiceId } from './helpers.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { errorOf, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
let other: Caller;
let alice: Caller;
let bob: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  other = await createOtherAccount(server);
  alice = await addMember(server, owner.accountId, { first: 'Alice', last: 'Archer' });
  bob = await addMember(server, owner.accountId, { first: 'Bob', last: 'Baker' });
});
afterAll(() => server?.close());

const newGroup = async (name: string) =>
  (await owner.groups.createAccessGroup({ accountId: owner.accountId, name })).result.id!;

describe('adding members', () => {
  it('answers 207 with a status and type per member: users (members of the account or not yet) and its service IDs join, others fail alone', async () => {
    const groupId = await newGroup('Mixed');
    const sid = await createServiceId(server, owner, 'builder');
    const foreignSid = await createServiceId(server, other, 'foreign');
    // IBM accepts a user IAM id that is not (yet) a user of the account; it grants nothing until they sign in to it.
    const notYet = 'IBMid-NOTYETMEMBER1';
    const res = await owner.groups.addMembersToAccessGroup({
      accessGroupId: groupId,
      members: [
        { iam_id: alice.iamId, type: 'user' },
        { iam_id: sid.iam_id, type: 'service' },
        { iam_id: notYet, type: 'user' },
        { iam_id: foreignSid.iam_id, type: 'service' },
        { iam_id: bob.iamId, type: 'service' },
        { iam_id: 'iam-Profile-00000000-0000-4000-8000-000000000000', type: 'profile' },
      ],
    });
    expect(res.status).toBe(207);
    const [a, s, u, f, wrongType, profile] = res.result.members!;
    expect(a).toMatchObject({ iam_id: alice.iamId, type: 'user', status_code: 200, created_by_id: owner.iamId });
    expect(a!.created_at).toMatch(/Z$/);
    expect(s).toMatchObject({ iam_id: sid.iam_id, type: 'service', status_code: 200 });
    expect(u).toMatchObject({ iam_id: notYet, type: 'user', status_code: 200 });
    expect(f).toMatchObject({ iam_id: foreignSid.iam_id, type: 'service', status_code: 404, errors: [{ code: 'not_found' }] });
    expect(f!.errors![0]!.message).toContain(foreignSid.iam_id);
    expect(f!.trace).toBeTruthy();
    expect(wrongType).toMatchObject({ iam_id: bob.iamId, type: 'service', status_code: 400 });
    expect(profile).toMatchObject({ type: 'profile', status_code: 404 }); // no trusted profiles exist yet

    const members = (await owner.groups.listAccessGroupMembers({ accessGroupId: groupId })).result;
    expect(members.total_count).toBe(3);
    expect(members.members!.map((m) => m.iam_id).sort()).toEqual([alice.iamId, sid.iam_id, notYet].sort());

    // Adding again changes nothing and succeeds.
    const again = await owner.groups.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: alice.iamId, type: 'user' }] });
    expect(again.result.members![0]).toMatchObject({ status_code: 200, created_at: a!.created_at });
    expect((await owner.groups.listAccessGroupMembers({ accessGroupId: groupId })).result.total_count).toBe(3);
  });

  it('refuses members for an unknown group (404 naming it) and for the Public Access group (400)', async () => {
    const missing = 'AccessGroupId-00000000-0000-4000-8000-000000000000';
    const err = await errorOf(owner.groups.addMembersToAccessGroup({ accessGroupId: missing, members: [{ iam_id: alice.iamId, type: 'user' }] }));
    expect(err.status).toBe(404);
    expect(err.message).toContain(missing);
    expect(
      await statusOf(
        owner.groups.addMembersToAccessGroup({ accessGroupId: 'AccessGroupId-PublicAccess', members: [{ iam_id: alice.iamId, type: 'user' }] }),
      ),
    ).toBe(400);
  });
});

describe('reading and removing members', () => {
  it('lists with type filter, verbose details and sorting; HEAD checks one member', async () => {
    const groupId = await newGroup('Readers');
    const sid = await createServiceId(server, owner, 'reader-bot');
    await owner.groups.addMembersToAccessGroup({
      accessGroupId: groupId,
      members: [
        { iam_id: bob.iamId, type: 'user' },
        { iam_id: alice.iamId, type: 'user' },
        { iam_id: sid.iam_id, type: 'service' },
      ],
    });
    const users = (await owner.groups.listAccessGroupMembers({ accessGroupId: groupId, type: 'user' })).result;
    expect(users.total_count).toBe(2);
    expect(users.members!.every((m) => m.type === 'user' && m.membership_type === 'static' && m.name === undefined)).toBe(true);
    expect(users.members![0]!.href).toBe(`${server.url}/v2/groups/${groupId}/members/${users.members![0]!.iam_id}`);

    const verbose = (await owner.groups.listAccessGroupMembers({ accessGroupId: groupId, verbose: true, sort: 'name' })).result;
    expect(verbose.members!.map((m) => m.name)).toEqual(['Alice Archer', 'Bob Baker', 'reader-bot']);
    expect(verbose.members![0]!.email).toBe(`${alice.iamId.toLowerCase()}@example.com`);

    expect((await owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: alice.iamId })).status).toBe(204);
    expect(await statusOf(owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: owner.iamId }))).toBe(404);
    expect(
      await statusOf(owner.groups.isMemberOfAccessGroup({ accessGroupId: 'AccessGroupId-00000000-0000-4000-8000-000000000000', iamId: alice.iamId })),
    ).toBe(404);
  });

  it('removes one member (204, then 404) and many (207 with a status each)', async () => {
    const groupId = await newGroup('Removals');
    const sid = await createServiceId(server, owner, 'remove-bot');
    await owner.groups.addMembersToAccessGroup({
      accessGroupId: groupId,
      members: [
        { iam_id: alice.iamId, type: 'user' },
        { iam_id: bob.iamId, type: 'user' },
        { iam_id: sid.iam_id, type: 'service' },
      ],
    });
    expect((await owner.groups.removeMemberFromAccessGroup({ accessGroupId: groupId, iamId: alice.iamId })).status).toBe(204);
    const again = await errorOf(owner.groups.removeMemberFromAccessGroup({ accessGroupId: groupId, iamId: alice.iamId }));
    expect(again.status).toBe(404);
    expect(again.message).toContain(alice.iamId);

    const res = await owner.groups.removeMembersFromAccessGroup({ accessGroupId: groupId, members: [bob.iamId, alice.iamId, sid.iam_id] });
    expect(res.status).toBe(207);
    expect(res.result.access_group_id).toBe(groupId);
    expect(res.result.members).toMatchObject([
      { iam_id: bob.iamId, status_code: 204 },
      { iam_id: alice.iamId, status_code: 404 },
      { iam_id: sid.iam_id, status_code: 204 },
    ]);
    expect((await owner.groups.listAccessGroupMembers({ accessGroupId: groupId })).result.total_count).toBe(0);

    const missing = 'AccessGroupId-00000000-0000-4000-8000-000000000001';
    const err = await errorOf(owner.groups.removeMembersFromAccessGroup({ accessGroupId: missing, members: [bob.iamId] }));
    expect(err.status).toBe(404);
    expect(err.message).toContain(missing);
  });
});

describe('one identity, many groups', () => {
  it('adds an identity to several groups (207 per group) and removes it from all of them', async () => {
    const one = await newGroup('Multi one');
    const two = await newGroup('Multi two');
    const missing = 'AccessGroupId-00000000-0000-4000-8000-000000000002';
    const foreignGroup = (await other.groups.createAccessGroup({ accountId: other.accountId, name: 'Theirs' })).result.id!;
    const user = await addMember(server, owner.accountId);

    const added = await owner.groups.addMemberToMultipleAccessGroups({
      accountId: owner.accountId,
      iamId: user.iamId,
      type: 'user',
      groups: [one, two, missing, foreignGroup, 'AccessGroupId-PublicAccess'],
    });
    expect(added.status).toBe(207);
    expect(added.result.iam_id).toBe(user.iamId);
    expect(added.result.groups).toMatchObject([
      { access_group_id: one, status_code: 200 },
      { access_group_id: two, status_code: 200 },
      { access_group_id: missing, status_code: 404 },
      { access_group_id: foreignGroup, status_code: 404 },
      { access_group_id: 'AccessGroupId-PublicAccess', status_code: 400 },
    ]);
    expect(added.result.groups![2]!.errors![0]!.message).toContain(missing);

    const listed = (await owner.groups.listAccessGroups({ accountId: owner.accountId, iamId: user.iamId })).result;
    expect(listed.groups!.map((g) => g.id).sort()).toEqual([one, two].sort());

    const removed = await owner.groups.removeMemberFromAllAccessGroups({ accountId: owner.accountId, iamId: user.iamId });
    expect(removed.status).toBe(207);
    expect(removed.result.groups!.map((g) => [g.access_group_id, g.status_code]).sort()).toEqual(
      [
        [one, 204],
        [two, 204],
      ].sort(),
    );
    const nowhere = await errorOf(owner.groups.removeMemberFromAllAccessGroups({ accountId: owner.accountId, iamId: user.iamId }));
    expect(nowhere.status).toBe(404);
    expect(nowhere.message).toContain(user.iamId);
  });

  it('refuses a service ID that is not of the account (404 naming it)', async () => {
    const groupId = await newGroup('Multi three');
    const foreignSid = await createServiceId(server, other, 'foreign-multi');
    const err = await errorOf(
      owner.groups.addMemberToMultipleAccessGroups({ accountId: owner.accountId, iamId: foreignSid.iam_id, type: 'service', groups: [groupId] }),
    );
    expect(err.status).toBe(404);
    expect(err.message).toContain(foreignSid.iam_id);
  });
});
