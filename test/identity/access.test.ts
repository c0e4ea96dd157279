import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addMember, createOtherAccount, errorOf, ownerOf, statusOf, type Caller } from './helpers.js';

let server: TestServer;
let owner: Caller;
let other: Caller;
let member: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  other = await createOtherAccount(server);
  member = await addMember(server, owner.accountId);
});
afterAll(() => server?.close());

describe('account isolation', () => {
  it("another account's entities are not found; its account is forbidden; nothing changes", async () => {
    const key = (await owner.client.createApiKey({ name: 'mine', iamId: owner.iamId })).result;
    const sid = (await owner.client.createServiceId({ accountId: owner.accountId, name: 'mine' })).result;
    const group = (await owner.client.createServiceIdGroup({ accountId: owner.accountId, name: 'mine' })).result;
    const o = other.client;

    // By id: the other account's things do not exist for this caller (404, as for unknown ids).
    expect(await statusOf(o.getApiKey({ id: key.id }))).toBe(404);
    expect(await statusOf(o.updateApiKey({ id: key.id, ifMatch: '*', name: 'stolen' }))).toBe(404);
    expect(await statusOf(o.deleteApiKey({ id: key.id }))).toBe(404);
    expect(await statusOf(o.lockApiKey({ id: key.id }))).toBe(404);
    expect(await statusOf(o.disableApiKey({ id: key.id }))).toBe(404);
    expect(await statusOf(o.getApiKeysDetails({ iamApiKey: owner.apikey }))).toBe(404);
    expect(await statusOf(o.getServiceId({ id: sid.id }))).toBe(404);
    expect(await statusOf(o.updateServiceId({ id: sid.id, ifMatch: '*', name: 'stolen' }))).toBe(404);
    expect(await statusOf(o.deleteServiceId({ id: sid.id }))).toBe(404);
    expect(await statusOf(o.getServiceIdGroup({ id: group.id }))).toBe(404);
    expect(await statusOf(o.deleteServiceIdGroup({ id: group.id }))).toBe(404);

    // Naming the account explicitly: forbidden.
    expect(await statusOf(o.listServiceIds({ accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(o.listApiKeys({ accountId: owner.accountId, scope: 'account' }))).toBe(403);
    expect(await statusOf(o.listServiceIdGroup({ accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(o.createServiceId({ accountId: owner.accountId, name: 'intruder' }))).toBe(403);
    expect(await statusOf(o.createServiceIdGroup({ accountId: owner.accountId, name: 'intruder' }))).toBe(403);
    expect(await statusOf(o.createApiKey({ name: 'intruder', iamId: owner.iamId, accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(o.createApiKey({ name: 'intruder', iamId: sid.iam_id }))).toBe(400);
    expect(await statusOf(o.getAccountSettings({ accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(o.updateAccountSettings({ accountId: owner.accountId, ifMatch: '*', mfa: 'TOTP' }))).toBe(403);

    const after = (await owner.client.getApiKey({ id: key.id })).result;
    expect(after).toMatchObject({ name: 'mine', locked: false, disabled: false, entity_tag: key.entity_tag });
    expect((await owner.client.getServiceId({ id: sid.id })).result.entity_tag).toBe(sid.entity_tag);
    expect((await owner.client.getAccountSettings({ accountId: owner.accountId })).result.mfa).toBe('NONE');
    expect((await owner.client.listServiceIds({ accountId: owner.accountId })).result.serviceids.map((s) => s.name)).not.toContain('intruder');
    // The other account sees only its own keys.
    const theirs = (await o.listApiKeys({ scope: 'account' })).result.apikeys;
    expect(theirs.every((k) => k.account_id === other.accountId)).toBe(true);
  });

  it('refused mutations leave a failure audit event', async () => {
    const key = (await owner.client.createApiKey({ name: 'audited', iamId: owner.iamId })).result;
    await statusOf(member.client.deleteApiKey({ id: key.id }));
    const events = await server.server.registry.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_id', '=', key.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['iam-identity.apikey.create', 'success'],
      ['iam-identity.apikey.delete', 'failure'],
    ]);
    expect(events[1]!.initiator_iam_id).toBe(member.iamId);
    expect(JSON.stringify(events)).not.toContain(key.apikey);
  });
});

describe('a member who is not the owner', () => {
  it('manages their own keys only', async () => {
    const mine = (await member.client.createApiKey({ name: 'member key 2', iamId: member.iamId })).result;
    expect(mine.iam_id).toBe(member.iamId);
    const updated = await member.client.updateApiKey({ id: mine.id, ifMatch: mine.entity_tag!, description: 'ok' });
    expect(updated.result.description).toBe('ok');
    expect((await member.client.lockApiKey({ id: mine.id })).status).toBe(204);
    expect((await member.client.unlockApiKey({ id: mine.id })).status).toBe(204);
    const listed = (await member.client.listApiKeys({})).result.apikeys;
    expect(listed.every((k) => k.iam_id === member.iamId)).toBe(true);
    expect(listed.map((k) => k.id)).toContain(mine.id);
    // scope=account falls back to what they own.
    const accountWide = (await member.client.listApiKeys({ scope: 'account' })).result.apikeys;
    expect(accountWide.every((k) => k.iam_id === member.iamId)).toBe(true);
    expect((await member.client.deleteApiKey({ id: mine.id })).status).toBe(204);

    const ownersKey = (await owner.client.createApiKey({ name: 'owner only', iamId: owner.iamId })).result;
    const refused = await errorOf(member.client.getApiKey({ id: ownersKey.id }));
    expect(refused.status).toBe(403);
    expect(await statusOf(member.client.updateApiKey({ id: ownersKey.id, ifMatch: '*', name: 'x' }))).toBe(403);
    expect(await statusOf(member.client.deleteApiKey({ id: ownersKey.id }))).toBe(403);
    expect(await statusOf(member.client.createApiKey({ name: 'for owner', iamId: owner.iamId }))).toBe(403);
    expect(await statusOf(member.client.listApiKeys({ iamId: owner.iamId }))).toBe(403);
    expect((await owner.client.getApiKey({ id: ownersKey.id })).result.name).toBe('owner only');
  });

  it('may create service IDs and manage those, but not the owner’s', async () => {
    const created = (await member.client.createServiceId({ accountId: owner.accountId, name: 'members', apikey: { name: 'k' } })).result;
    expect((await member.client.getServiceId({ id: created.id })).result.name).toBe('members');
    const own = (await member.client.listServiceIds({ accountId: owner.accountId })).result.serviceids;
    expect(own.map((s) => s.id)).toEqual([created.id]);
    const ownersSid = (await owner.client.createServiceId({ accountId: owner.accountId, name: 'owners' })).result;
    expect(await statusOf(member.client.getServiceId({ id: ownersSid.id }))).toBe(403);
    expect(await statusOf(member.client.deleteServiceId({ id: ownersSid.id }))).toBe(403);
    expect((await member.client.deleteServiceId({ id: created.id })).status).toBe(204);
    // The owner sees everything.
    const all = (await owner.client.listServiceIds({ accountId: owner.accountId })).result.serviceids.map((s) => s.id);
    expect(all).toContain(ownersSid.id);
  });
});
