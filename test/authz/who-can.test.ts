import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { bearerOf } from '../helpers/identities.js';

/**
 * `POST /v2/authz/who-can` over HTTP, against a model made through the official SDK: the answer
 * names exactly who `/v2/authz` permits; only who may read the account's policies may ask, and
 * only about their own account (another account answers like one that does not exist).
 */

const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';
const WRITER = 'crn:v1:bluemix:public:iam::::serviceRole:Writer';
const VIEWER = 'crn:v1:bluemix:public:iam::::role:Viewer';
const COS = 'cloud-object-storage';

let server: TestServer;
let owner: Caller;
let ownerBearer: string;
let direct: Caller;
let inGroup: Caller;
let outsider: Caller;
let policyReader: Caller;
let groupId: string;
let serviceIamId: string;
const policyIds: Record<string, string> = {};

async function post(path: string, bearer: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

async function grant(subject: [name: string, value: string], role: string, attributes: Record<string, string>, rule?: unknown): Promise<string> {
  const body = {
    type: 'access',
    subject: { attributes: [{ key: subject[0], operator: 'stringEquals', value: subject[1] }] },
    resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: owner.accountId }, ...Object.entries(attributes).map(([key, value]) => ({ key, operator: 'stringEquals', value }))] },
    control: { grant: { roles: [{ role_id: role }] } },
    ...(rule ? { rule, pattern: 'time-based-conditions:weekly:custom-hours' } : {}),
  };
  const response = await fetch(`${server.url}/v2/policies`, { method: 'POST', headers: { authorization: ownerBearer, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const created = (await response.json()) as any;
  if (response.status !== 201) throw new Error(JSON.stringify(created));
  return created.id;
}

const question = (action: string, attributes: Record<string, string> = {}) => ({ action, resource: { attributes: { accountId: owner.accountId, serviceName: COS, ...attributes } } });

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  ownerBearer = await bearerOf(server.url, owner.apikey);
  [direct, inGroup, outsider, policyReader] = (await Promise.all([1, 2, 3, 4].map(() => addMember(server, owner.accountId)))) as [Caller, Caller, Caller, Caller];
  groupId = (await owner.groups.createAccessGroup({ accountId: owner.accountId, name: 'readers' })).result.id!;
  await owner.groups.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: inGroup.iamId, type: 'user' }] });
  const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'deployer' })).result;
  serviceIamId = sid.iam_id;
  policyIds.direct = await grant(['iam_id', direct.iamId], WRITER, { serviceName: COS, serviceInstance: 'bucket-1' });
  policyIds.group = await grant(['access_group_id', groupId], READER, { serviceName: COS });
  policyIds.sid = await grant(['iam_id', serviceIamId], READER, { serviceName: COS, serviceInstance: 'bucket-2' });
  // A condition that is never true: the policy exists but grants nothing now, as in decisions.
  policyIds.never = await grant(['iam_id', outsider.iamId], WRITER, { serviceName: COS }, {
    operator: 'and',
    conditions: [
      { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: ['1+00:00'] },
      { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: ['2+00:00'] },
    ],
  });
  policyIds.reader = await grant(['iam_id', policyReader.iamId], VIEWER, { serviceName: 'iam-access-management' });
});
afterAll(() => server?.close());

