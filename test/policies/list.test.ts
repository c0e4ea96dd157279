import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { role, serviceRole, v1Access, v2Access } from './helpers.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';
import { bearerOf, rawCall } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
let alice: Caller;
let bob: Caller;
const created: string[] = [];
const group = 'AccessGroupId-5f0c2ad6-1b2c-4d3e-8f90-0a1b2c3d4e5f';

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  alice = await addMember(server, owner.accountId);
  bob = await addMember(server, owner.accountId);
  const { policies: client, accountId } = owner;
  const make = async (body: Parameters<typeof client.createPolicy>[0]) => created.push((await client.createPolicy(body)).result.id!);
  // 12 policies for alice across services, 3 for bob, 1 for a group, 1 tagged, 1 authorization.
  const services = ['cloud-object-storage', 'kms', 'is', 'containers-kubernetes', 'iam-identity', 'iam-groups', 'billing', 'support'];
  for (const serviceName of services) await make(v1Access(accountId, alice.iamId, { serviceName }));
  await make(v1Access(accountId, alice.iamId, { serviceType: 'service' }));
  await make(v1Access(accountId, alice.iamId, { serviceType: 'platform_service' }));
  await make(v1Access(accountId, alice.iamId, { service_group_id: 'IAM' }));
  await make(v1Access(accountId, alice.iamId, { serviceName: 'kms', region: 'eu-de' }));
  for (const serviceName of ['kms', 'is', 'billing']) await make(v1Access(accountId, bob.iamId, { serviceName }));
  await make({
    type: 'access',
    subjects: [{ attributes: [{ name: 'access_group_id', value: group }] }],
    roles: [{ role_id: role('Viewer') }],
    resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'kms' }] }],
  });
  await make({
    type: 'access',
    subjects: [{ attributes: [{ name: 'iam_id', value: bob.iamId }] }],
    roles: [{ role_id: serviceRole('Reader') }],
    resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceType', value: 'service' }], tags: [{ name: 'project', value: 'moon', operator: 'stringEquals' }] }],
  });
  await make({
    type: 'authorization',
    subjects: [{ attributes: [{ name: 'serviceName', value: 'is' }, { name: 'accountId', value: accountId }] }],
    roles: [{ role_id: serviceRole('Reader') }],
    resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'kms' }] }],
  });
});
afterAll(() => server?.close());

