import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addMember, ownerOf, type Caller } from '../helpers/callers.js';

/**
 * Changing who may assume a trusted profile hands its access over (authz.md §3.1): adding an
 * identity, a claim rule or a link is allowed only to someone who could grant every policy the
 * profile holds, directly or through its access groups. Narrowing (removing) is not a grant.
 */

const COS = 'cloud-object-storage';
const role = (name: string) => `crn:v1:bluemix:public:iam::::role:${name}`;
const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';

let server: TestServer;
let owner: Caller;
/** Editor on iam-identity and Editor (not Administrator) on COS. */
let editor: Caller;
/** Editor on iam-identity and Administrator on COS. */
let cosAdmin: Caller;
/** Viewer on iam-identity only. */
let viewer: Caller;

async function grant(iamIdOrGroup: { iam_id: string } | { access_group_id: string }, roleId: string, serviceName: string) {
  const [name, value] = Object.entries(iamIdOrGroup)[0]!;
  await owner.policies.createPolicy({
    type: 'access',
    subjects: [{ attributes: [{ name, value }] }],
    roles: [{ role_id: roleId }],
    resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: serviceName }] }],
  });
}

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  editor = await addMember(server, owner.accountId);
  cosAdmin = await addMember(server, owner.accountId);
  viewer = await addMember(server, owner.accountId);
  await grant({ iam_id: editor.iamId }, role('Editor'), 'iam-identity');
  await grant({ iam_id: editor.iamId }, role('Editor'), COS);
  await grant({ iam_id: cosAdmin.iamId }, role('Editor'), 'iam-identity');
  await grant({ iam_id: cosAdmin.iamId }, role('Administrator'), COS);
  await grant({ iam_id: viewer.iamId }, role('Viewer'), 'iam-identity');
});
afterAll(() => server?.close());

const cond = [{ claim: 'email', operator: 'EQUALS', value: '"someone@example.com"' }];