describe('POST /v2/authz/who-can', () => {
  it('names the identities /v2/authz permits, with the policy and the group each grant comes through', async () => {
    const reply = await post('/v2/authz/who-can', ownerBearer, question(`${COS}.object.put`, { serviceInstance: 'bucket-1' }));
    expect(reply.status).toBe(200);
    expect(reply.body.subjects).toEqual([{ iamId: direct.iamId, type: 'user', grants: [{ policyId: policyIds.direct, role: WRITER, via: 'iam_id' }] }]);
    expect(reply.body.accessGroups).toEqual([]);

    const get = await post('/v2/authz/who-can', ownerBearer, question(`${COS}.object.get`, { serviceInstance: 'bucket-2' }));
    expect(get.status).toBe(200);
    const byId = new Map((get.body.subjects as any[]).map((s) => [s.iamId, s]));
    expect([...byId.keys()].sort()).toEqual([inGroup.iamId, serviceIamId].sort());
    expect(byId.get(inGroup.iamId).grants).toEqual([{ policyId: policyIds.group, role: READER, via: groupId }]);
    expect(byId.get(serviceIamId).type).toBe('serviceid');
    expect(get.body.accessGroups).toEqual([{ id: groupId, policies: [{ policyId: policyIds.group, role: READER }], members: [inGroup.iamId] }]);

    // The same question to the decision point, subject by subject, gives the same answer.
    const everyone = [direct, inGroup, outsider, policyReader].map((c) => c.iamId).concat(serviceIamId);
    const decisions = await post('/v2/authz', ownerBearer, everyone.map((id) => ({ subject: { attributes: { id } }, ...question(`${COS}.object.get`, { serviceInstance: 'bucket-2' }) })));
    const permitted = everyone.filter((_, i) => decisions.body.responses[i].authorizationDecision.permitted);
    expect(permitted.sort()).toEqual([...byId.keys()].sort());
    // A policy whose condition is false now grants nothing now.
    const never = await post('/v2/authz/who-can', ownerBearer, question(`${COS}.object.put`));
    expect(never.body.subjects.map((s: any) => s.iamId)).not.toContain(outsider.iamId);
  });

  it('follows membership changes at once', async () => {
    await owner.groups.removeMemberFromAccessGroup({ accessGroupId: groupId, iamId: inGroup.iamId });
    const reply = await post('/v2/authz/who-can', ownerBearer, question(`${COS}.object.get`));
    expect(reply.body.subjects.map((s: any) => s.iamId)).not.toContain(inGroup.iamId);
    expect(reply.body.accessGroups).toEqual([{ id: groupId, policies: [{ policyId: policyIds.group, role: READER }], members: [] }]);
    await owner.groups.addMembersToAccessGroup({ accessGroupId: groupId, members: [{ iam_id: inGroup.iamId, type: 'user' }] });
  });

  it('may be asked by whoever may read the account\'s policies, and nobody else', async () => {
    const reader = await post('/v2/authz/who-can', await bearerOf(server.url, policyReader.apikey), question(`${COS}.object.put`, { serviceInstance: 'bucket-1' }));
    expect(reader.status).toBe(200);
    expect(reader.body.subjects.map((s: any) => s.iamId)).toEqual([direct.iamId]);
    // Holding the action itself is not enough to see who else does.
    const refused = await post('/v2/authz/who-can', await bearerOf(server.url, direct.apikey), question(`${COS}.object.put`, { serviceInstance: 'bucket-1' }));
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].code).toBeDefined();
    expect(refused.body.subjects).toBeUndefined();
  });

  it('answers about another account exactly as about an account that does not exist', async () => {
    const other = await createOtherAccount(server);
    const bearer = await bearerOf(server.url, other.apikey);
    const ofA = await post('/v2/authz/who-can', bearer, question(`${COS}.object.put`, { serviceInstance: 'bucket-1' }));
    const ofNobody = await post('/v2/authz/who-can', bearer, { action: `${COS}.object.put`, resource: { attributes: { accountId: '0123456789abcdef0123456789abcdef', serviceName: COS, serviceInstance: 'bucket-1' } } });
    expect(ofA.status).toBe(403);
    expect(ofNobody.status).toBe(ofA.status);
    const strip = (body: any) => JSON.stringify(body.errors.map((e: any) => ({ ...e, message: String(e.message).replace(/[0-9a-f]{32}/g, '<account>') })));
    expect(strip(ofA.body)).toBe(strip(ofNobody.body));
    expect(JSON.stringify(ofA.body)).not.toContain(direct.iamId);
    // And their own account's answer knows nothing of A.
    const own = await post('/v2/authz/who-can', bearer, { action: `${COS}.object.put`, resource: { attributes: { accountId: other.accountId, serviceName: COS, serviceInstance: 'bucket-1' } } });
    expect(own.status).toBe(200);
    expect(own.body.subjects).toEqual([]);
  });

  it('refuses bad input with a 400 in the PDP error shape', async () => {
    for (const body of [{ resource: { attributes: { accountId: owner.accountId } } }, { action: 'x', resource: { attributes: { serviceName: COS } } }, { action: 'x', resource: { crn: 'not-a-crn' } }]) {
      const reply = await post('/v2/authz/who-can', ownerBearer, body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.errors?.[0]?.message).toBeTruthy();
    }
    const unauthenticated = await fetch(`${server.url}/v2/authz/who-can`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(question(`${COS}.object.get`)) });
    expect(unauthenticated.status).toBe(401);
  });
});
