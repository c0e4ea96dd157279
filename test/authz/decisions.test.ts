import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupsClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';
import { bearerOf } from '../helpers/identities.js';

/** The decision endpoints over HTTP, against policies made through the official SDK. */

const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';
const QUERIER = 'crn:v1:bluemix:public:iam::::serviceRole:DecisionQuerier';
const COS = 'cloud-object-storage';

let server: TestServer;
let owner: Caller;
let ownerBearer: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  ownerBearer = await bearerOf(server.url, owner.apikey);
});
afterAll(() => server.close());

async function post(path: string, bearer: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: path.endsWith('/bulk') ? 'PUT' : 'POST',
    headers: { authorization: bearer, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const cosRequest = (subject: string, instance: string, action = `${COS}.bucket.get`) => ({
  requestId: `${subject}/${instance}`,
  subject: { attributes: { id: subject } },
  action,
  resource: { attributes: { accountId: owner.accountId, serviceName: COS, serviceInstance: instance } },
});

async function grant(subject: { iam_id?: string; access_group_id?: string }, role: string, attributes: Record<string, string>) {
  const [name, value] = subject.iam_id ? ['iam_id', subject.iam_id] : ['access_group_id', subject.access_group_id!];
  const response = await owner.policies.createPolicy({
    type: 'access',
    subjects: [{ attributes: [{ name, value }] }],
    roles: [{ role_id: role }],
    resources: [
      { attributes: [{ name: 'accountId', value: owner.accountId }, ...Object.entries(attributes).map(([n, v]) => ({ name: n, value: v }))] },
    ],
  });
  return { id: response.result.id!, revision: Number(response.headers['portcullis-revision']) };
}

describe('POST /v2/authz', () => {
  let member: Caller;
  beforeAll(async () => {
    member = await addMember(server, owner.accountId);
    await grant({ iam_id: member.iamId }, READER, { serviceName: COS, serviceInstance: 'instance-a' });
  });

  it('permits exactly what a policy grants, in IBM\'s response shape', async () => {
    const { status, body } = await post('/v2/authz', ownerBearer, [cosRequest(member.iamId, 'instance-a'), cosRequest(member.iamId, 'instance-b')]);
    expect(status).toBe(200);
    expect(body.responses).toHaveLength(2);
    const [allowed, denied] = body.responses;
    expect(allowed).toMatchObject({ requestId: `${member.iamId}/instance-a`, status: '200', authorizationDecision: { permitted: true, reason: '' } });
    expect(allowed.authorizationDecision.obligation.actions).toContain(`${COS}.bucket.get`);
    expect(allowed.authorizationDecision.obligation.maxCacheAgeSeconds).toBeGreaterThan(0);
    expect(denied.authorizationDecision.permitted).toBe(false);
    expect(denied.authorizationDecision.reason).not.toBe('');
  });

  it('explains which policy permitted and why nothing matched', async () => {
    const { body } = await post('/v2/authz?explain=true', ownerBearer, [cosRequest(member.iamId, 'instance-a'), cosRequest(member.iamId, 'instance-a', `${COS}.bucket.delete_bucket`)]);
    expect(body.responses[0].authorizationDecision.explain.policyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.responses[1].authorizationDecision.explain.cause).toBe('no_role_grants_action');
  });

  it('denies an action the catalog does not know, with that reason', async () => {
    const { body } = await post('/v2/authz', ownerBearer, [cosRequest(member.iamId, 'instance-a', `${COS}.bucket.teleport`)]);
    expect(body.responses[0].authorizationDecision).toMatchObject({ permitted: false });
    expect(body.responses[0].authorizationDecision.reason).toMatch(/not in the catalog/);
  });

  it('accepts a CRN resource and a subject given as a token body', async () => {
    const tokenBody = Buffer.from(JSON.stringify({ iam_id: member.iamId })).toString('base64url');
    const { body } = await post('/v2/authz', ownerBearer, [
      {
        subject: { accessTokenBody: tokenBody },
        action: `${COS}.bucket.get`,
        resource: { crn: `crn:v1:bluemix:public:${COS}:global:a/${owner.accountId}:instance-a:bucket:b1` },
      },
    ]);
    expect(body.responses[0].authorizationDecision.permitted).toBe(true);
  });

  it('lets nobody map other people\'s access: a caller without the decision-query role gets 403 per request', async () => {
    const memberBearer = await bearerOf(server.url, member.apikey);
    const { status, body } = await post('/v2/authz', memberBearer, [cosRequest(owner.iamId, 'instance-a')]);
    expect(status).toBe(200);
    expect(body.responses[0].status).toBe('403');
    expect(body.responses[0].authorizationDecision).toBeUndefined();
  });

  it('a service\'s enforcement point may query once it holds the Decision Querier role on that service only', async () => {
    const pep = await addMember(server, owner.accountId);
    const pepBearer = await bearerOf(server.url, pep.apikey);
    const { revision } = await grant({ iam_id: pep.iamId }, QUERIER, { serviceName: COS });
    const { body } = await post('/v2/authz', pepBearer, [cosRequest(member.iamId, 'instance-a')], { 'Portcullis-Min-Revision': String(revision) });
    expect(body.responses[0].authorizationDecision.permitted).toBe(true);
    const other = await post('/v2/authz', pepBearer, [{ ...cosRequest(member.iamId, 'x'), action: 'kms.secrets.read', resource: { attributes: { accountId: owner.accountId, serviceName: 'kms' } } }]);
    expect(other.body.responses[0].status).toBe('403');
  });

  it('a write\'s revision, passed back, is never answered from an older snapshot', async () => {
    const fresh = await addMember(server, owner.accountId);
    const { revision } = await grant({ iam_id: fresh.iamId }, READER, { serviceName: COS });
    expect(revision).toBeGreaterThan(0);
    const { body } = await post(`/v2/authz?min_revision=${revision}`, ownerBearer, [cosRequest(fresh.iamId, 'any')]);
    expect(body.responses[0].authorizationDecision.permitted).toBe(true);
  });

  it('decides for a service identity named by its CRN attributes alone, as IBM\'s enforcement points send it', async () => {
    await owner.policies.createPolicy({
      type: 'authorization',
      subjects: [{ attributes: [{ name: 'serviceName', value: COS }, { name: 'accountId', value: owner.accountId }] }],
      roles: [{ role_id: READER }],
      resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: 'kms' }] }],
    });
    const asking = (attributes: Record<string, string>, action: string) => ({
      subject: { attributes },
      action,
      resource: { attributes: { accountId: owner.accountId, serviceName: 'kms' } },
    });
    const source = { serviceName: COS, accountId: owner.accountId, serviceInstance: 'cos-instance', scope: 'ibm' };
    const { body } = await post('/v2/authz', ownerBearer, [
      asking(source, 'kms.secrets.unwrap'),
      asking(source, 'kms.secrets.delete'),
      asking({ ...source, serviceName: 'containers-kubernetes' }, 'kms.secrets.unwrap'),
      asking({ scope: 'ibm' }, 'kms.secrets.unwrap'),
    ]);
    expect(body.responses.map((r: any) => r.authorizationDecision?.permitted ?? r.status)).toEqual([true, false, false, '400']);
  });

  it('refuses a missing or invalid bearer token with 401 and malformed bodies with 400', async () => {
    expect((await post('/v2/authz', 'Bearer nope', [cosRequest(member.iamId, 'instance-a')])).status).toBe(401);
    expect((await post('/v2/authz', ownerBearer, { not: 'an array' })).status).toBe(400);
    expect((await post('/v2/authz', ownerBearer, [{ subject: {}, action: 'x' }])).status).toBe(400);
  });
});

