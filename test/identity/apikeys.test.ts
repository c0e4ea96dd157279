import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { identityClient, policyClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { role, v1Access } from '../policies/helpers.js';
import { identityTime, pagetokenOf } from './helpers.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { bearerOf, errorOf, rawCall, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
});
afterAll(() => server?.close());

describe('API keys', () => {
  it('creates a key whose value is shown once and never again', async () => {
    const created = await owner.identity.createApiKey({ name: 'ci', iamId: owner.iamId, description: 'for CI' });
    expect(created.status).toBe(201);
    const key = created.result;
    expect(key.id).toMatch(/^ApiKey-[0-9a-f-]{36}$/);
    expect(key.apikey.length).toBeGreaterThanOrEqual(32);
    expect(key.iam_id).toBe(owner.iamId);
    expect(key.account_id).toBe(owner.accountId);
    expect(key.crn).toBe(`crn:v1:bluemix:public:iam-identity::a/${owner.accountId}::apikey:${key.id}`);
    expect(key.entity_tag).toMatch(/^1-[0-9a-f]{32}$/);
    expect(created.headers.etag).toBe(key.entity_tag);
    expect(key.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\+0000$/);
    expect(key.locked).toBe(false);
    expect(key.disabled).toBe(false);

    const read = await owner.identity.getApiKey({ id: key.id });
    expect(read.result.apikey).toBe('');
    expect(read.result.name).toBe('ci');
    expect(read.result.description).toBe('for CI');
    expect(read.headers.etag).toBe(key.entity_tag);

    const byValue = await owner.identity.getApiKeysDetails({ iamApiKey: key.apikey });
    expect(byValue.result.id).toBe(key.id);
    expect(byValue.result.apikey).toBe('');

    // The new key works: it obtains a token and calls the API.
    const self = identityClient(server.url, key.apikey);
    expect((await self.getApiKeysDetails({ iamApiKey: key.apikey })).result.id).toBe(key.id);
  });

  it('accepts a given value of at least 32 characters, once; a taken value is refused exactly like a weak one', async () => {
    const value = `given-${'x'.repeat(40)}`;
    const key = (await owner.identity.createApiKey({ name: 'given', iamId: owner.iamId, apikey: value })).result;
    expect(key.apikey).toBe(value);
    const weak = await errorOf(owner.identity.createApiKey({ name: 'short', iamId: owner.iamId, apikey: 'x'.repeat(31) }));
    const taken = await errorOf(owner.identity.createApiKey({ name: 'again', iamId: owner.iamId, apikey: value }));
    // Taken in another account: the same answer, which says nothing about that account's keys.
    const other = await createOtherAccount(server);
    const takenElsewhere = await errorOf(other.identity.createApiKey({ name: 'probe', iamId: other.iamId, apikey: value }));
    // Everything but the per-request ids (trace, transaction id) is identical.
    const answer = (e: { body: { errors: unknown; status_code: unknown } }) => ({ errors: e.body.errors, status_code: e.body.status_code });
    const weakBody = answer(weak);
    for (const refused of [taken, takenElsewhere]) {
      expect(refused.status).toBe(400);
      expect(refused.message).toBe(weak.message);
      expect(answer(refused)).toEqual(weakBody);
    }
    expect(weak.status).toBe(400);
    expect(weakBody).toMatchObject({ errors: [{ code: 'invalid_request' }] });
    expect((await other.identity.listApiKeys({})).result.apikeys.map((k) => k.name)).not.toContain('probe');
    expect((await owner.identity.listApiKeys({ pagesize: 100 })).result.apikeys.filter((k) => ['short', 'again'].includes(k.name))).toEqual([]);
    expect(await statusOf(owner.identity.createApiKey({ name: 'stored', iamId: owner.iamId, storeValue: true }))).toBe(400);
  });

  it('of parallel creates with one chosen value, one succeeds and the others get the weak-value 400', async () => {
    const value = `race-${'y'.repeat(40)}`;
    const results = await Promise.allSettled([0, 1, 2, 3].map((i) => owner.identity.createApiKey({ name: `race-${i}`, iamId: owner.iamId, apikey: value })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { status: number }).status).toBe(400);
  });

  it('refuses identities outside the account and blank names', async () => {
    const stranger = await errorOf(owner.identity.createApiKey({ name: 'x', iamId: 'IBMid-NOBODY0000' }));
    expect(stranger.status).toBe(400);
    expect(stranger.message).toContain('IBMid-NOBODY0000');
    expect(await statusOf(owner.identity.createApiKey({ name: '  ', iamId: owner.iamId }))).toBe(400);
  });

  it('lists with pagination followed to the end, and back', async () => {
    for (let i = 0; i < 5; i++) await owner.identity.createApiKey({ name: `page-${i}`, iamId: owner.iamId });
    const all = (await owner.identity.listApiKeys({ accountId: owner.accountId, iamId: owner.iamId, pagesize: 100 })).result.apikeys;
    const seen: string[] = [];
    let page = (await owner.identity.listApiKeys({ iamId: owner.iamId, pagesize: 2 })).result;
    expect(page.first).toMatch(new RegExp(`^${server.url}/v1/apikeys\\?pagetoken=`));
    expect(page.previous).toBeUndefined();
    let pages = 1;
    for (;;) {
      expect(page.apikeys.length).toBeLessThanOrEqual(2);
      expect(page.offset).toBe(seen.length);
      seen.push(...page.apikeys.map((k) => k.id));
      for (const k of page.apikeys) expect(k.apikey).toBe('');
      if (!page.next) break;
      page = (await owner.identity.listApiKeys({ pagetoken: pagetokenOf(page.next) })).result;
      pages++;
    }
    expect(seen).toEqual(all.map((k) => k.id));
    expect(new Set(seen).size).toBe(all.length);
    expect(pages).toBe(Math.ceil(all.length / 2));
    // The last page links back to the one before it.
    expect(page.previous).toBeDefined();
    const previous = (await owner.identity.listApiKeys({ pagetoken: pagetokenOf(page.previous!) })).result;
    const lastFull = Math.floor((all.length - 1) / 2) * 2;
    expect(previous.apikeys.map((k) => k.id)).toEqual(all.slice(lastFull - 2, lastFull).map((k) => k.id));
  });

  it('sorts, filters by type and validates list parameters', async () => {
    const byName = (await owner.identity.listApiKeys({ scope: 'account', sort: 'name', order: 'desc', pagesize: 100 })).result.apikeys;
    const names = byName.map((k) => k.name);
    expect(names.length).toBeGreaterThan(1);
    expect(names).toEqual([...names].sort().reverse());
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'typed' })).result;
    const sidKey = (await owner.identity.createApiKey({ name: 'typed', iamId: sid.iam_id! })).result;
    const serviceKeys = (await owner.identity.listApiKeys({ scope: 'account', type: 'serviceid' })).result.apikeys;
    expect(serviceKeys.map((k) => k.id)).toContain(sidKey.id);
    expect(serviceKeys.every((k) => k.iam_id.startsWith('iam-ServiceId-'))).toBe(true);
    expect(await statusOf(owner.identity.listApiKeys({ sort: 'colour' }))).toBe(400);
    expect(await statusOf(owner.identity.listApiKeys({ pagesize: 101 }))).toBe(400);
    expect(await statusOf(owner.identity.listApiKeys({ pagetoken: 'not-a-token' }))).toBe(400);
  });

  it('updates with If-Match: stale tags are refused, * matches any', async () => {
    const key = (await owner.identity.createApiKey({ name: 'upd', iamId: owner.iamId })).result;
    const updated = await owner.identity.updateApiKey({ id: key.id, ifMatch: key.entity_tag!, name: 'renamed', description: 'new' });
    expect(updated.result.name).toBe('renamed');
    expect(updated.result.apikey).toBe('');
    expect(updated.result.entity_tag).toMatch(/^2-/);
    expect(updated.headers.etag).toBe(updated.result.entity_tag);
    const stale = await errorOf(owner.identity.updateApiKey({ id: key.id, ifMatch: key.entity_tag!, name: 'lost' }));
    expect(stale.status).toBe(412);
    expect(stale.body.status_code).toBe('412');
    expect((await owner.identity.getApiKey({ id: key.id })).result.name).toBe('renamed');
    const any = await owner.identity.updateApiKey({ id: key.id, ifMatch: '*', description: '' });
    expect(any.result.description).toBeUndefined();
    expect(await statusOf(owner.identity.updateApiKey({ id: key.id, ifMatch: '*', name: '' }))).toBe(400);
  });

  it('handles expires_at in the Identity format; a new key with a past date is refused', async () => {
    const expiresAt = identityTime(30);
    const key = (await owner.identity.createApiKey({ name: 'exp', iamId: owner.iamId, expiresAt, actionWhenLeaked: 'disable' })).result;
    expect(key.expires_at).toBe(expiresAt);
    expect(key.action_when_leaked).toBe('disable');
    const past = await errorOf(owner.identity.createApiKey({ name: 'old', iamId: owner.iamId, expiresAt: identityTime(-1) }));
    expect(past.status).toBe(400);
    expect(past.message).toContain('expires_at');
    expect(await statusOf(owner.identity.createApiKey({ name: 'bad', iamId: owner.iamId, expiresAt: 'tomorrow' }))).toBe(400);
    const later = identityTime(60);
    const updated = await owner.identity.updateApiKey({ id: key.id, ifMatch: '*', expiresAt: later });
    expect(updated.result.expires_at).toBe(later);
  });

  it('an update to a past expires_at expires the key at once: it yields no more tokens', async () => {
    const key = (await owner.identity.createApiKey({ name: 'expire-now', iamId: owner.iamId })).result;
    expect(await bearerOf(server.url, key.apikey)).toMatch(/^Bearer /);
    const past = identityTime(-1);
    const updated = await owner.identity.updateApiKey({ id: key.id, ifMatch: '*', expiresAt: past });
    expect(updated.status).toBe(200);
    expect(updated.result.expires_at).toBe(past);
    await expect(bearerOf(server.url, key.apikey)).rejects.toThrow();
    expect(await statusOf(owner.identity.updateApiKey({ id: key.id, ifMatch: '*', expiresAt: 'yesterday' }))).toBe(400);
  });

  it('lock blocks update and delete until unlocked', async () => {
    const key = (await owner.identity.createApiKey({ name: 'lockme', iamId: owner.iamId })).result;
    expect((await owner.identity.lockApiKey({ id: key.id })).status).toBe(204);
    expect((await owner.identity.getApiKey({ id: key.id })).result.locked).toBe(true);
    const refused = await errorOf(owner.identity.deleteApiKey({ id: key.id }));
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].code).toBe('entity_locked');
    expect(refused.message).toContain(key.id);
    expect(await statusOf(owner.identity.updateApiKey({ id: key.id, ifMatch: '*', name: 'no' }))).toBe(409);
    expect((await owner.identity.unlockApiKey({ id: key.id })).status).toBe(204);
    expect((await owner.identity.deleteApiKey({ id: key.id })).status).toBe(204);
    expect(await statusOf(owner.identity.getApiKey({ id: key.id }))).toBe(404);
  });

  it('a disabled key cannot obtain tokens until enabled', async () => {
    const key = (await owner.identity.createApiKey({ name: 'dis', iamId: owner.iamId })).result;
    expect((await owner.identity.disableApiKey({ id: key.id })).status).toBe(204);
    expect((await owner.identity.getApiKey({ id: key.id })).result.disabled).toBe(true);
    expect(await statusOf(identityClient(server.url, key.apikey).getApiKey({ id: key.id }))).toBe(400);
    expect((await owner.identity.enableApiKey({ id: key.id })).status).toBe(204);
    const enabled = await identityClient(server.url, key.apikey).getApiKey({ id: key.id });
    expect(enabled.result.disabled).toBe(false);
    // Activity is recorded behind the grant (within about a second).
    await vi.waitFor(
      async () => {
        const activity = (await owner.identity.getApiKey({ id: key.id, includeActivity: true })).result.activity;
        expect(activity?.authn_count).toBeGreaterThanOrEqual(1);
        expect(activity?.last_authn).toMatch(/\+0000$/);
      },
      { timeout: 5000, interval: 200 },
    );
  });

  it('Entity-Lock and Entity-Disable create the key locked and disabled', async () => {
    const key = (await owner.identity.createApiKey({ name: 'hdr', iamId: owner.iamId, entityLock: 'true', entityDisable: 'true' })).result;
    expect(key.locked).toBe(true);
    expect(key.disabled).toBe(true);
    expect(await statusOf(identityClient(server.url, key.apikey).getApiKey({ id: key.id }))).toBe(400);
  });

  it('include_history returns what happened, by whom', async () => {
    const key = (await owner.identity.createApiKey({ name: 'hist', iamId: owner.iamId })).result;
    await owner.identity.updateApiKey({ id: key.id, ifMatch: '*', name: 'hist2', description: 'd' });
    await owner.identity.lockApiKey({ id: key.id });
    await owner.identity.unlockApiKey({ id: key.id });
    await owner.identity.disableApiKey({ id: key.id });
    await owner.identity.enableApiKey({ id: key.id });
    const history = (await owner.identity.getApiKey({ id: key.id, includeHistory: true })).result.history!;
    expect(history.map((h) => h.action)).toEqual(['create', 'update', 'lock', 'unlock', 'disable', 'enable']);
    for (const h of history) {
      expect(h.iam_id).toBe(owner.iamId);
      expect(h.iam_id_account).toBe(owner.accountId);
      expect(h.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\+0000$/);
      expect(h.message).toContain(key.id);
    }
    expect(history[1]!.params).toEqual(['name', 'description']);
    expect((await owner.identity.getApiKey({ id: key.id })).result.history).toBeUndefined();
    const listed = (await owner.identity.listApiKeys({ includeHistory: true, pagesize: 100 })).result.apikeys.find((k) => k.id === key.id);
    expect(listed?.history?.length).toBe(6);
  });

  it('unknown ids are 404 in the identity error shape', async () => {
    const missing = await errorOf(owner.identity.getApiKey({ id: 'ApiKey-00000000-0000-0000-0000-000000000000' }));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status_code: '404', errors: [{ code: 'not_found' }] });
    expect(missing.body.errors[0].message).toContain('ApiKey-00000000-0000-0000-0000-000000000000');
    expect(typeof missing.body.trace).toBe('string');
  });

  it('pages stay put when keys before them are deleted while paging', async () => {
    const doomed = (await owner.identity.createApiKey({ name: 'aaaa-doomed', iamId: owner.iamId })).result;
    const query = { scope: 'account', sort: 'name' } as const;
    const before = (await owner.identity.listApiKeys({ ...query, pagesize: 100 })).result.apikeys.map((k) => k.id);
    const first = (await owner.identity.listApiKeys({ ...query, pagesize: 3 })).result;
    expect(first.apikeys[0]!.id).toBe(doomed.id);
    await owner.identity.deleteApiKey({ id: doomed.id });
    // The next page continues right after the last item seen, not at a shifted offset.
    const second = (await owner.identity.listApiKeys({ pagetoken: pagetokenOf(first.next!) })).result;
    expect(second.apikeys.map((k) => k.id)).toEqual(before.slice(3, 6));
  });

  it('of two updates with the same If-Match, exactly one wins', async () => {
    const key = (await owner.identity.createApiKey({ name: 'race', iamId: owner.iamId })).result;
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) => owner.identity.updateApiKey({ id: key.id, ifMatch: key.entity_tag!, name })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { status: number }).status).toBe(412);
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/apikeys', '/v1/apikeys/{id}', '/v1/serviceids', '/v1/accounts/{account_id}/settings/identity']));
    expect(doc.paths['/v1/apikeys']!.post.requestBody.content['application/json'].schema.required).toEqual(['name', 'iam_id']);
  });
});

