import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import UserManagementV1 from '@ibm-cloud/platform-services/user-management/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { invitationClient } from '../enterprise/clients.js';
import { type Identity, bearerOf, callStatus, newAccount, rawCall } from '../helpers/identities.js';
import { identityClient, usersClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { apikeyForm, postToken } from '../token/fixtures.js';
import { messagesTo, outboxMessages, secretFor, secretsIn } from './outbox.js';


/** Every API key of `iamId` in the account of `caller`'s key (as the caller sees them). */
async function keysOf(client: IamIdentityV1, iamId: string) {
  return (await client.listApiKeys({ iamId })).result.apikeys ?? [];
}

describe('invitations: cross-account takeover', () => {
  let server: TestServer;
  let attacker: Identity;
  let victim: Identity;

  beforeAll(async () => {
    server = await startTestServer();
    attacker = server.owner;
    victim = await newAccount(server, 'victim@example.com');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('inviting the owner of another account hands the inviter nothing that acts as them', async () => {
    const invited = await usersClient(server.url, attacker.apikey).inviteUsers({
      accountId: attacker.accountId,
      users: [{ email: 'victim@example.com', account_role: 'Member' }],
    });
    expect(invited.status).toBe(202);
    // The response is InvitedUserList and nothing more: no secret of any kind.
    expect(invited.result).toEqual({ resources: [{ email: 'victim@example.com', id: victim.iamId, state: 'PENDING' }] });

    // The victim is told by e-mail, and that message holds no secret either: they already exist.
    const [message, ...more] = messagesTo(server.database.dataDir, 'victim@example.com');
    expect(more).toEqual([]);
    expect(secretsIn(message!.text)).toEqual([]);
    expect(message!.text).toContain('signed in as');

    // Whatever the attacker presents as an invitation secret, accept refuses it and issues nothing.
    for (const forged of ['invite-forged', `invite-${'A'.repeat(43)}`]) {
      expect(await callStatus(invitationClient(server.url, forged).accept({ accountId: attacker.accountId }))).toBe(401);
    }
    // The attacker's own token accepts nothing for the victim (the attacker is an active member already).
    expect((await usersClient(server.url, attacker.apikey).accept({ accountId: attacker.accountId })).status).toBe(204);
    expect((await usersClient(server.url, attacker.apikey).getUserProfile({ accountId: attacker.accountId, iamId: victim.iamId })).result.state).toBe(
      'PENDING',
    );

    // As Administrator of account 1, the attacker cannot create an API key for the victim there either.
    const refused = await rawCall(
      server.url,
      await bearerOf(server.url, attacker.apikey),
      'POST',
      '/v1/apikeys',
      JSON.stringify({ name: 'takeover', iam_id: victim.iamId }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ errors: [{ code: 'insufficent_permissions' }] });
    expect(await keysOf(identityClient(server.url, attacker.apikey), victim.iamId)).toEqual([]);

    // The victim's own key from account 2 yields no token in account 1 (IBM's token error shape).
    const crossed = await postToken(server.url, apikeyForm(victim.apikey, { account: attacker.accountId }));
    expect(crossed.status).toBe(400);
    expect(crossed.body).toMatchObject({ errorCode: 'BXNIM0141E' });
    expect(crossed.body).not.toHaveProperty('access_token');
  });

  it('the invitee accepts while signed in as themselves, receives no credential, and makes their own key', async () => {
    const accepted = await usersClient(server.url, victim.apikey).accept({ accountId: attacker.accountId });
    expect(accepted.status).toBe(202);
    expect(accepted.result || {}).toEqual({});
    expect((await usersClient(server.url, attacker.apikey).getUserProfile({ accountId: attacker.accountId, iamId: victim.iamId })).result.state).toBe(
      'ACTIVE',
    );
    // Accepted twice: nothing to do.
    expect((await usersClient(server.url, victim.apikey).accept({ accountId: attacker.accountId })).status).toBe(204);

    // Still, their account-2 key works only in account 2 ...
    expect((await postToken(server.url, apikeyForm(victim.apikey, { account: attacker.accountId }))).status).toBe(400);
    // ... and the owner of account 1 still cannot make one for them ...
    const admin = identityClient(server.url, attacker.apikey);
    expect(await callStatus(admin.createApiKey({ name: 'for you', iamId: victim.iamId }))).toBe(403);
    // ... but the victim, signed in as themselves, creates their own key in account 1, which works there only.
    const mine = await identityClient(server.url, victim.apikey).createApiKey({ name: 'mine', iamId: victim.iamId, accountId: attacker.accountId });
    expect(mine.status).toBe(201);
    expect(mine.result).toMatchObject({ iam_id: victim.iamId, account_id: attacker.accountId });
    const token = await postToken(server.url, apikeyForm(mine.result.apikey));
    expect(token.status).toBe(200);
    expect((await postToken(server.url, apikeyForm(mine.result.apikey, { account: victim.accountId }))).status).toBe(400);
    expect((await keysOf(admin, victim.iamId)).map((k) => k.name)).toEqual(['mine']);
  });

  it('a secret mailed to a new invitee stops working once that identity exists', async () => {
    const owner1 = usersClient(server.url, attacker.apikey);
    const owner2 = usersClient(server.url, victim.apikey);
    const first = await owner1.inviteUsers({ accountId: attacker.accountId, users: [{ email: 'newcomer@example.com' }] });
    const second = await owner2.inviteUsers({ accountId: victim.accountId, users: [{ email: 'newcomer@example.com' }] });
    const newcomer = first.result.resources![0]!.id!;
    expect(second.result.resources![0]!.id).toBe(newcomer);
    const [secret1, secret2] = messagesTo(server.database.dataDir, 'newcomer@example.com').flatMap((m) => secretsIn(m.text));
    expect(secret1).toBeDefined();
    expect(secret2).toBeDefined();

    const accepted = await invitationClient(server.url, secret1!).accept({ accountId: attacker.accountId });
    expect(accepted.status).toBe(202);
    expect(accepted.result).toMatchObject({ iam_id: newcomer, iam_apikey: expect.any(String) });

    // The second secret was mailed to the same person, but the identity now exists: 403, no key.
    const refused = await callStatus(invitationClient(server.url, secret2!).accept({ accountId: victim.accountId }));
    expect(refused).toBe(403);
    expect(await keysOf(identityClient(server.url, victim.apikey), newcomer)).toEqual([]);
    expect((await owner2.getUserProfile({ accountId: victim.accountId, iamId: newcomer })).result.state).toBe('PENDING');
    // They accept it as themselves instead.
    const key = (accepted.result as { iam_apikey: string }).iam_apikey;
    expect((await usersClient(server.url, key).accept({ accountId: victim.accountId })).status).toBe(202);
  });
});

describe('invitation secrets', () => {
  let server: TestServer;
  const clock = manualClock(new Date());
  let owner: UserManagementV1;
  let accountId: string;
  const secret = (email: string) => secretFor(server.database.dataDir, email);
  const invite = async (...emails: string[]) =>
    (await owner.inviteUsers({ accountId, users: emails.map((email) => ({ email, account_role: 'Member' })) })).result.resources!;

  beforeAll(async () => {
    server = await startTestServer({ clock });
    accountId = server.owner.accountId;
    owner = usersClient(server.url, server.owner.apikey);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('are mailed to a private outbox only: never in the response', async () => {
    const before = outboxMessages(server.database.dataDir).length;
    const response = await rawCall(
      server.url,
      await bearerOf(server.url, server.owner.apikey),
      'POST',
      `/v2/accounts/${accountId}/users`,
      JSON.stringify({ users: [{ email: 'mailed@example.com', account_role: 'Member' }] }),
    );
    expect(response.status).toBe(202);
    const messages = outboxMessages(server.database.dataDir);
    expect(messages).toHaveLength(before + 1);
    const mail = messages.at(-1)!;
    expect(mail.text).toMatch(/^To: mailed@example\.com$/m);
    const [value] = secretsIn(mail.text);
    expect(value).toMatch(/^invite-/);
    expect(JSON.stringify(response.body)).not.toContain(value!);
    expect(JSON.stringify(response.body)).not.toContain('invitation_token');
    expect(statSync(dirname(mail.file)).mode & 0o777).toBe(0o700);
    expect(statSync(mail.file).mode & 0o777).toBe(0o600);
  });

  it('are good once: of parallel accepts exactly one succeeds', async () => {
    await invite('once@example.com');
    const value = secret('once@example.com');
    const statuses = await Promise.all([0, 1, 2].map(() => callStatus(invitationClient(server.url, value).accept({ accountId }))));
    expect(statuses.sort()).toEqual([202, 401, 401]);
    expect(await callStatus(invitationClient(server.url, value).accept({ accountId }))).toBe(401);
    const [profile] = (await owner.listUsers({ accountId, search: 'email:once@example.com' })).result.resources!;
    expect(profile!.state).toBe('ACTIVE');
    const keys = await identityClient(server.url, server.owner.apikey).listApiKeys({ iamId: profile!.iam_id });
    expect(keys.result.apikeys).toHaveLength(1);
  });

  it('are bound to their account: another account is 404 and does not spend the secret', async () => {
    const other = await newAccount(server);
    await invite('bound@example.com');
    const value = secret('bound@example.com');
    expect(await callStatus(invitationClient(server.url, value).accept({ accountId: other.accountId }))).toBe(404);
    expect((await usersClient(server.url, other.apikey).listUsers({ accountId: other.accountId })).result.total_results).toBe(1);
    expect((await invitationClient(server.url, value).accept({ accountId })).status).toBe(202);
  });

  it('acceptances are audited, refused ones too, and the secret is in no event', async () => {
    const db = server.server.registry.database.db;
    const events = (where: { target: string; account: string }) =>
      db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'user-management.user.accept')
        .where('target_id', '=', where.target)
        .where('account_id', '=', where.account)
        .orderBy('id')
        .execute();
    await invite('audited@example.com');
    const value = secret('audited@example.com');
    const other = await newAccount(server);
    expect(await callStatus(invitationClient(server.url, value).accept({ accountId: other.accountId }))).toBe(404);
    expect((await invitationClient(server.url, value).accept({ accountId })).status).toBe(202);
    const [profile] = (await owner.listUsers({ accountId, search: 'email:audited@example.com' })).result.resources!;
    const invitee = profile!.iam_id!;
    expect((await events({ target: invitee, account: other.accountId })).map((e) => [e.outcome, e.initiator_iam_id])).toEqual([['failure', invitee]]);
    expect((await events({ target: invitee, account: accountId })).map((e) => [e.outcome, e.initiator_iam_id])).toEqual([['success', invitee]]);
    // A spent secret names no one: its refusal is audited without a target or initiator.
    const before = (await events({ target: '', account: accountId })).length;
    expect(await callStatus(invitationClient(server.url, value).accept({ accountId }))).toBe(401);
    const after = await events({ target: '', account: accountId });
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.outcome).toBe('failure');
    expect(after.at(-1)!.detail).toContain('invalid_token');
    expect(JSON.stringify(await db.selectFrom('audit_events').selectAll().execute())).not.toContain(value);
  });

  it('when the message cannot be written, the invitation is withdrawn and nobody stays PENDING', async () => {
    const dir = join(server.database.dataDir, 'outbox');
    renameSync(dir, `${dir}.aside`);
    writeFileSync(dir, 'not a folder');
    try {
      expect(await callStatus(owner.inviteUsers({ accountId, users: [{ email: 'unmailed@example.com' }] }))).toBe(500);
    } finally {
      rmSync(dir);
      renameSync(`${dir}.aside`, dir);
    }
    expect((await owner.listUsers({ accountId, search: 'email:unmailed@example.com' })).result.resources).toEqual([]);
    // Invited again once mail works, the address gets its invitation.
    await invite('unmailed@example.com');
    expect(secret('unmailed@example.com')).toMatch(/^invite-/);
  });

  it('expire after 7 days, both the secret and an existing identity’s acceptance', async () => {
    const other = await newAccount(server, 'elsewhere@example.com');
    await invite('early@example.com', 'late@example.com', 'elsewhere@example.com');
    clock.advance(7 * 24 * 3600 * 1000 - 60_000);
    expect((await invitationClient(server.url, secret('early@example.com')).accept({ accountId })).status).toBe(202);
    clock.advance(2 * 60_000);
    expect(await callStatus(invitationClient(server.url, secret('late@example.com')).accept({ accountId }))).toBe(401);
    // A fresh client: tokens issued before the clock moved have expired by its time.
    expect(await callStatus(usersClient(server.url, other.apikey).accept({ accountId }))).toBe(404);
    const states = (await usersClient(server.url, server.owner.apikey).listUsers({ accountId, search: 'state:PENDING' })).result.resources!;
    expect(states.map((u) => u.email).sort()).toEqual(['elsewhere@example.com', 'late@example.com', 'mailed@example.com', 'unmailed@example.com']);
  });
});
