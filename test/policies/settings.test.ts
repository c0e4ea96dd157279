import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failureOf } from './helpers.js';
import { type Caller, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { bearerOf, rawCall } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
});
afterAll(() => server?.close());

const enabled = { state: 'enabled', external_allowed_accounts: [] };

describe('access-management settings', () => {
  it('default to every identity type enabled, with a stable ETag', async () => {
    const first = await owner.policies.getSettings({ accountId: owner.accountId });
    expect(first.result).toEqual({ external_account_identity_interaction: { identity_types: { user: enabled, service_id: enabled, service: enabled } } });
    expect(first.headers.etag).toMatch(/^1-[0-9a-f]{32}$/);
    expect((await owner.policies.getSettings({ accountId: owner.accountId })).headers.etag).toBe(first.headers.etag);
  });

  it('PATCH with If-Match changes the given identity types only; a stale tag is 412', async () => {
    const before = await owner.policies.getSettings({ accountId: owner.accountId });
    const monitor = { state: 'monitor', external_allowed_accounts: [] };
    const patched = await owner.policies.updateSettings({
      accountId: owner.accountId,
      ifMatch: before.headers.etag!,
      externalAccountIdentityInteraction: { identity_types: { user: monitor, service_id: monitor } },
    });
    expect(patched.result.external_account_identity_interaction.identity_types).toEqual({ user: monitor, service_id: monitor, service: enabled });
    expect(patched.headers.etag).toMatch(/^2-/);
    const read = await owner.policies.getSettings({ accountId: owner.accountId });
    expect(read.result).toEqual(patched.result);
    expect(read.headers.etag).toBe(patched.headers.etag);

    const stale = await failureOf(owner.policies.updateSettings({
      accountId: owner.accountId, ifMatch: before.headers.etag!, externalAccountIdentityInteraction: { identity_types: { service: monitor } },
    }));
    expect(stale.status).toBe(412);

    const limited = { state: 'limited', external_allowed_accounts: ['0123456789abcdef0123456789abcdef'] };
    const third = await owner.policies.updateSettings({
      accountId: owner.accountId, ifMatch: read.headers.etag!, externalAccountIdentityInteraction: { identity_types: { service: limited } },
    });
    expect(third.result.external_account_identity_interaction.identity_types.service).toEqual(limited);
    expect(third.headers.etag).toMatch(/^3-/);
  });

  it('refuses an allow-list with state enabled, unknown states and malformed bodies (400), nothing changes', async () => {
    const before = await owner.policies.getSettings({ accountId: owner.accountId });
    for (const setting of [
      { state: 'enabled', external_allowed_accounts: ['0123456789abcdef0123456789abcdef'] },
      { state: 'sometimes', external_allowed_accounts: [] },
      { state: 'limited', external_allowed_accounts: ['not an account!'] },
    ]) {
      const failure = await failureOf(owner.policies.updateSettings({
        accountId: owner.accountId, ifMatch: before.headers.etag!, externalAccountIdentityInteraction: { identity_types: { user: setting } },
      }));
      expect(failure, setting.state).toMatchObject({ status: 400, code: 'invalid_body' });
    }
    const bearer = await bearerOf(server.url, owner.apikey);
    const path = `/v1/accounts/${owner.accountId}/settings/access_management`;
    for (const body of ['nope', '{"external_account_identity_interaction":{"identity_types":{"user":{"state":1}}}}']) {
      const response = await rawCall(server.url, bearer, 'PATCH', path, body, { 'If-Match': before.headers.etag! });
      expect(response.status).toBe(400);
    }
    expect((await rawCall(server.url, bearer, 'PATCH', path, '{}')).status).toBe(428);
    expect((await owner.policies.getSettings({ accountId: owner.accountId })).headers.etag).toBe(before.headers.etag);
  });

  it('another account\'s settings are out of reach (403)', async () => {
    const other = await createOtherAccount(server);
    expect((await failureOf(owner.policies.getSettings({ accountId: other.accountId }))).status).toBe(403);
    const own = await other.policies.getSettings({ accountId: other.accountId });
    expect(own.headers.etag).not.toBe((await owner.policies.getSettings({ accountId: owner.accountId })).headers.etag);
  });

  it('publishes each change on the feed', async () => {
    const { db } = server.server.registry.database;
    const rows = await db.selectFrom('changes').select(['entity', 'op']).where('entity', '=', 'access_management_settings').execute();
    expect(rows.length).toBe(2);
  });
});
