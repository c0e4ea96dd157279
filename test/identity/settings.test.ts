import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';
import { errorOf, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
});
afterAll(() => server?.close());

describe('account identity settings', () => {
  it('reads defaults with the entity tag in body and header', async () => {
    const read = await owner.identity.getAccountSettings({ accountId: owner.accountId });
    expect(read.result).toMatchObject({
      account_id: owner.accountId,
      restrict_create_service_id: 'NOT_SET',
      restrict_create_platform_apikey: 'NOT_SET',
      mfa: 'NONE',
      allowed_ip_addresses: '',
      session_expiration_in_seconds: 'NOT_SET',
      user_mfa: [],
      restrict_user_domains: [],
    });
    expect(read.headers.etag).toBe(read.result.entity_tag);
  });

  it('updates with If-Match, keeps unnamed fields, refuses stale tags', async () => {
    const before = (await owner.identity.getAccountSettings({ accountId: owner.accountId })).result;
    const updated = await owner.identity.updateAccountSettings({
      accountId: owner.accountId,
      ifMatch: before.entity_tag,
      mfa: 'TOTP',
      sessionExpirationInSeconds: '3600',
      systemAccessTokenExpirationInSeconds: '900',
      // The test server's own client (127.0.0.1) stays allowed: the list is enforced once its 1 s cache expires.
      allowedIpAddresses: '10.0.0.0/8, 127.0.0.1, 2001:db8::/32',
      restrictCreateServiceId: 'RESTRICTED',
    });
    expect(updated.result).toMatchObject({
      mfa: 'TOTP',
      session_expiration_in_seconds: '3600',
      system_access_token_expiration_in_seconds: '900',
      restrict_create_service_id: 'RESTRICTED',
      session_invalidation_in_seconds: 'NOT_SET',
    });
    expect(updated.headers.etag).toBe(updated.result.entity_tag);
    expect(updated.result.entity_tag).not.toBe(before.entity_tag);
    const stale = await errorOf(owner.identity.updateAccountSettings({ accountId: owner.accountId, ifMatch: before.entity_tag, mfa: 'NONE' }));
    expect(stale.status).toBe(412);
    const again = await owner.identity.updateAccountSettings({ accountId: owner.accountId, ifMatch: '*', sessionExpirationInSeconds: 'NOT_SET' });
    expect(again.result).toMatchObject({ mfa: 'TOTP', session_expiration_in_seconds: 'NOT_SET' });

    const effective = (await owner.identity.getEffectiveAccountSettings({ accountId: owner.accountId })).result;
    expect(effective.account_id).toBe(owner.accountId);
    expect(effective.account.entity_tag).toBe(again.result.entity_tag);
    expect(effective.effective).toMatchObject({
      mfa: 'TOTP',
      session_expiration_in_seconds: '86400',
      system_access_token_expiration_in_seconds: '900',
      system_refresh_token_expiration_in_seconds: '259200',
    });

    // History is always in the body: empty unless asked for.
    expect((await owner.identity.getAccountSettings({ accountId: owner.accountId })).result.history).toEqual([]);
    const history = (await owner.identity.getAccountSettings({ accountId: owner.accountId, includeHistory: true })).result.history!;
    expect(history.map((h) => h.action)).toEqual(['update', 'update']);
    expect(history[0]!.params).toEqual(
      expect.arrayContaining(['mfa', 'session_expiration_in_seconds', 'allowed_ip_addresses', 'restrict_create_service_id']),
    );
    expect(history[0]!.iam_id).toBe(owner.iamId);
  });

  it('validates ranges, enums and IP syntax, naming the field', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ sessionExpirationInSeconds: '899' }, 'session_expiration_in_seconds'],
      [{ sessionExpirationInSeconds: '86401' }, 'session_expiration_in_seconds'],
      [{ sessionInvalidationInSeconds: '7201' }, 'session_invalidation_in_seconds'],
      [{ systemAccessTokenExpirationInSeconds: '3601' }, 'system_access_token_expiration_in_seconds'],
      [{ systemRefreshTokenExpirationInSeconds: '259201' }, 'system_refresh_token_expiration_in_seconds'],
      [{ systemRefreshTokenExpirationInSeconds: 'soon' }, 'system_refresh_token_expiration_in_seconds'],
      [{ maxSessionsPerIdentity: '0' }, 'max_sessions_per_identity'],
      [{ mfa: 'SOMETIMES' }, 'mfa'],
      [{ allowedIpAddresses: '10.0.0.300' }, '10.0.0.300'],
      [{ allowedIpAddresses: '10.0.0.0/33' }, '10.0.0.0/33'],
    ];
    const before = (await owner.identity.getAccountSettings({ accountId: owner.accountId })).result;
    for (const [fields, named] of cases) {
      const refused = await errorOf(owner.identity.updateAccountSettings({ accountId: owner.accountId, ifMatch: '*', ...fields }));
      expect(refused.status, JSON.stringify(fields)).toBe(400);
      expect(refused.message).toContain(named);
    }
    for (const ok of [{ sessionInvalidationInSeconds: '900' }, { systemRefreshTokenExpirationInSeconds: '259200' }, { maxSessionsPerIdentity: '5' }]) {
      expect((await owner.identity.updateAccountSettings({ accountId: owner.accountId, ifMatch: '*', ...ok })).status).toBe(200);
    }
    const after = (await owner.identity.getAccountSettings({ accountId: owner.accountId })).result;
    expect(after.entity_tag).not.toBe(before.entity_tag);
    expect(after).toMatchObject({ session_invalidation_in_seconds: '900', max_sessions_per_identity: '5' });
  });

  it('user_mfa names members only; resolve_user_mfa adds their details', async () => {
    const member = await addMember(server, owner.accountId);
    const refused = await errorOf(
      owner.identity.updateAccountSettings({ accountId: owner.accountId, ifMatch: '*', userMfa: [{ iam_id: 'IBMid-STRANGER00', mfa: 'NONE' }] }),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('IBMid-STRANGER00');
    await owner.identity.updateAccountSettings({ accountId: owner.accountId, ifMatch: '*', userMfa: [{ iam_id: member.iamId, mfa: 'NONE' }] });
    const resolved = (await owner.identity.getAccountSettings({ accountId: owner.accountId, resolveUserMfa: true })).result;
    expect(resolved.user_mfa).toEqual([
      { iam_id: member.iamId, mfa: 'NONE', name: 'Mem Ber', userName: `${member.iamId.toLowerCase()}@example.com`, email: `${member.iamId.toLowerCase()}@example.com` },
    ]);
  });

  it('restrict_user_domains upserts by realm; realm_id alone removes it', async () => {
    await owner.identity.updateAccountSettings({
      accountId: owner.accountId,
      ifMatch: '*',
      restrictUserDomains: [
        { realm_id: 'IBMid', invitation_email_allow_patterns: ['*.example.com'], restrict_invitation: true },
        { realm_id: 'other', restrict_invitation: false },
      ],
    });
    const removed = await owner.identity.updateAccountSettings({ accountId: owner.accountId, ifMatch: '*', restrictUserDomains: [{ realm_id: 'other' }] });
    expect(removed.result.restrict_user_domains).toEqual([
      { realm_id: 'IBMid', invitation_email_allow_patterns: ['*.example.com'], restrict_invitation: true },
    ]);
  });

  it('members cannot change settings', async () => {
    const member = await addMember(server, owner.accountId);
    expect(await statusOf(member.identity.updateAccountSettings({ accountId: owner.accountId, ifMatch: '*', mfa: 'NONE' }))).toBe(403);
  });
});
