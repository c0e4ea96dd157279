import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_LIMITS } from '../../src/identity/limits.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addMember, createOtherAccount, ownerOf, type Caller } from '../helpers/callers.js';
import { bearerOf, rawCall, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
let member: Caller;
let other: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  member = await addMember(server, owner.accountId);
  other = await createOtherAccount(server);
});
afterAll(() => server?.close());

describe('account identity limits and consumption', () => {
  it('answers every limit, and counts what is asked for from the stored entities', async () => {
    const c = owner.identity;
    const group = (await c.createServiceIdGroup({ accountId: owner.accountId, name: 'counted' })).result;
    const sid = (await c.createServiceId({ accountId: owner.accountId, name: 'one', groupId: group.id, apikey: { name: 'k1' } })).result;
    await c.createServiceId({ accountId: owner.accountId, name: 'two', groupId: group.id });
    await c.createApiKey({ name: 'k2', iamId: sid.iam_id });
    await c.createApiKey({ name: 'k3', iamId: sid.iam_id });

    const bare = (await c.getAccountLimits({ accountId: owner.accountId })).result;
    expect(bare.serviceid_groups).toEqual({ limit: IDENTITY_LIMITS.serviceIdGroups });
    expect(bare.apikeys_per_identity).toEqual({ limit: IDENTITY_LIMITS.apiKeysPerIdentity });
    expect(bare.profiles).toEqual({ limit: IDENTITY_LIMITS.profiles });

    const counted = await c.getAccountLimits({
      accountId: owner.accountId,
      serviceidGroups: true,
      serviceidsPerGroup: `${group.id}, ServiceIdGroup-unknown`,
      apikeysPerIdentity: `${sid.iam_id},${owner.iamId}`,
      profiles: 'true',
      templates: 'true',
      idps: 'true',
    });
    expect(counted.status).toBe(200);
    expect(counted.result).toMatchObject({
      serviceid_groups: { limit: IDENTITY_LIMITS.serviceIdGroups, count: 1 },
      serviceids_per_group: {
        limit: IDENTITY_LIMITS.serviceIdsPerGroup,
        serviceid_groups: [
          { group_id: group.id, count: 2 },
          { group_id: 'ServiceIdGroup-unknown', count: 0 },
        ],
      },
      apikeys_per_identity: { identities: [{ iam_id: sid.iam_id, count: 3 }, { iam_id: owner.iamId, count: 1 }] },
      profiles: { count: 0 },
      profile_templates: { count: 0 },
      idps: { limit: IDENTITY_LIMITS.idps, count: 0 },
    });

    // The POST form takes the same questions as JSON lists.
    const bulk = (await c.bulkListAccountEntityConsumption({ accountId: owner.accountId, serviceidGroups: true, apikeysPerIdentity: [sid.iam_id] })).result;
    expect(bulk.serviceid_groups?.count).toBe(1);
    expect(bulk.apikeys_per_identity?.identities).toEqual([{ iam_id: sid.iam_id, count: 3 }]);
  });

  it("counts only this account's entities: another account's ids count 0", async () => {
    const theirs = (await other.identity.createServiceId({ accountId: other.accountId, name: 'theirs', apikey: { name: 'k' } })).result;
    const answer = (await owner.identity.getAccountLimits({ accountId: owner.accountId, apikeysPerIdentity: theirs.iam_id })).result;
    expect(answer.apikeys_per_identity?.identities).toEqual([{ iam_id: theirs.iam_id, count: 0 }]);
  });

  it('refuses other accounts, callers without access and malformed questions', async () => {
    expect(await statusOf(other.identity.getAccountLimits({ accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(member.identity.getAccountLimits({ accountId: owner.accountId, serviceidGroups: true }))).toBe(403);
    const bearer = await bearerOf(server.url, owner.apikey);
    const path = `/v1/accounts/${owner.accountId}/limits/identity`;
    expect((await rawCall(server.url, bearer, 'GET', `${path}?serviceid_groups=maybe`)).status).toBe(400);
    expect((await rawCall(server.url, bearer, 'POST', path, '{"serviceid_groups": "yes"}')).status).toBe(400);
    expect((await rawCall(server.url, bearer, 'POST', path, '{"unknown": true}')).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `iam-ServiceId-${i}`);
    expect((await rawCall(server.url, bearer, 'POST', path, JSON.stringify({ apikeys_per_identity: many }))).status).toBe(400);
    expect((await rawCall(server.url, bearer, 'GET', `${path}?apikeys_per_identity=${many.join(',')}`)).status).toBe(400);
  });
});