describe('PUT /v2/authz/bulk and POST /v2/authz/roles', () => {
  let member: Caller;
  beforeAll(async () => {
    member = await addMember(server, owner.accountId);
    await grant({ iam_id: member.iamId }, READER, { serviceName: COS, serviceInstance: 'bulk-1' });
  });

  it('bulk answers one decision per resource, in order', async () => {
    const { status, body } = await post('/v2/authz/bulk', ownerBearer, {
      subject: { attributes: { id: member.iamId } },
      action: `${COS}.bucket.get`,
      resources: { sharedAttributes: { accountId: owner.accountId, serviceName: COS }, uniqueAttributes: [{ serviceInstance: 'bulk-1' }, { serviceInstance: 'bulk-2' }] },
    });
    expect(status).toBe(200);
    expect(body.decisions.map((d: { decision: string }) => d.decision)).toEqual(['Permit', 'Deny']);
  });

  it('roles lists the roles and actions a subject holds on a resource', async () => {
    const { body } = await post('/v2/authz/roles', ownerBearer, [
      { subject: { attributes: { id: member.iamId } }, resource: { attributes: { accountId: owner.accountId, serviceName: COS, serviceInstance: 'bulk-1' } } },
    ]);
    const response = body.responses[0];
    expect(response.status).toBe('200');
    expect(response.roleActions.map((r: { role: { crn: string } }) => r.role.crn)).toEqual([READER]);
    expect(response.roleActions[0].actions.map((a: { action: string }) => a.action)).toContain(`${COS}.bucket.get`);
  });
});

describe('access through an access group', () => {
  it('appears with the membership and the group policy, and disappears when either is removed', async () => {
    const member = await addMember(server, owner.accountId);
    const groups = groupsClient(server.url, owner.apikey);
    const group = (await groups.createAccessGroup({ accountId: owner.accountId, name: 'readers' })).result;
    const decide = async (revision: number) =>
      (await post(`/v2/authz?min_revision=${revision}`, ownerBearer, [cosRequest(member.iamId, 'grp')])).body.responses[0].authorizationDecision.permitted;

    const policy = await grant({ access_group_id: group.id! }, READER, { serviceName: COS });
    expect(await decide(policy.revision)).toBe(false);

    const added = await groups.addMembersToAccessGroup({ accessGroupId: group.id!, members: [{ iam_id: member.iamId, type: 'user' }] });
    expect(await decide(Number(added.headers['portcullis-revision']))).toBe(true);

    const removed = await groups.removeMemberFromAccessGroup({ accessGroupId: group.id!, iamId: member.iamId });
    expect(await decide(Number(removed.headers['portcullis-revision']))).toBe(false);

    const again = await groups.addMembersToAccessGroup({ accessGroupId: group.id!, members: [{ iam_id: member.iamId, type: 'user' }] });
    expect(await decide(Number(again.headers['portcullis-revision']))).toBe(true);
    const deleted = await owner.policies.deletePolicy({ policyId: policy.id });
    expect(await decide(Number(deleted.headers['portcullis-revision']))).toBe(false);
  });
});
