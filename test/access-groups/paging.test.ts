import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';
import { bearerOf, rawCall, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
const names = ['Alpha', 'bravo', 'Charlie', 'delta', 'Echo', 'foxtrot', 'Golf'];

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  for (const name of names) {
    await owner.groups.createAccessGroup({ accountId: owner.accountId, name, description: `The ${name} team` });
  }
});
afterAll(() => server?.close());

describe('listing groups', () => {
  it('pages with absolute first/previous/next/last hrefs; following next reaches the end', async () => {
    const first = (await owner.groups.listAccessGroups({ accountId: owner.accountId, limit: 3 })).result;
    // The Public Access group is listed first and counted.
    expect(first).toMatchObject({ limit: 3, offset: 0, total_count: 8 });
    expect(first.groups!.map((g) => g.name)).toEqual(['Public Access', 'Alpha', 'bravo']);
    expect(first.previous).toBeUndefined();
    const next = new URL(first.next!.href!);
    expect(`${next.origin}${next.pathname}`).toBe(`${server.url}/v2/groups`);
    expect(next.searchParams.get('account_id')).toBe(owner.accountId);
    expect(next.searchParams.get('offset')).toBe('3');
    expect(new URL(first.last!.href!).searchParams.get('offset')).toBe('6');
    expect(new URL(first.first!.href!).searchParams.get('offset')).toBe('0');

    const seen: string[] = [];
    let href: string | undefined = first.first!.href;
    const bearer = await bearerOf(server.url, owner.apikey);
    while (href) {
      const page = await rawCall(server.url, bearer, 'GET', href.slice(server.url.length));
      expect(page.status).toBe(200);
      seen.push(...page.body.groups.map((g: { name: string }) => g.name));
      href = page.body.next?.href;
    }
    expect(seen).toEqual(['Public Access', ...names]);

    const middle = (await owner.groups.listAccessGroups({ accountId: owner.accountId, limit: 3, offset: 3 })).result;
    expect(new URL(middle.previous!.href!).searchParams.get('offset')).toBe('0');
    expect(middle.groups!.map((g) => g.name)).toEqual(['Charlie', 'delta', 'Echo']);
  });

  it('the SDK pager collects every group', async () => {
    const pager = new IamAccessGroupsV2.AccessGroupsPager(owner.groups, { accountId: owner.accountId, limit: 2, hidePublicAccess: true });
    const all = await pager.getAll();
    expect(all.map((g) => g.name)).toEqual(names);
  });

  it('searches by name, id and description; sorts; hides Public Access on request', async () => {
    const list = (params: Partial<IamAccessGroupsV2.ListAccessGroupsParams>) =>
      owner.groups.listAccessGroups({ accountId: owner.accountId, ...params }).then((r) => r.result);
    expect((await list({ search: 'name:ALP' })).groups!.map((g) => g.name)).toEqual(['Alpha']);
    expect((await list({ search: 'description:golf team' })).groups!.map((g) => g.name)).toEqual(['Golf']);
    expect((await list({ search: 'public' })).groups!.map((g) => g.name)).toEqual(['Public Access']);
    expect((await list({ search: 'name:100%_' })).total_count).toBe(0);
    const alpha = (await list({ search: 'name:Alpha' })).groups![0]!;
    expect((await list({ search: `id:${alpha.id}` })).groups!.map((g) => g.id)).toEqual([alpha.id]);
    const byId = (await list({ sort: 'id', hidePublicAccess: true })).groups!.map((g) => g.id!);
    expect(byId).toEqual([...byId].sort());
    expect((await list({ hidePublicAccess: true })).total_count).toBe(names.length);
    await owner.groups.addAccessGroupRule({
      accessGroupId: alpha.id!,
      expiration: 1,
      realmName: 'https://idp.example.org',
      conditions: [{ claim: 'a', operator: 'EQUALS', value: '"b"' }],
    });
    const federated = (await list({ sort: 'is_federated', hidePublicAccess: true, showFederated: true })).groups!;
    expect(federated.map((g) => g.is_federated)).toEqual([...names.slice(1).map(() => false), true]);
    expect((await list({ limit: 0 })).groups).toEqual([]);
  });

  it('refuses limits outside 0–100 and a missing account_id (400)', async () => {
    expect(await statusOf(owner.groups.listAccessGroups({ accountId: owner.accountId, limit: 101 }))).toBe(400);
    expect(await statusOf(owner.groups.listAccessGroups({ accountId: owner.accountId, offset: -1 }))).toBe(400);
    const bearer = await bearerOf(server.url, owner.apikey);
    const res = await rawCall(server.url, bearer, 'GET', '/v2/groups');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status_code: 400, errors: [{ code: 'invalid_body' }] });
    expect(res.body.errors[0].message).toContain('account_id');
  });
});

describe('listing members', () => {
  it('the SDK members pager collects every member', async () => {
    const group = (await owner.groups.createAccessGroup({ accountId: owner.accountId, name: 'Crowd' })).result.id!;
    const users: string[] = [];
    for (let i = 0; i < 5; i++) users.push((await addMember(server, owner.accountId)).iamId);
    await owner.groups.addMembersToAccessGroup({ accessGroupId: group, members: users.map((iam_id) => ({ iam_id, type: 'user' })) });
    const pager = new IamAccessGroupsV2.AccessGroupMembersPager(owner.groups, { accessGroupId: group, limit: 2, sort: 'id' });
    const all = await pager.getAll();
    expect(all.map((m) => m.iam_id)).toEqual([...users].sort());
  });
});
