import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { authenticatorFor, identityClient, policyClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { messagesTo, outboxMessages, secretFor, secretsIn } from '../users/outbox.js';
import { COS_PLAN, clientsFor, invitationClient } from './clients.js';
import { callStatus } from '../helpers/identities.js';

/** The headers of a request made with `apikey`'s access token, and the identity the token is for. */
async function bearerOf(url: string, apikey: string): Promise<{ headers: Record<string, string>; iamId: string }> {
  const request = { headers: {} as Record<string, string> };
  await authenticatorFor(url, apikey).authenticate(request);
  const token = request.headers.Authorization!.replace(/^Bearer /, '');
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { iam_id: string };
  return { headers: request.headers, iamId: claims.iam_id };
}

/**
 * Who holds which credential when Enterprise Management creates a child account: the caller never
 * receives a credential of the owner; a new person named as owner is invited by e-mail and sets
 * their own first credential; the only key in a response is that of the owner-access service ID
 * the caller asked for, which works in the new account and nowhere else.
 */
describe('child account owners and the credentials createAccount hands out', () => {
  let server: TestServer;
  let root: ReturnType<typeof clientsFor>;
  let enterpriseCrn: string;
  /** A second child account, to check that access stays inside the account it was given for. */
  let sibling: string;

  const accountsInEnterprise = async () => (await root.enterprise.listAccounts({ includeDeleted: true })).result.resources!.length;

  beforeAll(async () => {
    server = await startTestServer();
    root = clientsFor(server.url, server.owner.apikey);
    const created = await root.enterprise.createEnterprise({
      sourceAccountId: server.owner.accountId,
      name: 'Owners Inc',
      primaryContactIamId: server.owner.iamId,
    });
    enterpriseCrn = (await root.enterprise.getEnterprise({ enterpriseId: created.result.enterprise_id! })).result.crn!;
    sibling = (await root.enterprise.createAccount({ parent: enterpriseCrn, name: 'Sibling', ownerIamId: server.owner.iamId })).result.account_id!;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('invites a new person named as owner by e-mail; the response carries no credential of theirs', async () => {
    const response = await fetch(`${server.url}/v1/accounts`, {
      method: 'POST',
      headers: { ...(await bearerOf(server.url, server.owner.apikey)).headers, 'content-type': 'application/json' },
      body: JSON.stringify({ parent: enterpriseCrn, name: 'Nora’s', owner_iam_id: 'nora@example.com' }),
    });
    expect(response.status).toBe(202);
    const text = await response.text();
    const body = JSON.parse(text) as { account_id: string };
    expect(Object.keys(body)).toEqual(['account_id']);
    const accountId = body.account_id;

    // The invitation went to Nora alone, and its secret is nowhere in the response.
    const [message, ...more] = messagesTo(server.database.dataDir, 'nora@example.com');
    expect(more).toEqual([]);
    expect(message!.text).toContain(accountId);
    expect(message!.text).toContain('as its owner');
    const secret = secretFor(server.database.dataDir, 'nora@example.com');
    expect(text).not.toContain(secret);

    const account = await root.enterprise.getAccount({ accountId });
    expect(account.result).toMatchObject({ owner_email: 'nora@example.com', state: 'ACTIVE' });
    const noraIamId = account.result.owner_iam_id!;

    // The secret is bound to the new account: it accepts nothing elsewhere and stays good for its own.
    expect(await callStatus(invitationClient(server.url, secret).accept({ accountId: sibling }))).toBeGreaterThanOrEqual(400);
    const accepted = await invitationClient(server.url, secret).accept({ accountId });
    expect(accepted.status).toBe(202);
    expect(accepted.result).toMatchObject({ iam_id: noraIamId });
    const noraKey = (accepted.result as { iam_apikey: string }).iam_apikey;
    // Single use.
    expect(await callStatus(invitationClient(server.url, secret).accept({ accountId }))).toBe(401);

    // Nora acts as the owner of her account with her own key ...
    const nora = clientsFor(server.url, noraKey);
    expect((await bearerOf(server.url, noraKey)).iamId).toBe(noraIamId);
    const users = await nora.users.listUsers({ accountId });
    expect(users.result.resources!.map((u) => [u.user_id, u.state])).toEqual([['nora@example.com', 'ACTIVE']]);
    expect((await nora.users.inviteUsers({ accountId, users: [{ email: 'nora.team@example.com' }] })).status).toBe(202);
    expect((await nora.groups.createResourceGroup({ name: 'nora-apps' })).status).toBe(201);
    // ... and nothing outside it.
    expect(await callStatus(nora.users.listUsers({ accountId: server.owner.accountId }))).toBeGreaterThanOrEqual(403);
    expect(await callStatus(nora.users.listUsers({ accountId: sibling }))).toBeGreaterThanOrEqual(403);
  });

  it('gives an existing user named as owner the ownership only: no credential, no message', async () => {
    // Olga exists already: a user of the enterprise account with a key of her own.
    await root.users.inviteUsers({ accountId: server.owner.accountId, users: [{ email: 'olga@example.com' }] });
    const olgaAccepted = await invitationClient(server.url, secretFor(server.database.dataDir, 'olga@example.com')).accept({
      accountId: server.owner.accountId,
    });
    const olga = olgaAccepted.result as { iam_id: string; iam_apikey: string };
    const mailed = outboxMessages(server.database.dataDir).length;

    for (const ownerIamId of [olga.iam_id, 'olga@example.com']) {
      const created = await root.enterprise.createAccount({ parent: enterpriseCrn, name: `Olga’s via ${ownerIamId}`, ownerIamId });
      expect(Object.keys(created.result)).toEqual(['account_id']);
      const accountId = created.result.account_id!;
      expect((await root.enterprise.getAccount({ accountId })).result.owner_iam_id).toBe(olga.iam_id);
      // She reaches it with her own identity: a key she creates there herself.
      const key = await identityClient(server.url, olga.iam_apikey).createApiKey({ name: 'olga-here', iamId: olga.iam_id, accountId });
      const inAccount = clientsFor(server.url, key.result.apikey!);
      expect((await inAccount.groups.createResourceGroup({ name: 'olga-apps' })).status).toBe(201);
    }
    expect(outboxMessages(server.database.dataDir).length).toBe(mailed);
  });

  it('creates the owner-access service ID on request: its key works as the owner in the new account and nowhere else', async () => {
    const created = await root.enterprise.createAccount({
      parent: enterpriseCrn,
      name: 'Automated',
      ownerIamId: 'pia@example.com',
      options: { create_iam_service_id_with_apikey_and_owner_policies: true },
    });
    expect(created.status).toBe(202);
    const { account_id: accountId, iam_service_id: serviceIdId, iam_apikey_id: apiKeyId, iam_apikey: apikey } = created.result;
    expect(serviceIdId).toMatch(/^ServiceId-/);
    expect(apiKeyId).toMatch(/^ApiKey-/);
    // The key is the service ID's, not the owner's (who is invited as usual).
    const { iamId } = await bearerOf(server.url, apikey!);
    expect(iamId).toBe(`iam-${serviceIdId}`);
    expect(iamId).not.toBe((await root.enterprise.getAccount({ accountId: accountId! })).result.owner_iam_id);
    expect(messagesTo(server.database.dataDir, 'pia@example.com')).toHaveLength(1);

    const robot = clientsFor(server.url, apikey!);
    const identity = identityClient(server.url, apikey!);
    const policies = policyClient(server.url, apikey!);
    // Owner-level access in the new account: account management (users, resource groups, IAM) ...
    expect((await robot.users.inviteUsers({ accountId: accountId!, users: [{ email: 'pia.team@example.com' }] })).status).toBe(202);
    const group = await robot.groups.createResourceGroup({ name: 'robot-apps' });
    expect(group.status).toBe(201);
    const another = await identity.createServiceId({ accountId: accountId!, name: 'deployer' });
    expect(another.status).toBe(201);
    const granted = await policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: another.result.iam_id! }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Administrator' }],
      resources: [{ attributes: [{ name: 'accountId', value: accountId! }, { name: 'serviceType', value: 'platform_service' }] }],
    });
    expect(granted.status).toBe(201);
    expect((await identity.getAccountSettings({ accountId: accountId! })).status).toBe(200);
    // ... and every IAM-enabled service.
    const instance = await robot.instances.createResourceInstance({
      name: 'robot-bucket',
      target: 'global',
      resourceGroup: group.result.id!,
      resourcePlanId: COS_PLAN,
    });
    expect(instance.status).toBe(201);

    // Nothing in the enterprise account or a sibling account.
    for (const other of [server.owner.accountId, sibling]) {
      expect(await callStatus(robot.users.listUsers({ accountId: other }))).toBeGreaterThanOrEqual(403);
      expect(await callStatus(robot.users.inviteUsers({ accountId: other, users: [{ email: 'x@example.com' }] }))).toBeGreaterThanOrEqual(403);
      expect(await callStatus(identity.listServiceIds({ accountId: other }))).toBeGreaterThanOrEqual(403);
      expect(await callStatus(identity.getAccountSettings({ accountId: other }))).toBeGreaterThanOrEqual(403);
      // Policies of another account: refused, or none shown.
      const listed = await policies.listPolicies({ accountId: other }).catch((error: { status: number }) => error.status);
      if (typeof listed === 'number') expect(listed).toBeGreaterThanOrEqual(403);
      else expect(listed.result.policies).toEqual([]);
      expect((await robot.groups.listResourceGroups({ accountId: other })).result.resources).toEqual([]);
    }
    expect(await callStatus(robot.enterprise.createAccount({ parent: enterpriseCrn, name: 'More', ownerIamId: 'q@example.com' }))).toBe(403);
  });

  it('stores the traits, shows them with the account and applies the MFA level', async () => {
    const withTraits = await root.enterprise.createAccount({
      parent: enterpriseCrn,
      name: 'Strict',
      ownerIamId: server.owner.iamId,
      traits: { mfa: 'TOTP4ALL', enterprise_iam_managed: true },
      options: { create_iam_service_id_with_apikey_and_owner_policies: true },
    });
    const accountId = withTraits.result.account_id!;
    const got = (await root.enterprise.getAccount({ accountId })).result as { traits?: unknown };
    expect(got.traits).toEqual({ mfa: 'TOTP4ALL', enterprise_iam_managed: true });
    const listed = (await root.enterprise.listAccounts({})).result.resources!.find((a) => a.id === accountId) as { traits?: unknown };
    expect(listed.traits).toEqual({ mfa: 'TOTP4ALL', enterprise_iam_managed: true });
    const settings = await identityClient(server.url, withTraits.result.iam_apikey!).getAccountSettings({ accountId });
    expect(settings.result.mfa).toBe('TOTP4ALL');

    // Without traits: IBM's defaults. An empty mfa opts out and leaves the server's default level.
    const plain = await root.enterprise.createAccount({ parent: enterpriseCrn, name: 'Plain', ownerIamId: server.owner.iamId });
    expect(((await root.enterprise.getAccount({ accountId: plain.result.account_id! })).result as { traits?: unknown }).traits).toEqual({
      mfa: 'NONE_NO_ROPC',
      enterprise_iam_managed: false,
    });
    const optedOut = await root.enterprise.createAccount({
      parent: enterpriseCrn,
      name: 'Opted out',
      ownerIamId: server.owner.iamId,
      traits: { mfa: '' },
      options: { create_iam_service_id_with_apikey_and_owner_policies: true },
    });
    const optedOutId = optedOut.result.account_id!;
    expect(((await root.enterprise.getAccount({ accountId: optedOutId })).result as { traits?: unknown }).traits).toEqual({
      mfa: '',
      enterprise_iam_managed: false,
    });
    expect((await identityClient(server.url, optedOut.result.iam_apikey!).getAccountSettings({ accountId: optedOutId })).result.mfa).toBe('NONE');

    // The enterprise account was not created with traits: it shows none.
    expect(((await root.enterprise.getAccount({ accountId: server.owner.accountId })).result as { traits?: unknown }).traits).toBeUndefined();
  });

  it('refuses bad traits and options with 400 in the enterprise error shape, writing nothing', async () => {
    const { headers } = await bearerOf(server.url, server.owner.apikey);
    const accounts = await accountsInEnterprise();
    const mailed = outboxMessages(server.database.dataDir).length;
    const bad = [
      { traits: { mfa: 'SMS' } },
      { traits: { mfa: 'totp' } },
      { traits: { mfa: 'x'.repeat(10_000) } },
      { traits: { mfa: 7 } },
      { traits: { enterprise_iam_managed: 'yes' } },
      { traits: { colour: 'red' } },
      { traits: 'TOTP' },
      { options: { create_iam_service_id_with_apikey_and_owner_policies: 'please' } },
      { options: { something_else: true } },
    ];
    for (const extra of bad) {
      const response = await fetch(`${server.url}/v1/accounts`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ parent: enterpriseCrn, name: 'Refused', owner_iam_id: 'refused@example.com', ...extra }),
      });
      expect(response.status, JSON.stringify(extra)).toBe(400);
      const body = (await response.json()) as { trace: string; status_code: number; errors: Array<{ code: string; message: string }> };
      expect(body).toMatchObject({ status_code: 400, trace: expect.any(String) });
      expect(body.errors[0]!.message).toEqual(expect.any(String));
    }
    expect(await accountsInEnterprise()).toBe(accounts);
    expect(outboxMessages(server.database.dataDir).length).toBe(mailed);
    expect(messagesTo(server.database.dataDir, 'refused@example.com')).toEqual([]);
    // Nor did any of them leave a user behind: named as owner now, the address is still a new person's.
    await root.enterprise.createAccount({ parent: enterpriseCrn, name: 'Accepted', ownerIamId: 'refused@example.com' });
    expect(secretsIn(messagesTo(server.database.dataDir, 'refused@example.com')[0]!.text)).toHaveLength(1);
  });

  it('creates no account when the new owner’s invitation cannot be sent', async () => {
    const accounts = await accountsInEnterprise();
    const dir = join(server.database.dataDir, 'outbox');
    renameSync(dir, `${dir}.aside`);
    writeFileSync(dir, 'not a folder');
    try {
      expect(await callStatus(root.enterprise.createAccount({ parent: enterpriseCrn, name: 'Untold', ownerIamId: 'untold@example.com' }))).toBe(500);
    } finally {
      rmSync(dir);
      renameSync(`${dir}.aside`, dir);
    }
    expect(await accountsInEnterprise()).toBe(accounts);
    // The address is still a new person's: named again once mail works, they are invited.
    await root.enterprise.createAccount({ parent: enterpriseCrn, name: 'Told', ownerIamId: 'untold@example.com' });
    expect(secretFor(server.database.dataDir, 'untold@example.com')).toMatch(/^invite-/);
  });
});

describe('the invitation of a new account owner', () => {
  const clock = manualClock(new Date());
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('expires like every invitation, after 7 days', async () => {
    const root = clientsFor(server.url, server.owner.apikey);
    const created = await root.enterprise.createEnterprise({ sourceAccountId: server.owner.accountId, name: 'Slow Corp', primaryContactIamId: server.owner.iamId });
    const crn = (await root.enterprise.getEnterprise({ enterpriseId: created.result.enterprise_id! })).result.crn!;
    const early = (await root.enterprise.createAccount({ parent: crn, name: 'Early', ownerIamId: 'early@example.com' })).result.account_id!;
    const late = (await root.enterprise.createAccount({ parent: crn, name: 'Late', ownerIamId: 'late@example.com' })).result.account_id!;
    clock.advance(7 * 24 * 3600 * 1000 - 60_000);
    expect((await invitationClient(server.url, secretFor(server.database.dataDir, 'early@example.com')).accept({ accountId: early })).status).toBe(202);
    clock.advance(2 * 60_000);
    expect(await callStatus(invitationClient(server.url, secretFor(server.database.dataDir, 'late@example.com')).accept({ accountId: late }))).toBe(401);
  });
});