describe('user API keys are personal', () => {
  let admin: Caller;
  let operator: Caller;
  let member: Caller;

  /** Gives `who` a platform role on all of iam-identity in the owner's account. */
  const grant = (who: Caller, roleName: string) =>
    policyClient(server.url, owner.apikey).createPolicy(v1Access(owner.accountId, who.iamId, { serviceName: 'iam-identity' }, [role(roleName)]));

  beforeAll(async () => {
    admin = await addMember(server, owner.accountId);
    operator = await addMember(server, owner.accountId);
    member = await addMember(server, owner.accountId);
    await grant(admin, 'Administrator');
    await grant(operator, 'Operator');
  });

  const keysOf = async (iamId: string) => (await owner.identity.listApiKeys({ iamId, pagesize: 100 })).result.apikeys;

  it('an Administrator or Operator of iam-identity cannot create one for the owner (403, nothing created)', async () => {
    const before = (await keysOf(owner.iamId)).length;
    for (const caller of [admin, operator]) {
      const refused = await rawCall(server.url, await bearerOf(server.url, caller.apikey), 'POST', '/v1/apikeys', JSON.stringify({ name: 'owner now', iam_id: owner.iamId }));
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ errors: [{ code: 'insufficent_permissions' }], status_code: '403' });
      expect(typeof refused.body.trace).toBe('string');
    }
    expect(await keysOf(owner.iamId)).toHaveLength(before);
  });

  it('neither the owner nor an administrator creates one for another member; the member does', async () => {
    for (const caller of [owner, admin, operator]) {
      expect(await statusOf(caller.identity.createApiKey({ name: 'for member', iamId: member.iamId }))).toBe(403);
    }
    expect(await keysOf(member.iamId)).toHaveLength(1);
    const own = await member.identity.createApiKey({ name: 'my own', iamId: member.iamId });
    expect(own.status).toBe(201);
    expect((await keysOf(member.iamId)).map((k) => k.name).sort()).toEqual(['member key', 'my own']);
    // Administering keys is unchanged: the administrator may still lock the member's key.
    expect((await admin.identity.lockApiKey({ id: own.result.id })).status).toBe(204);
  });

  it('service-ID keys keep their rules: an Administrator of iam-identity creates them', async () => {
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'for keys' })).result;
    const created = await admin.identity.createApiKey({ name: 'sid key', iamId: sid.iam_id });
    expect(created.status).toBe(201);
    expect(await statusOf(member.identity.createApiKey({ name: 'sid key', iamId: sid.iam_id }))).toBe(403);
  });

  it('a user creates their own key in another account only where they are an ACTIVE member', async () => {
    const other = await createOtherAccount(server);
    expect(await statusOf(member.identity.createApiKey({ name: 'elsewhere', iamId: member.iamId, accountId: other.accountId }))).toBe(400);
    const { registry } = server.server;
    await registry.database.db
      .insertInto('account_users')
      .values({ account_id: other.accountId, iam_id: member.iamId, state: 'PENDING', added_on: new Date().toISOString() })
      .execute();
    expect(await statusOf(member.identity.createApiKey({ name: 'elsewhere', iamId: member.iamId, accountId: other.accountId }))).toBe(403);
    await registry.database.db.updateTable('account_users').set({ state: 'ACTIVE' }).where('account_id', '=', other.accountId).where('iam_id', '=', member.iamId).execute();
    const created = await member.identity.createApiKey({ name: 'elsewhere', iamId: member.iamId, accountId: other.accountId });
    expect(created.result.account_id).toBe(other.accountId);
    // The key works there, and only there.
    const there = identityClient(server.url, created.result.apikey);
    expect((await there.getApiKeysDetails({ iamApiKey: created.result.apikey })).result.account_id).toBe(other.accountId);
  });
});
