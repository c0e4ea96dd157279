import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { serviceRole, v2Access } from './helpers.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';
import { bearerOf, rawCall } from '../helpers/identities.js';

/** `format=include_last_permit`: when each policy last granted a permit, and how many times. */

const COS = 'cloud-object-storage';

let server: TestServer;
let owner: Caller;
let member: Caller;
let ownerBearer: string;
let busy: string;
let quiet: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  member = await addMember(server, owner.accountId);
  ownerBearer = await bearerOf(server.url, owner.apikey);
  busy = (await owner.policies.createV2Policy(v2Access(owner.accountId, member.iamId, { serviceName: COS, serviceInstance: 'busy' }, [serviceRole('Reader')]))).result.id!;
  quiet = (await owner.policies.createV2Policy(v2Access(owner.accountId, member.iamId, { serviceName: COS, serviceInstance: 'quiet' }, [serviceRole('Reader')]))).result.id!;
});
afterAll(() => server?.close());

/** Asks /v2/authz whether the member may read a bucket of `instance`. */
async function decide(instance: string): Promise<boolean> {
  const { status, body } = await rawCall(server.url, ownerBearer, 'POST', '/v2/authz', JSON.stringify([{
    subject: { attributes: { id: member.iamId } },
    action: `${COS}.bucket.get`,
    resource: { attributes: { accountId: owner.accountId, serviceName: COS, serviceInstance: instance } },
  }]));
  expect(status).toBe(200);
  return body.responses[0].authorizationDecision.permitted as boolean;
}

const usage = (p: { last_permit_at?: string; last_permit_frequency?: number }) => ({ at: p.last_permit_at, frequency: p.last_permit_frequency });

describe('policy usage', () => {
  it('is absent until a policy permits, and then only with format=include_last_permit', async () => {
    const before = (await owner.policies.getV2Policy({ id: busy, format: 'include_last_permit' })).result;
    expect(usage(before)).toEqual({ at: undefined, frequency: undefined });
    const { etag } = (await owner.policies.getV2Policy({ id: busy })).headers;

    const started = Date.now();
    for (let i = 0; i < 3; i++) expect(await decide('busy')).toBe(true);
    expect(await decide('elsewhere')).toBe(false); // a denial counts for nobody

    const after = (await owner.policies.getV2Policy({ id: busy, format: 'include_last_permit' })).result;
    expect(after.last_permit_frequency).toBe(3);
    expect(Date.parse(after.last_permit_at!)).toBeGreaterThanOrEqual(started - 1000);
    expect(usage((await owner.policies.getV2Policy({ id: busy })).result)).toEqual({ at: undefined, frequency: undefined });
    // Usage is not part of the policy: its ETag is unchanged, so an If-Match update still succeeds.
    expect((await owner.policies.getV2Policy({ id: busy })).headers.etag).toBe(etag);
    const v1 = (await owner.policies.listPolicies({ accountId: owner.accountId, iamId: member.iamId, format: 'include_last_permit' })).result.policies!;
    expect((v1.find((p) => p.id === busy) as { last_permit_frequency?: number }).last_permit_frequency).toBe(3);
  });

  it('sorts listings by last_permit_frequency and last_permit_at', async () => {
    expect(await decide('quiet')).toBe(true);
    const list = async (sort: string) =>
      (await owner.policies.listV2Policies({ accountId: owner.accountId, iamId: member.iamId, format: 'include_last_permit', sort })).result.policies!
        .map((p) => ({ id: p.id, ...usage(p as { last_permit_at?: string; last_permit_frequency?: number }) }));
    const byFrequency = await list('-last_permit_frequency');
    expect(byFrequency.map((p) => p.id)).toEqual([busy, quiet]);
    expect(byFrequency.map((p) => p.frequency)).toEqual([3, 1]);
    expect((await list('last_permit_at')).map((p) => p.id)).toEqual([busy, quiet]);
    expect((await list('-last_permit_at')).map((p) => p.id)).toEqual([quiet, busy]);
  });

  it('pages through a listing sorted by usage without repeating or skipping a policy', async () => {
    const seen: string[] = [];
    let start: string | undefined;
    do {
      const page = (await owner.policies.listV2Policies({ accountId: owner.accountId, format: 'include_last_permit', sort: 'last_permit_frequency', limit: 1, ...(start ? { start } : {}) })).result;
      seen.push(...page.policies!.map((p) => p.id!));
      start = page.next?.start;
    } while (start);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([busy, quiet]));
    expect(seen.indexOf(quiet)).toBeLessThan(seen.indexOf(busy));
  });

  it('refuses an unknown format and sort field', async () => {
    const bad = await rawCall(server.url, ownerBearer, 'GET', `/v2/policies?account_id=${owner.accountId}&format=include_everything`);
    expect(bad.status).toBe(400);
    const badSort = await rawCall(server.url, ownerBearer, 'GET', `/v2/policies?account_id=${owner.accountId}&sort=last_permit_count`);
    expect(badSort.status).toBe(400);
  });
});