describe('changing who may assume a profile is a grant of its access', () => {
  it('an Editor who does not administer what the profile holds cannot make himself (or anyone) able to assume it', async () => {
    const profile = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'holds COS reader' })).result;
    await grant({ iam_id: profile.iam_id }, READER, COS);
    const p = profile.id;
    const e = editor.identity;
    expect(await statusOf(e.setProfileIdentity({ profileId: p, identityType: 'user', identifier: editor.iamId, type: 'user' }))).toBe(403);
    expect(await statusOf(e.setProfileIdentities({ profileId: p, ifMatch: '*', identities: [{ identifier: editor.iamId, type: 'user' }] }))).toBe(403);
    expect(await statusOf(e.createClaimRule({ profileId: p, type: 'Profile-SAML', realmName: 'https://idp.example.com', expiration: 3600, conditions: cond }))).toBe(403);
    expect(await statusOf(e.createLink({ profileId: p, crType: 'VSI', link: { crn: `crn:v1:bluemix:public:is:us-south:a/${owner.accountId}::instance:mine` } }))).toBe(403);
    // Widening an existing rule is a grant too.
    const rule = (await owner.identity.createClaimRule({ profileId: p, type: 'Profile-CR', crType: 'IKS_SA', conditions: [{ claim: 'namespace', operator: 'EQUALS', value: '"prod"' }] })).result;
    expect(await statusOf(e.updateClaimRule({ profileId: p, ruleId: rule.id, ifMatch: '*', type: 'Profile-CR', crType: 'IKS_SA', conditions: [{ claim: 'namespace', operator: 'NOT_EQUALS', value: '"none"' }] }))).toBe(403);

    // Nothing changed.
    expect((await owner.identity.getProfileIdentities({ profileId: p })).result.identities).toEqual([]);
    expect((await owner.identity.listClaimRules({ profileId: p })).result.rules).toEqual([rule]);
    expect((await owner.identity.listLinks({ profileId: p })).result.links).toEqual([]);

    // Who administers COS may.
    const added = await cosAdmin.identity.setProfileIdentity({ profileId: p, identityType: 'user', identifier: cosAdmin.iamId, type: 'user' });
    expect(added.result.iam_id).toBe(cosAdmin.iamId);
    expect((await cosAdmin.identity.createClaimRule({ profileId: p, type: 'Profile-SAML', realmName: 'https://idp.example.com', expiration: 3600, conditions: cond })).status).toBe(201);
  });

  it('counts the access the profile holds through its access groups', async () => {
    const profile = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'holds via group' })).result;
    const group = (await owner.groups.createAccessGroup({ accountId: owner.accountId, name: 'kms administrators' })).result;
    await grant({ access_group_id: group.id! }, role('Administrator'), 'kms');
    await owner.groups.addMembersToAccessGroup({ accessGroupId: group.id!, members: [{ iam_id: profile.iam_id, type: 'profile' }] });
    // Administrator on COS does not reach kms.
    expect(await statusOf(cosAdmin.identity.setProfileIdentity({ profileId: profile.id, identityType: 'user', identifier: cosAdmin.iamId, type: 'user' }))).toBe(403);
    // Without the group's policy the profile holds nothing, and then nothing is handed over.
    const bare = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'holds nothing' })).result;
    expect((await editor.identity.setProfileIdentity({ profileId: bare.id, identityType: 'user', identifier: editor.iamId, type: 'user' })).status).toBe(200);
  });

  it('narrowing is not a grant: removing identities, rules and links needs only the right to update the profile', async () => {
    const profile = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'to narrow' })).result;
    await grant({ iam_id: profile.iam_id }, READER, COS);
    const p = profile.id;
    const list = (
      await owner.identity.setProfileIdentities({
        profileId: p,
        ifMatch: '*',
        identities: [
          { identifier: owner.iamId, type: 'user' },
          { identifier: cosAdmin.iamId, type: 'user' },
        ],
      })
    ).result;
    const rule = (await owner.identity.createClaimRule({ profileId: p, type: 'Profile-CR', crType: 'CE', conditions: cond })).result;
    const link = (await owner.identity.createLink({ profileId: p, crType: 'VSI', link: { crn: `crn:v1:bluemix:public:is:us-south:a/${owner.accountId}::instance:narrow` } })).result;
    const e = editor.identity;
    // Re-sending the list minus one entry does not widen it.
    const narrowed = await e.setProfileIdentities({ profileId: p, ifMatch: list.entity_tag!, identities: [{ identifier: owner.iamId, type: 'user' }] });
    expect(narrowed.result.identities!.map((i) => i.identifier)).toEqual([owner.iamId]);
    // Letting the remaining user assume it from more accounts widens it.
    expect(await statusOf(e.setProfileIdentities({ profileId: p, ifMatch: '*', identities: [{ identifier: owner.iamId, type: 'user', accounts: ['f'.repeat(32)] }] }))).toBe(403);
    expect((await e.deleteProfileIdentity({ profileId: p, identityType: 'user', identifierId: owner.iamId })).status).toBe(204);
    expect((await e.deleteClaimRule({ profileId: p, ruleId: rule.id })).status).toBe(204);
    expect((await e.deleteLink({ profileId: p, linkId: link.id })).status).toBe(204);
  });

  it('a Viewer of iam-identity reads profiles but changes nothing; only Administrators create and only Administrators and Operators delete', async () => {
    const profile = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'viewed' })).result;
    const v = viewer.identity;
    expect((await v.getProfile({ profileId: profile.id })).result.id).toBe(profile.id);
    expect((await v.listProfiles({ accountId: owner.accountId })).result.profiles.map((x) => x.id)).toContain(profile.id);
    expect((await v.getProfileIdentities({ profileId: profile.id })).status).toBe(200);
    expect(await statusOf(v.updateProfile({ profileId: profile.id, ifMatch: '*', description: 'viewed and changed' }))).toBe(403);
    expect(await statusOf(v.setProfileIdentity({ profileId: profile.id, identityType: 'user', identifier: viewer.iamId, type: 'user' }))).toBe(403);
    expect(await statusOf(v.createLink({ profileId: profile.id, crType: 'VSI', link: { crn: `crn:v1:bluemix:public:is:us-south:a/${owner.accountId}::instance:v` } }))).toBe(403);
    expect(await statusOf(v.deleteProfile({ profileId: profile.id }))).toBe(403);
    expect(await statusOf(editor.identity.createProfile({ accountId: owner.accountId, name: 'by an editor' }))).toBe(403);
    expect(await statusOf(editor.identity.deleteProfile({ profileId: profile.id }))).toBe(403);
    expect((await editor.identity.updateProfile({ profileId: profile.id, ifMatch: '*', description: 'edited' })).result.description).toBe('edited');
  });
});
