import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessGroupsStore } from '../../src/access-groups/store.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, ownerOf } from '../helpers/callers.js';
import { errorOf, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
const REALM = 'https://idp.example.org/SAML2';
const managerRule = { expiration: 12, realmName: REALM, conditions: [{ claim: 'isManager', operator: 'EQUALS', value: 'true' }] };

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
});
afterAll(() => server?.close());

const newGroup = async (name: string) =>
  (await owner.groups.createAccessGroup({ accountId: owner.accountId, name })).result.id!;

/** The change-feed rows a write published for an entity id. */
const changesOf = (entityId: string) =>
  server.server.registry.database.db
    .selectFrom('changes')
    .select(['entity', 'op', 'revision'])
    .where('entity_id', '=', entityId)
    .orderBy('id')
    .execute();

describe('dynamic rules', () => {
  it('creates, reads, replaces with If-Match, lists and removes a rule', async () => {
    const g = owner.groups;
    const groupId = await newGroup('Managers');
    const created = await g.addAccessGroupRule({ accessGroupId: groupId, name: 'Manager group rule', ...managerRule });
    expect(created.status).toBe(201);
    const rule = created.result;
    expect(rule).toMatchObject({
      name: 'Manager group rule',
      expiration: 12,
      realm_name: REALM,
      access_group_id: groupId,
      account_id: owner.accountId,
      conditions: [{ claim: 'isManager', operator: 'EQUALS', value: 'true' }],
      created_by_id: owner.iamId,
    });
    expect(rule.id).toMatch(/^ClaimRule-/);
    expect((await g.getAccessGroup({ accessGroupId: groupId, showFederated: true })).result.is_federated).toBe(true);

    const read = await g.getAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id! });
    const etag = read.headers.etag as string;
    expect(etag).toMatch(/^1-[0-9a-f]{32}$/);

    const replaced = await g.replaceAccessGroupRule({
      accessGroupId: groupId,
      ruleId: rule.id!,
      ifMatch: etag,
      name: 'Manager group rule',
      expiration: 24,
      realmName: REALM,
      conditions: [{ claim: 'groups', operator: 'CONTAINS', value: '"managers"' }],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.result).toMatchObject({ expiration: 24, conditions: [{ claim: 'groups', operator: 'CONTAINS' }] });
    expect(replaced.headers.etag).toMatch(/^2-/);
    expect(await statusOf(g.replaceAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id!, ifMatch: etag, ...managerRule }))).toBe(412);

    expect((await g.listAccessGroupRules({ accessGroupId: groupId })).result.rules!.map((r) => r.id)).toEqual([rule.id]);
    expect((await g.removeAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id! })).status).toBe(204);
    const gone = await errorOf(g.getAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id! }));
    expect(gone.status).toBe(404);
    expect(gone.message).toContain(rule.id);
    expect((await g.listAccessGroupRules({ accessGroupId: groupId })).result.rules).toEqual([]);
    expect((await changesOf(rule.id!)).map((c) => c.op)).toEqual(['create', 'update', 'delete']);
  });

  it('refuses malformed rules (400) and rules of another group (404)', async () => {
    const g = owner.groups;
    const groupId = await newGroup('Strict');
    const otherGroup = await newGroup('Elsewhere');
    expect(await statusOf(g.addAccessGroupRule({ accessGroupId: groupId, ...managerRule, expiration: 25 }))).toBe(400);
    expect(await statusOf(g.addAccessGroupRule({ accessGroupId: groupId, ...managerRule, conditions: [] }))).toBe(400);
    const badOperator = await errorOf(
      g.addAccessGroupRule({ accessGroupId: groupId, ...managerRule, conditions: [{ claim: 'a', operator: 'LIKE' as 'EQUALS', value: '1' }] }),
    );
    expect(badOperator.status).toBe(400);
    expect(badOperator.message).toContain('LIKE');
    expect((await g.listAccessGroupRules({ accessGroupId: groupId })).result.rules).toEqual([]);

    const rule = (await g.addAccessGroupRule({ accessGroupId: groupId, ...managerRule })).result;
    expect(await statusOf(g.getAccessGroupRule({ accessGroupId: otherGroup, ruleId: rule.id! }))).toBe(404);
    expect(await statusOf(g.removeAccessGroupRule({ accessGroupId: otherGroup, ruleId: rule.id! }))).toBe(404);
    expect(await statusOf(g.addAccessGroupRule({ accessGroupId: 'AccessGroupId-PublicAccess', ...managerRule }))).toBe(400);
  });
});

