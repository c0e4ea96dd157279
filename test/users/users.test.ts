import UserManagementV1 from '@ibm-cloud/platform-services/user-management/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor, invitationClient } from '../enterprise/clients.js';
import { groupsClient, identityClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { secretFor } from './outbox.js';
import { bearerOf, callStatus } from '../helpers/identities.js';

interface Invited {
  id: string;
  email: string;
  state: string;
}

describe('user management', () => {
  let server: TestServer;
  let owner: ReturnType<typeof clientsFor>;
  let accountId: string;
  const members: Record<string, { iamId: string; apikey: string }> = {};

  const invite = async (emails: string[], extra: { accessGroups?: string[] } = {}) =>
    (await owner.users.inviteUsers({ accountId, users: emails.map((email) => ({ email, account_role: 'Member' })), ...extra })).result
      .resources as Invited[];

  const secret = (email: string) => secretFor(server.database.dataDir, email);

  beforeAll(async () => {
    server = await startTestServer();
    owner = clientsFor(server.url, server.owner.apikey);
    accountId = server.owner.accountId;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('invites users, who stay PENDING until they accept', async () => {
    const invited = await invite(['u1@example.com', 'u2@example.com', 'u3@example.com', 'u4@example.com']);
    expect(invited.map((u) => u.state)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING']);
    expect(await callStatus(owner.users.inviteUsers({ accountId, users: [{ email: 'u1@example.com' }] }))).toBe(409);
    for (const u of invited.slice(0, 3)) {
      const accepted = await invitationClient(server.url, secret(u.email)).accept({ accountId });
      members[u.email] = { iamId: u.id, apikey: (accepted.result as { iam_apikey: string }).iam_apikey };
    }
    const pending = await owner.users.listUsers({ accountId, search: 'state:PENDING' });
    expect(pending.result.resources!.map((u) => u.email)).toEqual(['u4@example.com']);
    // An invitation token is good for its own account only.
    expect(await callStatus(invitationClient(server.url, secret('u4@example.com')).accept({ accountId: 'f'.repeat(32) }))).toBe(404);
  });

  it('pages through the user list with _start to the end', async () => {
    const first = await owner.users.listUsers({ accountId, limit: 2 });
    expect(first.result).toMatchObject({ total_results: 5, limit: 2 });
    expect(first.result.next_url).toContain('_start=');
    const all = await new UserManagementV1.UsersPager(owner.users, { accountId, limit: 2 }).getAll();
    expect(all.map((u) => u.user_id).sort()).toEqual(['owner@example.com', 'u1@example.com', 'u2@example.com', 'u3@example.com', 'u4@example.com']);
    // `start: null` (the SDK sends `_start=`) is the first page; a start that decodes to nothing is refused.
    const fromNull = await owner.users.listUsers({ accountId, limit: 2, start: null as unknown as string });
    expect(fromNull.result.resources!.map((u) => u.iam_id)).toEqual(first.result.resources!.map((u) => u.iam_id));
    expect(await callStatus(owner.users.listUsers({ accountId, start: '=' }))).toBe(400);
    const withSettings = await owner.users.listUsers({ accountId, includeSettings: true, userId: 'u1@example.com' });
    expect(withSettings.result.resources).toHaveLength(1);
    expect((withSettings.result.resources![0] as { settings?: unknown }).settings).toMatchObject({ self_manage: false });
  });

  it('sorts the user list by a field across pages (our extension), and keeps IBM\'s order without it', async () => {
    type Profile = { iam_id: string; email: string; firstname: string; state: string; user_id: string; added_on: string };
    const bearer = await bearerOf(server.url, server.owner.apikey);
    const get = async (pathAndQuery: string) => {
      const response = await fetch(`${server.url}${pathAndQuery}`, { headers: { Authorization: bearer } });
      return { status: response.status, body: (await response.json()) as { resources: Profile[]; next_url?: string; errors?: Array<{ code: string; message: string }>; status_code?: number } };
    };
    const path = `/v2/accounts/${accountId}/users`;
    // Ties (first names equal but for case) and an empty first name, broken by the IAM id.
    for (const [email, firstname] of [['u1@example.com', 'Zoe'], ['u2@example.com', 'zoe'], ['u3@example.com', 'Adam']] as const) {
      await owner.users.updateUserProfile({ accountId, iamId: members[email]!.iamId, firstname });
    }
    const all = (await get(`${path}?limit=100`)).body.resources;
    const ids = (users: Profile[]) => users.map((u) => u.iam_id);
    expect(all).toHaveLength(5);
    // IBM's order (by IAM id); a parameter the API does not know changes nothing.
    expect(ids(all)).toEqual([...ids(all)].sort());
    expect(ids((await get(`${path}?limit=100&order_by=email`)).body.resources)).toEqual(ids(all));

    const walk = async (first: string) => {
      const seen: Profile[] = [];
      let next: string | undefined = first;
      for (let pages = 0; next !== undefined; pages++) {
        expect(pages).toBeLessThan(10);
        const page = await get(next);
        expect(page.status).toBe(200);
        seen.push(...page.body.resources);
        next = page.body.next_url;
      }
      return seen;
    };
    const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    for (const field of ['email', 'firstname', 'state', 'user_id', 'added_on'] as const) {
      const ascending = [...all].sort((a, b) => compare(a[field].toLowerCase(), b[field].toLowerCase()) || compare(a.iam_id, b.iam_id));
      expect(ids(await walk(`${path}?sort=${field}&limit=2`))).toEqual(ids(ascending));
      expect(ids(await walk(`${path}?sort=-${field}&limit=2`))).toEqual(ids(ascending.reverse()));
    }
    // The ties, in their place: Adam, then both Zoes by IAM id, each page continuing where the last ended.
    const byName = await walk(`${path}?sort=firstname&limit=1`);
    expect(byName.map((u) => u.firstname).slice(-3)).toEqual(['Adam', ...[['Zoe', members['u1@example.com']!.iamId], ['zoe', members['u2@example.com']!.iamId]].sort((a, b) => compare(a[1]!, b[1]!)).map(([n]) => n)]);
    // With a search, the sort orders what it finds.
    expect((await get(`${path}?sort=-email&search=state:ACTIVE`)).body.resources.map((u) => u.email)).toEqual(['u3@example.com', 'u2@example.com', 'u1@example.com', 'owner@example.com']);

    // A bad sort is a 400 in IBM's error shape; a _start of one order is refused in another (or in IBM's).
    const bad = await get(`${path}?sort=shoe_size`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status_code: 400, errors: [{ code: expect.any(String), message: expect.any(String) }] });
    const sortedNext = new URL((await get(`${path}?sort=email&limit=2`)).body.next_url!, server.url);
    const start = sortedNext.searchParams.get('_start')!;
    expect(sortedNext.searchParams.get('sort')).toBe('email');
    for (const other of [`sort=-email&_start=${start}`, `_start=${start}`]) {
      const refused = await get(`${path}?${other}`);
      expect(refused.status).toBe(400);
      expect(refused.body.errors![0]!.message).toContain('another order');
    }
    const ibmNext = new URL((await get(`${path}?limit=2`)).body.next_url!, server.url).searchParams.get('_start')!;
    expect((await get(`${path}?sort=email&_start=${ibmNext}`)).status).toBe(400);
  });

  it('lets users edit their own profile, and only administrators change states', async () => {
    const u1 = clientsFor(server.url, members['u1@example.com']!.apikey);
    const me = members['u1@example.com']!.iamId;
    expect((await u1.users.updateUserProfile({ accountId, iamId: me, firstname: 'Una', lastname: 'One' })).status).toBe(204);
    expect((await owner.users.getUserProfile({ accountId, iamId: me })).result).toMatchObject({ firstname: 'Una', lastname: 'One' });
    // Not someone else's, not a state.
    expect(await callStatus(u1.users.updateUserProfile({ accountId, iamId: members['u2@example.com']!.iamId, firstname: 'X' }))).toBe(403);
    expect(await callStatus(u1.users.updateUserProfile({ accountId, iamId: me, state: 'VPN_ONLY' }))).toBe(403);

    expect((await owner.users.updateUserProfile({ accountId, iamId: me, state: 'VPN_ONLY' })).status).toBe(204);
    expect((await owner.users.getUserProfile({ accountId, iamId: me })).result.state).toBe('VPN_ONLY');
    expect(await callStatus(owner.users.updateUserProfile({ accountId, iamId: me, state: 'PENDING' }))).toBe(400);
    expect(await callStatus(owner.users.updateUserProfile({ accountId, iamId: server.owner.iamId, state: 'VPN_ONLY' }))).toBe(409);
  });

  it('reads and updates user settings', async () => {
    const me = members['u2@example.com']!.iamId;
    const u2 = clientsFor(server.url, members['u2@example.com']!.apikey);
    expect((await u2.users.updateUserSettings({ accountId, iamId: me, language: 'fr', notificationLanguage: 'fr' })).status).toBe(204);
    const settings = await owner.users.getUserSettings({ accountId, iamId: me });
    expect(settings.result).toMatchObject({ language: 'fr', notification_language: 'fr', self_manage: false });
    expect(await callStatus(u2.users.getUserSettings({ accountId, iamId: members['u3@example.com']!.iamId }))).toBe(403);
  });

  it('restricts the user list when the account says so', async () => {
    const identity = identityClient(server.url, server.owner.apikey);
    const current = await identity.getAccountSettings({ accountId });
    await identity.updateAccountSettings({ accountId, ifMatch: current.headers.etag as string, restrictUserListVisibility: 'RESTRICTED' });
    const u3 = clientsFor(server.url, members['u3@example.com']!.apikey);
    const seen = await u3.users.listUsers({ accountId });
    expect(seen.result.resources!.map((u) => u.user_id)).toEqual(['u3@example.com']);
    expect(await callStatus(u3.users.getUserProfile({ accountId, iamId: members['u1@example.com']!.iamId }))).toBe(404);
    expect((await owner.users.listUsers({ accountId })).result.total_results).toBe(5);
  });

  it('removes a user together with their API keys and access-group memberships', async () => {
    const groups = groupsClient(server.url, server.owner.apikey);
    const group = (await groups.createAccessGroup({ accountId, name: 'readers' })).result.id!;
    const [u5] = await invite(['u5@example.com'], { accessGroups: [group] });
    const accepted = await invitationClient(server.url, secret('u5@example.com')).accept({ accountId });
    const key = (accepted.result as { iam_apikey: string }).iam_apikey;
    expect((await groups.isMemberOfAccessGroup({ accessGroupId: group, iamId: u5!.id })).status).toBe(204);

    expect((await owner.users.removeUser({ accountId, iamId: u5!.id })).status).toBe(204);
    expect(await callStatus(owner.users.getUserProfile({ accountId, iamId: u5!.id }))).toBe(404);
    expect(await callStatus(groups.isMemberOfAccessGroup({ accessGroupId: group, iamId: u5!.id }))).toBe(404);
    // The API key went with the membership: it no longer yields a token.
    expect(await callStatus(clientsFor(server.url, key).users.listUsers({ accountId }))).toBeGreaterThanOrEqual(400);

    expect(await callStatus(owner.users.removeUser({ accountId, iamId: server.owner.iamId }))).toBe(409);
    expect((await owner.users.v3RemoveUser({ accountId, iamId: members['u3@example.com']!.iamId })).status).toBe(202);
  });

  it('withdraws an invitation whose access groups or policies cannot all be given', async () => {
    const groups = groupsClient(server.url, server.owner.apikey);
    const group = (await groups.createAccessGroup({ accountId, name: 'writers' })).result.id!;
    const listed = async (email: string) => (await owner.users.listUsers({ accountId, search: `email:${email}` })).result.resources!.length;
    const memberCount = async () => (await groups.listAccessGroupMembers({ accessGroupId: group })).result.members!.length;
    const users = (email: string) => [{ email, account_role: 'Member' }];

    const missingGroup = 'AccessGroupId-00000000-0000-0000-0000-000000000000';
    expect(await callStatus(owner.users.inviteUsers({ accountId, users: users('w1@example.com'), accessGroups: [group, missingGroup] }))).toBe(404);
    const unknownRole = {
      type: 'access',
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Juggler' }],
      resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'cloud-object-storage' }] }],
    };
    expect(await callStatus(owner.users.inviteUsers({ accountId, users: users('w2@example.com'), accessGroups: [group], iamPolicy: [unknownRole] }))).toBe(400);
    // Neither invitee stayed in the account nor in the group it joined before the failure.
    expect(await listed('w1@example.com')).toBe(0);
    expect(await listed('w2@example.com')).toBe(0);
    expect(await memberCount()).toBe(0);

    // Withdrawn invitations leave nothing behind that would refuse a corrected one.
    const reader = { ...unknownRole, roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }] };
    const [w2] = (await owner.users.inviteUsers({ accountId, users: users('w2@example.com'), accessGroups: [group], iamPolicy: [reader] })).result
      .resources as Invited[];
    expect(w2!.state).toBe('PENDING');
    expect(await memberCount()).toBe(1);
  });

  it('answers bad input with 400, never 500', async () => {
    expect(await callStatus(owner.users.inviteUsers({ accountId, users: [{ email: 'not-an-address' }] }))).toBe(400);
    expect(await callStatus(owner.users.inviteUsers({ accountId, users: [] }))).toBe(400);
    expect(await callStatus(owner.users.listUsers({ accountId, search: 'shoe_size:42' }))).toBe(400);
    expect(await callStatus(owner.users.listUsers({ accountId, limit: 1000 }))).toBe(400);
    expect(await callStatus(owner.users.updateUserProfile({ accountId, iamId: members['u1@example.com']!.iamId, email: 'nope' }))).toBe(400);
    expect(await callStatus(owner.users.getUserProfile({ accountId, iamId: 'IBMid-NOBODY0000' }))).toBe(404);
    expect(await callStatus(invitationClient(server.url, 'invite-forged').accept({ accountId }))).toBe(401);
  });
});
