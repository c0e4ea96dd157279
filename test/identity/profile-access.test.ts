import { BearerTokenAuthenticator } from 'ibm-cloud-sdk-core';
import IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearerOf, errorOf, statusOf } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createOtherAccount, ownerOf, type Caller } from '../helpers/callers.js';

/**
 * A trusted profile as a principal: policies name it, access groups hold it, the decision point
 * resolves it like any identity (its own policies plus its groups'), and a token whose subject is
 * the profile is allowed exactly that. The grants that issue profile tokens are another issue's;
 * here the token is signed with the server's own signing key, as those grants do.
 */

const COS = 'cloud-object-storage';
const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';
const VIEWER = 'crn:v1:bluemix:public:iam::::role:Viewer';

let server: TestServer;
let owner: Caller;
let other: Caller;
let ownerBearer: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  other = await createOtherAccount(server);
  ownerBearer = await bearerOf(server.url, owner.apikey);
});
afterAll(() => server?.close());

/** An access token of the profile, signed by the server's current key with the claims IBM gives profile tokens. */
async function profileToken(profile: { id: string; iam_id: string; account_id: string; name: string }): Promise<string> {
  const { kid, key } = server.server.registry.signingKeys.current();
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iam_id: profile.iam_id,
    id: profile.iam_id,
    realmid: 'iam',
    identifier: profile.id,
    name: profile.name,
    sub: profile.id,
    sub_type: 'Profile',
    account: { valid: true, bss: profile.account_id },
    iat,
    exp: iat + 600,
    iss: `${server.server.registry.site.url}/identity`,
    grant_type: 'urn:ibm:params:oauth:grant-type:assume',
    scope: 'ibm openid',
    client_id: 'default',
  })
    .setProtectedHeader({ kid, alg: 'RS256' })
    .sign(key);
}

const asBearer = (token: string) => new IamIdentityV1({ authenticator: new BearerTokenAuthenticator({ bearerToken: token }), serviceUrl: server.url });

async function policyFor(subject: { name: 'iam_id' | 'access_group_id'; value: string }, role: string, resource: Record<string, string>) {
  const created = await owner.policies.createPolicy({
    type: 'access',
    subjects: [{ attributes: [subject] }],
    roles: [{ role_id: role }],
    resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, ...Object.entries(resource).map(([name, value]) => ({ name, value }))] }],
  });
  return created.result;
}

async function authz(subjectId: string, instance: string, explain = false) {
  const response = await fetch(`${server.url}/v2/authz${explain ? '?explain=true' : ''}`, {
    method: 'POST',
    headers: { authorization: ownerBearer, 'content-type': 'application/json' },
    body: JSON.stringify([
      { subject: { attributes: { id: subjectId } }, action: `${COS}.bucket.get`, resource: { attributes: { accountId: owner.accountId, serviceName: COS, serviceInstance: instance } } },
    ]),
  });
  return ((await response.json()) as any).responses[0].authorizationDecision;
}

