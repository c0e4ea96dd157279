import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { errorOf, statusOf } from '../helpers/identities.js';

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
    const key = (await owner.identity.createApiKey({ name: 'mine', iamId: owner.iamId })).result;
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'mine' })).result;
    const group = (await owner.identity.createServiceIdGroup({ accountId: owner.accountId, name: 'mine' })).result;
    const o = other.identity;

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

    const after = (await owner.identity.getApiKey({ id: key.id })).result;
    expect(after).toMatchObject({ name: 'mine', locked: false, disabled: false, entity_tag: key.entity_tag });
    expect((await owner.identity.getServiceId({ id: sid.id })).result.entity_tag).toBe(sid.entity_tag);
    expect((await owner.identity.getAccountSettings({ accountId: owner.accountId })).result.mfa).toBe('NONE');
    expect((await owner.identity.listServiceIds({ accountId: owner.accountId })).result.serviceids.map((s) => s.name)).not.toContain('intruder');
    // The other account sees only its own keys.
    const theirs = (await o.listApiKeys({ scope: 'account' })).result.apikeys;
    expect(theirs.map((k) => k.iam_id)).toContain(other.iamId);
    expect(theirs.every((k) => k.account_id === other.accountId)).toBe(true);
  });

  it('refused mutations leave a failure audit event', async () => {
    const key = (await owner.identity.createApiKey({ name: 'audited', iamId: owner.iamId })).result;
    await statusOf(member.identity.deleteApiKey({ id: key.id }));
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
    const mine = (await member.identity.createApiKey({ name: 'member key 2', iamId: member.iamId })).result;
    expect(mine.iam_id).toBe(member.iamId);
    const updated = await member.identity.updateApiKey({ id: mine.id, ifMatch: mine.entity_tag!, description: 'ok' });
    expect(updated.result.description).toBe('ok');
    expect((await member.identity.lockApiKey({ id: mine.id })).status).toBe(204);
    expect((await member.identity.unlockApiKey({ id: mine.id })).status).toBe(204);
    const listed = (await member.identity.listApiKeys({})).result.apikeys;
    expect(listed.every((k) => k.iam_id === member.iamId)).toBe(true);
    expect(listed.map((k) => k.id)).toContain(mine.id);
    // scope=account falls back to what they own.
    const accountWide = (await member.identity.listApiKeys({ scope: 'account' })).result.apikeys;
    expect(accountWide.map((k) => k.id)).toContain(mine.id);
    expect(accountWide.every((k) => k.iam_id === member.iamId)).toBe(true);
    expect((await member.identity.deleteApiKey({ id: mine.id })).status).toBe(204);

    const ownersKey = (await owner.identity.createApiKey({ name: 'owner only', iamId: owner.iamId })).result;
    const refused = await errorOf(member.identity.getApiKey({ id: ownersKey.id }));
    expect(refused.status).toBe(403);
    expect(await statusOf(member.identity.updateApiKey({ id: ownersKey.id, ifMatch: '*', name: 'x' }))).toBe(403);
    expect(await statusOf(member.identity.deleteApiKey({ id: ownersKey.id }))).toBe(403);
    expect(await statusOf(member.identity.createApiKey({ name: 'for owner', iamId: owner.iamId }))).toBe(403);
    expect(await statusOf(member.identity.listApiKeys({ iamId: owner.iamId }))).toBe(403);
    expect((await owner.identity.getApiKey({ id: ownersKey.id })).result.name).toBe('owner only');
  });

  it('may create service IDs and manage those, but not the owner’s', async () => {
    const created = (await member.identity.createServiceId({ accountId: owner.accountId, name: 'members', apikey: { name: 'k' } })).result;
    expect((await member.identity.getServiceId({ id: created.id })).result.name).toBe('members');
    const own = (await member.identity.listServiceIds({ accountId: owner.accountId })).result.serviceids;
    expect(own.map((s) => s.id)).toEqual([created.id]);
    const ownersSid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'owners' })).result;
    expect(await statusOf(member.identity.getServiceId({ id: ownersSid.id }))).toBe(403);
    expect(await statusOf(member.identity.deleteServiceId({ id: ownersSid.id }))).toBe(403);
    expect((await member.identity.deleteServiceId({ id: created.id })).status).toBe(204);
    // The owner sees everything.
    const all = (await owner.identity.listServiceIds({ accountId: owner.accountId })).result.serviceids.map((s) => s.id);
    expect(all).toContain(ownersSid.id);
  });
});