describe('listing policies', () => {
  let ascending: string[] = [];

  it('follows next.start to the end, every policy exactly once, in creation order', async () => {
    const seen: string[] = [];
    const times: string[] = [];
    let start: string | undefined;
    let pages = 0;
    do {
      const page = await owner.policies.listPolicies({ accountId: owner.accountId, limit: 4, ...(start ? { start } : {}) });
      expect(page.result.limit).toBe(4);
      expect(page.result.first?.href).toContain('/v1/policies?');
      seen.push(...page.result.policies.map((p) => p.id!));
      times.push(...page.result.policies.map((p) => p.created_at!));
      start = page.result.next?.start;
      if (start) expect(page.result.next?.href).toContain(`start=${start}`);
      pages++;
    } while (start);
    // Creation order; policies created within one millisecond are ordered by id.
    expect([...seen].sort()).toEqual([...created].sort());
    expect(times).toEqual([...times].sort());
    ascending = seen;
    expect(pages).toBe(Math.ceil(created.length / 4));
  });

  it('v2 pages the same policies, and descending sort reverses the order', async () => {
    const seen: string[] = [];
    let start: string | undefined;
    do {
      const page = await owner.policies.listV2Policies({ accountId: owner.accountId, limit: 5, sort: '-created_at', ...(start ? { start } : {}) });
      seen.push(...page.result.policies.map((p) => p.id!));
      start = page.result.next?.start;
    } while (start);
    expect(seen).toEqual([...ascending].reverse());
    const byId = await owner.policies.listV2Policies({ accountId: owner.accountId, sort: 'id', limit: 100 });
    expect(byId.result.policies.map((p) => p.id)).toEqual([...created].sort());
  });

  it('filters by iam_id, access_group_id, type, service_type, service_name, service_group_id and tags', async () => {
    const ids = async (params: Record<string, string>, v = 2) => {
      const result = v === 2
        ? (await owner.policies.listV2Policies({ accountId: owner.accountId, limit: 100, ...params })).result.policies
        : (await owner.policies.listPolicies({ accountId: owner.accountId, limit: 100, ...params })).result.policies;
      return result.length;
    };
    expect(await ids({ iamId: alice.iamId })).toBe(12);
    expect(await ids({ iamId: bob.iamId }, 1)).toBe(4);
    expect(await ids({ accessGroupId: group })).toBe(1);
    expect(await ids({ type: 'authorization' }, 1)).toBe(1);
    expect(await ids({ type: 'access' })).toBe(created.length - 1);
    expect(await ids({ serviceType: 'service' })).toBe(2);
    expect(await ids({ serviceType: 'platform_service' }, 1)).toBe(1);
    expect(await ids({ serviceName: 'kms' })).toBe(5);
    expect(await ids({ serviceName: 'kms', iamId: alice.iamId })).toBe(2);
    expect(await ids({ serviceGroupId: 'IAM' })).toBe(1);
    expect(await ids({ tagName: 'project' }, 1)).toBe(1);
    expect(await ids({ tagName: 'project', tagValue: 'moon' }, 1)).toBe(1);
    expect(await ids({ tagName: 'project', tagValue: 'sun' }, 1)).toBe(0);
  });

  it('state=deleted lists only deleted policies', async () => {
    const [first] = created;
    await owner.policies.deletePolicy({ policyId: first! });
    const deleted = await owner.policies.listPolicies({ accountId: owner.accountId, state: 'deleted' });
    expect(deleted.result.policies.map((p) => p.id)).toEqual([first]);
    const active = await owner.policies.listV2Policies({ accountId: owner.accountId, limit: 100 });
    expect(active.result.policies.map((p) => p.id)).not.toContain(first);
    const policy = await owner.policies.getPolicy({ policyId: first! });
    await owner.policies.updatePolicyState({ policyId: first!, ifMatch: policy.headers.etag!, state: 'active' });
  });

  it('a member without access-management read sees only their own policies', async () => {
    // bob's grants reach no account-management service, so no iam.policy.read on the account.
    const own = await bob.policies.listPolicies({ accountId: owner.accountId, limit: 100 });
    expect(own.result.policies).toHaveLength(4);
    expect(own.result.policies.every((p) => p.subjects[0]!.attributes[0]!.value === bob.iamId)).toBe(true);
    expect((await bob.policies.listV2Policies({ accountId: owner.accountId, iamId: alice.iamId })).result.policies).toEqual([]);
    expect((await bob.policies.listV2Policies({ accountId: owner.accountId, accessGroupId: group })).result.policies).toEqual([]);
    // Their own policy they may read; somebody else's not.
    const alices = (await owner.policies.listPolicies({ accountId: owner.accountId, iamId: alice.iamId })).result.policies[0]!;
    await expect(bob.policies.getPolicy({ policyId: alices.id! })).rejects.toMatchObject({ status: 403 });
    expect((await bob.policies.getV2Policy({ id: own.result.policies[0]!.id! })).status).toBe(200);
  });

  it('a Viewer of all account management services reads every policy of the account', async () => {
    const all = await alice.policies.listV2Policies({ accountId: owner.accountId, limit: 100 });
    expect(all.result.policies).toHaveLength(created.length);
  });

  it('refuses a missing account_id, bad enums, limits and start tokens with 400', async () => {
    const bearer = await bearerOf(server.url, owner.apikey);
    const missing = await rawCall(server.url, bearer, 'GET', '/v2/policies');
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].code).toBe('missing_required_query_parameter');
    for (const query of ['type=other', 'state=gone', 'sort=name', 'format=fancy', 'limit=0', 'limit=101', 'limit=x', 'start=garbage', 'service_type=x']) {
      const response = await rawCall(server.url, bearer, 'GET', `/v1/policies?account_id=${owner.accountId}&${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.errors[0].code, query).toMatch(/^invalid_body$/);
    }
  });

  it('v2 policies created with v1 and v2 list together in both APIs', async () => {
    const v2 = await owner.policies.createV2Policy(v2Access(owner.accountId, bob.iamId, { serviceName: 'cloudshell' }));
    const v1List = await owner.policies.listPolicies({ accountId: owner.accountId, iamId: bob.iamId });
    expect(v1List.result.policies.map((p) => p.id)).toContain(v2.result.id);
  });
});
