import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { role, v1Access } from '../policies/helpers.js';
import { policyClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addMember, createOtherAccount, ownerOf, type Caller } from '../helpers/callers.js';
import { bearerOf, errorOf, rawCall, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
let member: Caller;
let admin: Caller;
let other: Caller;

const landing = (who: Caller, iamId = who.iamId) => ({ accountId: who.accountId, iamId, service: 'console', preferenceId: 'landing_page' });

/** The audit events of preference writes on one identity, oldest first. */
const auditOf = (iamId: string) =>
  server.server.registry.database.db
    .selectFrom('audit_events')
    .select(['action', 'outcome', 'target_id'])
    .where('action', 'like', 'iam-identity.preferences.%')
    .where('target_id', 'like', `${iamId}/%`)
    .orderBy('id')
    .execute();

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  member = await addMember(server, owner.accountId);
  admin = await addMember(server, owner.accountId);
  other = await createOtherAccount(server);
  await policyClient(server.url, owner.apikey).createPolicy(
    v1Access(owner.accountId, admin.iamId, { serviceName: 'iam-identity' }, [role('Administrator')]),
  );
});
afterAll(() => server?.close());

describe('identity preferences on scope account', () => {
  it('an identity sets, reads, lists and deletes its own preferences', async () => {
    const set = await member.identity.updatePreferenceOnScopeAccount({ ...landing(member), valueString: '/billing' });
    expect(set.status).toBe(200);
    expect(set.result).toEqual({ service: 'console', id: 'landing_page', account_id: member.accountId, scope: 'account', value_string: '/billing' });

    // A second write replaces the value (one row per preference).
    await member.identity.updatePreferenceOnScopeAccount({ ...landing(member), valueString: '/iam/users' });
    const nav = await member.identity.updatePreferenceOnScopeAccount({
      accountId: member.accountId,
      iamId: member.iamId,
      service: 'console',
      preferenceId: 'global_left_navigation',
      valueString: 'ignored for a list',
      valueListOfStrings: ['projects', 'databases'],
    });
    expect(nav.result.value_list_of_strings).toEqual(['projects', 'databases']);
    expect(nav.result.value_string).toBeUndefined();

    expect((await member.identity.getPreferencesOnScopeAccount(landing(member))).result.value_string).toBe('/iam/users');
    const all = (await member.identity.getAllPreferencesOnScopeAccount({ accountId: member.accountId, iamId: member.iamId })).result;
    expect(all.preferences.map((p) => [p.id, p.value_string ?? p.value_list_of_strings])).toEqual([
      ['global_left_navigation', ['projects', 'databases']],
      ['landing_page', '/iam/users'],
    ]);

    const deleted = await member.identity.deletePreferencesOnScopeAccount(landing(member));
    expect(deleted.status).toBe(204);
    expect(await statusOf(member.identity.getPreferencesOnScopeAccount(landing(member)))).toBe(404);
    expect(await statusOf(member.identity.deletePreferencesOnScopeAccount(landing(member)))).toBe(404);
    expect((await auditOf(member.iamId)).map((e) => [e.action, e.outcome])).toEqual([
      ['iam-identity.preferences.update', 'success'],
      ['iam-identity.preferences.update', 'success'],
      ['iam-identity.preferences.update', 'success'],
      ['iam-identity.preferences.delete', 'success'],
      ['iam-identity.preferences.delete', 'failure'],
    ]);
  });

  it("another identity's preferences need iam-identity Administrator (or being the owner)", async () => {
    // A plain member may neither write nor read the admin's preferences; listing shows nothing.
    const refused = await errorOf(member.identity.updatePreferenceOnScopeAccount({ ...landing(member, admin.iamId), valueString: '/billing' }));
    expect(refused.status).toBe(403);
    expect(await statusOf(admin.identity.getPreferencesOnScopeAccount(landing(admin)))).toBe(404);

    await admin.identity.updatePreferenceOnScopeAccount({ ...landing(admin, member.iamId), valueString: '/resources' });
    await owner.identity.updatePreferenceOnScopeAccount({ ...landing(owner, admin.iamId), valueString: '/iam' });
    expect((await admin.identity.getPreferencesOnScopeAccount(landing(admin, member.iamId))).result.value_string).toBe('/resources');
    expect(await statusOf(member.identity.getPreferencesOnScopeAccount(landing(member, admin.iamId)))).toBe(403);
    expect((await member.identity.getAllPreferencesOnScopeAccount({ accountId: member.accountId, iamId: admin.iamId })).result.preferences).toEqual([]);
    expect(await statusOf(member.identity.deletePreferencesOnScopeAccount(landing(member, admin.iamId)))).toBe(403);
    expect((await admin.identity.getPreferencesOnScopeAccount(landing(admin))).result.value_string).toBe('/iam');
  });

  it('identities outside the account are not found; another account is refused', async () => {
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'prefs' })).result;
    await owner.identity.updatePreferenceOnScopeAccount({ ...landing(owner, sid.iam_id), valueString: '/billing' });
    expect((await owner.identity.getPreferencesOnScopeAccount(landing(owner, sid.iam_id))).result.value_string).toBe('/billing');

    // Another account's user, and an unknown service ID, are no identities of this account.
    expect(await statusOf(owner.identity.updatePreferenceOnScopeAccount({ ...landing(owner, other.iamId), valueString: '/billing' }))).toBe(404);
    expect(await statusOf(owner.identity.getAllPreferencesOnScopeAccount({ accountId: owner.accountId, iamId: 'iam-ServiceId-00000000-0000-0000-0000-000000000000' }))).toBe(404);
    // The other account's owner cannot reach this account's preferences.
    expect(await statusOf(other.identity.getPreferencesOnScopeAccount(landing(owner, sid.iam_id)))).toBe(403);
    expect(await statusOf(other.identity.getAllPreferencesOnScopeAccount({ accountId: owner.accountId, iamId: sid.iam_id }))).toBe(403);
    expect(await statusOf(other.identity.updatePreferenceOnScopeAccount({ ...landing(owner, sid.iam_id), valueString: '/x' }))).toBe(403);
    expect((await owner.identity.getPreferencesOnScopeAccount(landing(owner, sid.iam_id))).result.value_string).toBe('/billing');
  });

  it('refuses unsupported preferences and bad values with 400 and writes nothing', async () => {
    const c = owner.identity;
    const bad = [
      () => c.updatePreferenceOnScopeAccount({ ...landing(owner), preferenceId: 'theme', valueString: 'dark' }),
      () => c.updatePreferenceOnScopeAccount({ ...landing(owner), valueString: 'https://evil.example.com/' }),
      () => c.updatePreferenceOnScopeAccount({ ...landing(owner), valueString: '//evil.example.com' }),
      () => c.updatePreferenceOnScopeAccount({ ...landing(owner), valueString: `/${'a'.repeat(300)}` }),
      () => c.updatePreferenceOnScopeAccount({ ...landing(owner), valueString: '/billing', valueListOfStrings: ['projects'] }),
      () => c.updatePreferenceOnScopeAccount({ ...landing(owner), preferenceId: 'global_left_navigation', valueString: 'projects' }),
      () => c.updatePreferenceOnScopeAccount({ ...landing(owner), preferenceId: 'global_left_navigation', valueString: 'ignored for a list', valueListOfStrings: ['nowhere'] }),
      () => c.updatePreferenceOnScopeAccount({ ...landing(owner), preferenceId: 'global_left_navigation', valueString: 'ignored for a list', valueListOfStrings: ['rex', 'rex'] }),
    ];
    for (const call of bad) {
      const error = await errorOf(call());
      expect(error.status).toBe(400);
      expect(error.body.errors[0].message).toBeTruthy();
    }
    const bearer = await bearerOf(server.url, owner.apikey);
    const path = `/v1/preferences/accounts/${owner.accountId}/identities/${owner.iamId}/console/landing_page`;
    expect((await rawCall(server.url, bearer, 'PUT', path, '{"value_string": 5}')).status).toBe(400);
    expect((await rawCall(server.url, bearer, 'PUT', path, '{"value_string": "/a", "extra": true}')).status).toBe(400);
    expect((await rawCall(server.url, bearer, 'PUT', path, 'not json')).status).toBe(400);
    expect((await rawCall(server.url, bearer, 'GET', `/v1/preferences/accounts/${owner.accountId}/identities/${'x'.repeat(200)}`)).status).toBe(400);
    expect((await c.getAllPreferencesOnScopeAccount({ accountId: owner.accountId, iamId: owner.iamId })).result.preferences).toEqual([]);
  });
});