describe('dynamic membership', () => {
  // Each test signs in through its own identity provider, so rules of other tests never match.
  it('a federated sign-in whose claims match joins the group until the rule expiration', async () => {
    const { accessGroups, database } = server.server.registry;
    const store = createAccessGroupsStore(database.db);
    const REALM = 'https://idp-1.example.org/SAML2';
    const groupId = await newGroup('Federated managers');
    const rule = (await owner.groups.addAccessGroupRule({ accessGroupId: groupId, ...managerRule, realmName: REALM })).result;
    const fed = 'IBMid-FEDERATED01';

    expect(await accessGroups.applyFederatedLogin(owner.accountId, fed, 'https://other-idp.example.org', { isManager: 'true' })).toEqual([]);
    const grants = await accessGroups.applyFederatedLogin(owner.accountId, fed, REALM, { isManager: 'true' });
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ groupId, ruleIds: [rule.id] });
    const expiresAt = grants[0]!.expiresAt;
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(11.9 * 3_600_000);

    // Visible as a dynamic member, through HEAD and through the identity's group list.
    expect((await owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: fed })).status).toBe(204);
    const dynamic = (await owner.groups.listAccessGroupMembers({ accessGroupId: groupId, membershipType: 'dynamic' })).result;
    expect(dynamic.members).toMatchObject([{ iam_id: fed, type: 'user', membership_type: 'dynamic' }]);
    expect((await owner.groups.listAccessGroupMembers({ accessGroupId: groupId })).result.total_count).toBe(0);
    expect((await owner.groups.listAccessGroupMembers({ accessGroupId: groupId, membershipType: 'all' })).result.total_count).toBe(1);
    const of = (membershipType: string) =>
      owner.groups.listAccessGroups({ accountId: owner.accountId, iamId: fed, membershipType }).then((r) => r.result.groups!.map((g) => g.id));
    expect(await of('dynamic')).toEqual([groupId]);
    expect(await of('all')).toEqual([groupId]);
    expect(await of('static')).toEqual([]);

    // For the decision point: current memberships carry their expiry; expired ones are gone.
    expect(await accessGroups.membershipsOf(fed)).toEqual([{ accountId: owner.accountId, groupId, iamId: fed, expiresAt }]);
    expect(await accessGroups.groupsOf(fed, owner.accountId)).toEqual([groupId]);
    const later = new Date(Date.parse(expiresAt) + 1000).toISOString();
    expect(await store.membershipsOf(fed, later)).toEqual([]);
    expect(await store.isMember(owner.accountId, groupId, fed, later)).toBe(false);
    expect((await store.listMemberships(later)).some((m) => m.iamId === fed)).toBe(false);
    expect((await changesOf(`${groupId}/${fed}`)).map((c) => c.entity)).toEqual(['group_member']);

    // A later sign-in whose claims no longer match ends the membership.
    expect(await accessGroups.applyFederatedLogin(owner.accountId, fed, REALM, { isManager: 'false' })).toEqual([]);
    expect(await statusOf(owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: fed }))).toBe(404);
    expect((await changesOf(`${groupId}/${fed}`)).map((c) => c.op)).toEqual(['update', 'delete']);
  });

  it('changing or removing the rule ends the memberships it granted', async () => {
    const { accessGroups } = server.server.registry;
    const REALM = 'https://idp-2.example.org/SAML2';
    const rule2 = { ...managerRule, realmName: REALM };
    const groupId = await newGroup('Rule changes');
    const rule = (await owner.groups.addAccessGroupRule({ accessGroupId: groupId, ...rule2 })).result;
    const fed = 'IBMid-FEDERATED02';
    await accessGroups.applyFederatedLogin(owner.accountId, fed, REALM, { isManager: true });
    expect((await owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: fed })).status).toBe(204);

    // Renaming only keeps the membership; changing the conditions ends it.
    let etag = (await owner.groups.getAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id! })).headers.etag as string;
    await owner.groups.replaceAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id!, ifMatch: etag, name: 'renamed', ...rule2 });
    expect((await owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: fed })).status).toBe(204);
    etag = (await owner.groups.getAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id! })).headers.etag as string;
    await owner.groups.replaceAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id!, ifMatch: etag, ...rule2, expiration: 2 });
    expect(await statusOf(owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: fed }))).toBe(404);

    await accessGroups.applyFederatedLogin(owner.accountId, fed, REALM, { isManager: true });
    expect((await owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: fed })).status).toBe(204);
    await owner.groups.removeAccessGroupRule({ accessGroupId: groupId, ruleId: rule.id! });
    expect(await statusOf(owner.groups.isMemberOfAccessGroup({ accessGroupId: groupId, iamId: fed }))).toBe(404);
    expect(await accessGroups.membershipsOf(fed)).toEqual([]);
  });
});