describe('a trusted profile as a principal', () => {
  it('is a policy subject and an access-group member of its own account only', async () => {
    const profile = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'subject probe' })).result;
    const foreign = (await other.identity.createProfile({ accountId: other.accountId, name: 'foreign probe' })).result;
    const policy = await policyFor({ name: 'iam_id', value: profile.iam_id }, READER, { serviceName: COS, serviceInstance: 'probe' });
    expect(policy.subjects![0]!.attributes![0]).toMatchObject({ name: 'iam_id', value: profile.iam_id });
    // Another account's profile, or one that does not exist, is not a subject here.
    for (const iamId of [foreign.iam_id, 'iam-Profile-00000000-0000-4000-8000-000000000000']) {
      expect(await statusOf(policyFor({ name: 'iam_id', value: iamId }, READER, { serviceName: COS }))).toBe(400);
    }

    const group = (await owner.groups.createAccessGroup({ accountId: owner.accountId, name: 'profiles probe' })).result;
    const added = await owner.groups.addMembersToAccessGroup({
      accessGroupId: group.id!,
      members: [
        { iam_id: profile.iam_id, type: 'profile' },
        { iam_id: foreign.iam_id, type: 'profile' },
      ],
    });
    expect(added.status).toBe(207);
    const [mine, theirs] = added.result.members!;
    expect(mine).toMatchObject({ iam_id: profile.iam_id, type: 'profile', status_code: 200 });
    expect(theirs!.status_code).not.toBe(200);
    const members = (await owner.groups.listAccessGroupMembers({ accessGroupId: group.id!, verbose: true })).result.members!;
    expect(members.map((m) => [m.iam_id, m.type])).toEqual([[profile.iam_id, 'profile']]);
    // Stating the wrong member type for a profile IAM id is refused.
    const mistyped = await owner.groups.addMembersToAccessGroup({ accessGroupId: group.id!, members: [{ iam_id: profile.iam_id, type: 'service' }] });
    expect(mistyped.result.members![0]!.status_code).toBe(400);
  });

  it('is allowed what its policies and its groups\' policies give, and the explanation names it', async () => {
    const profile = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'decided' })).result;
    await policyFor({ name: 'iam_id', value: profile.iam_id }, READER, { serviceName: COS, serviceInstance: 'direct' });
    const group = (await owner.groups.createAccessGroup({ accountId: owner.accountId, name: 'via group' })).result;
    await owner.groups.addMembersToAccessGroup({ accessGroupId: group.id!, members: [{ iam_id: profile.iam_id, type: 'profile' }] });
    await policyFor({ name: 'access_group_id', value: group.id! }, READER, { serviceName: COS, serviceInstance: 'grouped' });

    expect((await authz(profile.iam_id, 'direct')).permitted).toBe(true);
    expect((await authz(profile.iam_id, 'grouped')).permitted).toBe(true);
    expect((await authz(profile.iam_id, 'elsewhere')).permitted).toBe(false);
    const explained = await authz(profile.iam_id, 'grouped', true);
    expect(explained.explain.trace.subjects).toEqual(expect.arrayContaining([profile.iam_id, group.id]));
  });

  it('a token whose subject is the profile is allowed exactly what the profile\'s policies give, and nothing once it is deleted', async () => {
    const profile = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'token holder' })).result;
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'seen by the profile' })).result;
    const asProfile = asBearer(await profileToken(profile));

    // Without a policy the profile may do nothing.
    expect(await statusOf(asProfile.getServiceId({ id: sid.id }))).toBe(403);
    expect(await statusOf(asProfile.getProfile({ profileId: profile.id }))).toBe(403);

    // Viewer on service IDs: reads service IDs, nothing else.
    await policyFor({ name: 'iam_id', value: profile.iam_id }, VIEWER, { serviceName: 'iam-identity', resourceType: 'serviceid' });
    expect((await asProfile.getServiceId({ id: sid.id })).result.id).toBe(sid.id);
    expect(await statusOf(asProfile.updateServiceId({ id: sid.id, ifMatch: '*', name: 'changed by the profile' }))).toBe(403);
    expect(await statusOf(asProfile.getProfile({ profileId: profile.id }))).toBe(403);
    expect(await statusOf(asProfile.createProfile({ accountId: owner.accountId, name: 'spawned' }))).toBe(403);
    // It acts in its own account only.
    expect(await statusOf(asProfile.listProfiles({ accountId: other.accountId }))).toBe(403);

    // Deleting the profile takes its policies and memberships along, and its token stops working.
    const group = (await owner.groups.createAccessGroup({ accountId: owner.accountId, name: 'left behind' })).result;
    await owner.groups.addMembersToAccessGroup({ accessGroupId: group.id!, members: [{ iam_id: profile.iam_id, type: 'profile' }] });
    await owner.identity.deleteProfile({ profileId: profile.id });
    const policies = (await owner.policies.listPolicies({ accountId: owner.accountId, iamId: profile.iam_id })).result.policies;
    expect(policies).toEqual([]);
    expect((await owner.groups.listAccessGroupMembers({ accessGroupId: group.id! })).result.members).toEqual([]);
    await vi.waitFor(async () => expect((await errorOf(asProfile.getServiceId({ id: sid.id }))).status).toBe(401), { timeout: 5000, interval: 200 });
  });
});
