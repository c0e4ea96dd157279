import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatorFor, identityClient, policyClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { secretFor } from '../users/outbox.js';
import { COS_PLAN, clientsFor, invitationClient } from './clients.js';
import { callStatus } from '../helpers/identities.js';

/**
 * The enterprise story: the bootstrap account becomes an enterprise with an account group and two
 * child accounts; a user is invited into one child and accepts; a resource group and an instance
 * live there; nothing of one child is visible or changeable from the other.
 */
describe('enterprise with two child accounts', () => {
  let server: TestServer;
  let root: ReturnType<typeof clientsFor>;
  let enterpriseId: string;
  let enterpriseCrn: string;
  let groupCrn: string;
  const child: Record<'a' | 'b', { id: string; apikey: string }> = { a: { id: '', apikey: '' }, b: { id: '', apikey: '' } };

  beforeAll(async () => {
    server = await startTestServer();
    root = clientsFor(server.url, server.owner.apikey);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('creates an enterprise from the bootstrap account', async () => {
    const res = await root.enterprise.createEnterprise({
      sourceAccountId: server.owner.accountId,
      name: 'Example Corp',
      primaryContactIamId: server.owner.iamId,
      domain: 'example.com',
    });
    expect(res.status).toBe(202);
    enterpriseId = res.result.enterprise_id!;
    expect(enterpriseId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.result.enterprise_account_id).toBe(server.owner.accountId);

    const got = await root.enterprise.getEnterprise({ enterpriseId });
    enterpriseCrn = got.result.crn!;
    expect(enterpriseCrn).toBe(`crn:v1:bluemix:public:enterprise::a/${server.owner.accountId}::enterprise:${enterpriseId}`);
    expect(got.result).toMatchObject({ name: 'Example Corp', domain: 'example.com', state: 'ACTIVE', source_account_id: server.owner.accountId });

    // An account belongs to one enterprise at most.
    expect(
      await callStatus(
        root.enterprise.createEnterprise({ sourceAccountId: server.owner.accountId, name: 'Again', primaryContactIamId: server.owner.iamId }),
      ),
    ).toBe(409);
  });

  it('nests account groups and creates child accounts with their owners', async () => {
    const group = await root.enterprise.createAccountGroup({ parent: enterpriseCrn, name: 'Engineering', primaryContactIamId: server.owner.iamId });
    expect(group.status).toBe(201);
    const groupId = group.result.account_group_id!;
    groupCrn = `crn:v1:bluemix:public:enterprise::a/${server.owner.accountId}::account-group:${groupId}`;
    const nested = await root.enterprise.createAccountGroup({ parent: groupCrn, name: 'Platform', primaryContactIamId: server.owner.iamId });
    const nestedGot = await root.enterprise.getAccountGroup({ accountGroupId: nested.result.account_group_id! });
    expect(nestedGot.result).toMatchObject({
      parent: groupCrn,
      enterprise_id: enterpriseId,
      enterprise_path: `enterprise:${enterpriseId}/account-group:${groupId}/account-group:${nested.result.account_group_id}`,
    });

    // Child A: owned by the caller, who is handed no key but creates one of their own there.
    const a = await root.enterprise.createAccount({ parent: groupCrn, name: 'Child A', ownerIamId: server.owner.iamId });
    expect(a.status).toBe(202);
    expect(Object.keys(a.result)).toEqual(['account_id']);
    const ownKey = await identityClient(server.url, server.owner.apikey).createApiKey({
      name: 'mine-in-child-a',
      iamId: server.owner.iamId,
      accountId: a.result.account_id!,
    });
    child.a = { id: a.result.account_id!, apikey: ownKey.result.apikey! };
    // Child B: a new owner named by e-mail, who is invited and sets their first key by accepting.
    const b = await root.enterprise.createAccount({ parent: enterpriseCrn, name: 'Child B', ownerIamId: 'bea@example.com' });
    expect(Object.keys(b.result)).toEqual(['account_id']);
    const accepted = await invitationClient(server.url, secretFor(server.database.dataDir, 'bea@example.com')).accept({ accountId: b.result.account_id! });
    child.b = { id: b.result.account_id!, apikey: (accepted.result as { iam_apikey: string }).iam_apikey };
    expect(child.b.apikey).toBeTruthy();

    const got = await root.enterprise.getAccount({ accountId: child.a.id });
    expect(got.result).toMatchObject({
      id: child.a.id,
      parent: groupCrn,
      name: 'Child A',
      state: 'ACTIVE',
      owner_iam_id: server.owner.iamId,
      is_enterprise_account: false,
      crn: `crn:v1:bluemix:public:enterprise::a/${server.owner.accountId}::account:${child.a.id}`,
    });
    const inGroup = await root.enterprise.listAccounts({ accountGroupId: groupId });
    expect(inGroup.result.resources!.map((r) => r.id)).toEqual([child.a.id]);

    // Unknown owners and parents are refused.
    expect(await callStatus(root.enterprise.createAccount({ parent: enterpriseCrn, name: 'X', ownerIamId: 'IBMid-NOBODY0000' }))).toBe(400);
    expect(await callStatus(root.enterprise.createAccount({ parent: 'crn:v1:nonsense', name: 'X', ownerIamId: server.owner.iamId }))).toBe(400);
  });

  it('gives every new account its default resource group, and its owner administers it', async () => {
    const b = clientsFor(server.url, child.b.apikey);
    const groups = await b.groups.listResourceGroups({});
    expect(groups.result.resources).toHaveLength(1);
    expect(groups.result.resources![0]).toMatchObject({ account_id: child.b.id, default: true, name: 'Default' });
    const created = await b.groups.createResourceGroup({ name: 'team-b' });
    expect(created.status).toBe(201);
  });

  it('pages through accounts with next_docid to the end', async () => {
    const seen: string[] = [];
    let nextDocid: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await root.enterprise.listAccounts({ enterpriseId, limit: 1, ...(nextDocid ? { nextDocid } : {}) });
      seen.push(...page.result.resources!.map((r) => r.id!));
      if (!page.result.next_url) break;
      nextDocid = new URL(page.result.next_url, server.url).searchParams.get('next_docid')!;
    }
    expect(seen.sort()).toEqual([server.owner.accountId, child.a.id, child.b.id].sort());
  });

  it('invites a user into child A, who accepts with the invitation token', async () => {
    const a = clientsFor(server.url, child.a.apikey);
    const invited = await a.users.inviteUsers({ accountId: child.a.id, users: [{ email: 'ann@example.com', account_role: 'Member' }] });
    expect(invited.status).toBe(202);
    const [entry] = invited.result.resources as Array<{ id: string; state: string }>;
    const secret = secretFor(server.database.dataDir, 'ann@example.com');
    expect(entry!.state).toBe('PENDING');
    const profile = await a.users.getUserProfile({ accountId: child.a.id, iamId: entry!.id });
    expect(profile.result.state).toBe('PENDING');

    const accepted = await invitationClient(server.url, secret).accept({ accountId: child.a.id });
    expect(accepted.status).toBe(202);
    const key = (accepted.result as { iam_apikey: string }).iam_apikey;
    expect((await a.users.getUserProfile({ accountId: child.a.id, iamId: entry!.id })).result.state).toBe('ACTIVE');
    // A used token is spent.
    expect(await callStatus(invitationClient(server.url, secret).accept({ accountId: child.a.id }))).toBe(401);

    // Ann works in child A with her own key: she sees its users (the list is not restricted) ...
    const ann = clientsFor(server.url, key);
    const list = await ann.users.listUsers({ accountId: child.a.id });
    expect(list.result.resources!.map((u) => u.user_id).sort()).toEqual(['ann@example.com', 'owner@example.com']);
    // ... and, after accepting, an IAM-token accept is a no-op.
    expect((await ann.users.accept({ accountId: child.a.id })).status).toBe(204);
    (child as Record<string, { id: string; apikey: string }>).ann = { id: entry!.id, apikey: key };
  });

  it('holds a resource group and an instance in child A', async () => {
    const a = clientsFor(server.url, child.a.apikey);
    const group = await a.groups.createResourceGroup({ name: 'apps' });
    const instance = await a.instances.createResourceInstance({
      name: 'bucket-store',
      target: 'global',
      resourceGroup: group.result.id!,
      resourcePlanId: COS_PLAN,
    });
    expect(instance.status).toBe(201);
    expect(instance.result.crn).toBe(`crn:v1:bluemix:public:cloud-object-storage:global:a/${child.a.id}:${instance.result.guid}::`);
    expect(instance.result.resource_group_id).toBe(group.result.id);
    (child as Record<string, unknown>).aGroup = group.result.id;
    (child as Record<string, unknown>).aInstance = instance.result.guid;
  });

  it('isolates the child accounts from each other', async () => {
    const { aGroup, aInstance, ann } = child as unknown as { aGroup: string; aInstance: string; ann: { id: string; apikey: string } };
    for (const apikey of [ann.apikey, child.b.apikey]) {
      const other = clientsFor(server.url, apikey);
      // Nothing of child A shows up ...
      expect((await other.groups.listResourceGroups({ accountId: child.a.id })).result.resources).toEqual([]);
      expect(await callStatus(other.groups.getResourceGroup({ id: aGroup }))).toBe(404);
      expect(await callStatus(other.instances.getResourceInstance({ id: aInstance }))).toBe(404);
      const instances = await other.instances.listResourceInstances({});
      expect(instances.result.resources!.map((i) => i.guid)).not.toContain(aInstance);
      // ... and nothing of it can be changed.
      expect(await callStatus(other.groups.updateResourceGroup({ id: aGroup, name: 'taken' }))).toBe(404);
      expect(await callStatus(other.groups.deleteResourceGroup({ id: aGroup }))).toBe(404);
      expect(await callStatus(other.instances.updateResourceInstance({ id: aInstance, name: 'taken' }))).toBe(404);
      expect(await callStatus(other.instances.deleteResourceInstance({ id: aInstance }))).toBe(404);
      expect(await callStatus(other.instances.lockResourceInstance({ id: aInstance }))).toBe(404);
    }
    // Ann (a plain user of child A) cannot reach child B's users, nor create anything in B.
    const annClients = clientsFor(server.url, ann.apikey);
    expect(await callStatus(annClients.users.listUsers({ accountId: child.b.id }))).toBeGreaterThanOrEqual(403);
    expect(await callStatus(annClients.users.inviteUsers({ accountId: child.b.id, users: [{ email: 'x@example.com' }] }))).toBe(403);
    // Child B's owner cannot see child A's users or remove them.
    const b = clientsFor(server.url, child.b.apikey);
    expect(await callStatus(b.users.getUserProfile({ accountId: child.a.id, iamId: ann.id }))).toBeGreaterThanOrEqual(403);
    expect(await callStatus(b.users.removeUser({ accountId: child.a.id, iamId: ann.id }))).toBeGreaterThanOrEqual(403);
    // Nor manage the enterprise.
    expect(await callStatus(b.enterprise.getEnterprise({ enterpriseId }))).toBe(404);
    expect(await callStatus(b.enterprise.createAccount({ parent: enterpriseCrn, name: 'Sneaky', ownerIamId: 'sneak@example.com' }))).toBe(403);
  });

  it('a policy on child A\'s resource group grants Ann its instance through /v2/authz, and through the APIs', async () => {
    const { aGroup, aInstance, ann } = child as unknown as { aGroup: string; aInstance: string; ann: { id: string; apikey: string } };
    const policies = policyClient(server.url, child.a.apikey);
    const created = await policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: ann.id }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Viewer' }],
      resources: [{ attributes: [{ name: 'accountId', value: child.a.id }, { name: 'resourceGroupId', value: aGroup }] }],
    });
    const revision = created.headers['portcullis-revision'];

    const bearer = { headers: {} as Record<string, string> };
    await authenticatorFor(server.url, child.a.apikey).authenticate(bearer);
    const decide = (serviceInstance: string) => decideAt(revision, serviceInstance);
    const decideAt = async (atRevision: string | string[] | undefined, serviceInstance: string) => {
      const response = await fetch(`${server.url}/v2/authz?min_revision=${atRevision}`, {
        method: 'POST',
        headers: { ...bearer.headers, 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            subject: { attributes: { id: ann.id } },
            action: 'resource-controller.instance.retrieve',
            // The request names the instance only: the decision point knows its resource group.
            resource: { attributes: { accountId: child.a.id, serviceName: 'cloud-object-storage', serviceInstance } },
          },
        ]),
      });
      const body = (await response.json()) as { responses: Array<{ authorizationDecision: { permitted: boolean } }> };
      return body.responses[0]!.authorizationDecision.permitted;
    };
    expect(await decide(aInstance)).toBe(true);

    const a = clientsFor(server.url, child.a.apikey);
    const defaultGroup = (await a.groups.listResourceGroups({ _default: true })).result.resources![0]!.id!;
    const elsewhere = await a.instances.createResourceInstance({
      name: 'outside',
      target: 'global',
      resourceGroup: defaultGroup,
      resourcePlanId: COS_PLAN,
    });
    expect(await decide(elsewhere.result.guid!)).toBe(false);

    // The same decision lets Ann read the instance through Resource Controller, but nothing outside the group.
    const annClients = clientsFor(server.url, ann.apikey);
    expect((await annClients.instances.getResourceInstance({ id: aInstance })).result.guid).toBe(aInstance);
    expect(await callStatus(annClients.instances.getResourceInstance({ id: elsewhere.result.guid! }))).toBe(404);
    expect(await callStatus(annClients.instances.deleteResourceInstance({ id: aInstance }))).toBe(403);

    // Deleting the instance (into a reclamation) is reflected in the next decision; restoring it brings the access back.
    const removed = await a.instances.deleteResourceInstance({ id: elsewhere.result.guid! });
    expect(removed.status).toBe(204);
    const gone = await a.instances.deleteResourceInstance({ id: aInstance });
    const goneRevision = gone.headers['portcullis-revision'];
    expect(await decideAt(goneRevision, aInstance)).toBe(false);
    const reclamation = (await a.instances.listReclamations({ resourceInstanceId: aInstance })).result.resources![0]!;
    const restored = await a.instances.runReclamationAction({ id: reclamation.id!, actionName: 'restore' });
    expect(await decideAt(restored.headers['portcullis-revision'], aInstance)).toBe(true);
  });

  it('moves, updates and deletes accounts and account groups', async () => {
    expect((await root.enterprise.updateAccount({ accountId: child.a.id, parent: enterpriseCrn })).status).toBe(202);
    expect((await root.enterprise.getAccount({ accountId: child.a.id })).result.parent).toBe(enterpriseCrn);
    const groups = await root.enterprise.listAccountGroups({ enterpriseId });
    expect(groups.result.resources).toHaveLength(2);
    const outer = groups.result.resources!.find((g) => g.name === 'Engineering')!;
    const inner = groups.result.resources!.find((g) => g.name === 'Platform')!;
    expect(await callStatus(root.enterprise.deleteAccountGroup({ accountGroupId: outer.id! }))).toBe(409);
    expect((await root.enterprise.updateAccountGroup({ accountGroupId: inner.id!, name: 'Platform Team' })).status).toBe(204);
    expect((await root.enterprise.deleteAccountGroup({ accountGroupId: inner.id! })).status).toBe(204);
    expect((await root.enterprise.deleteAccountGroup({ accountGroupId: outer.id! })).status).toBe(204);
    expect((await root.enterprise.listAccountGroups({ enterpriseId })).result.resources).toEqual([]);
    expect((await root.enterprise.listAccountGroups({ enterpriseId, includeDeleted: true })).result.resources).toHaveLength(2);

    expect((await root.enterprise.updateEnterprise({ enterpriseId, name: 'Example Corporation' })).status).toBe(204);
    expect((await root.enterprise.getEnterprise({ enterpriseId })).result.name).toBe('Example Corporation');
    const listed = await root.enterprise.listEnterprises({ accountId: child.b.id });
    expect(listed.result.resources!.map((e) => e.id)).toEqual([enterpriseId]);

    expect(await callStatus(root.enterprise.deleteAccount({ accountId: server.owner.accountId }))).toBe(409);
    expect((await root.enterprise.deleteAccount({ accountId: child.b.id })).status).toBe(204);
    const remaining = await root.enterprise.listAccounts({ enterpriseId });
    expect(remaining.result.resources!.map((r) => r.id)).not.toContain(child.b.id);
    const withDeleted = await root.enterprise.listAccounts({ enterpriseId, includeDeleted: true });
    expect(withDeleted.result.resources!.find((r) => r.id === child.b.id)?.state).toBe('DELETED');
  });

  it('answers bad input with 400, never 500', async () => {
    expect(await callStatus(root.enterprise.listAccounts({ limit: 1000 }))).toBe(400);
    expect(await callStatus(root.enterprise.createAccountGroup({ parent: 'not-a-crn', name: 'G', primaryContactIamId: server.owner.iamId }))).toBe(400);
    expect(
      await callStatus(root.enterprise.createAccountGroup({ parent: enterpriseCrn, name: 'G', primaryContactIamId: 'IBMid-STRANGER00' })),
    ).toBe(400);
    expect(await callStatus(root.enterprise.getAccount({ accountId: 'nope' }))).toBe(404);
  });
});
