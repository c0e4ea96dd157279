import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf, errorOf, rawCall, statusOf } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createOtherAccount, ownerOf, type Caller } from '../helpers/callers.js';
import { pagetokenOf } from './helpers.js';

let server: TestServer;
let owner: Caller;
let other: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  other = await createOtherAccount(server);
});
afterAll(() => server?.close());

let n = 0;
const newProfile = async (caller: Caller = owner, name = `profile ${++n}`) =>
  (await caller.identity.createProfile({ accountId: caller.accountId, name, description: 'd' })).result;

describe('trusted profiles', () => {
  it('creates a profile with IBM ids, CRN and tag, reads it back, and its IAM id is an identity of the account', async () => {
    const created = await owner.identity.createProfile({ accountId: owner.accountId, name: 'ci deployer', description: 'deploys', email: 'ci@example.com' });
    expect(created.status).toBe(201);
    const p = created.result;
    expect(p.id).toMatch(/^Profile-[0-9a-f-]{36}$/);
    expect(p.iam_id).toBe(`iam-${p.id}`);
    expect(p.crn).toBe(`crn:v1:bluemix:public:iam-identity::a/${owner.accountId}::profile:${p.id}`);
    expect(p).toMatchObject({ name: 'ci deployer', description: 'deploys', email: 'ci@example.com', account_id: owner.accountId });
    expect(created.headers.etag).toBe(p.entity_tag);
    expect(p.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d\+0000$/);

    const read = await owner.identity.getProfile({ profileId: p.id, includeActivity: true });
    expect(read.result).toMatchObject({ id: p.id, name: 'ci deployer', entity_tag: p.entity_tag, activity: { authn_count: 0 } });
    expect(read.headers.etag).toBe(p.entity_tag);
    expect(await server.server.registry.directory.identityOf(owner.accountId, p.iam_id)).toEqual({ kind: 'profile' });
    expect(await server.server.registry.directory.identityOf(other.accountId, p.iam_id)).toBeUndefined();
  });

  it('keeps names unique per account (409), not across accounts', async () => {
    await newProfile(owner, 'unique name');
    const dup = await errorOf(owner.identity.createProfile({ accountId: owner.accountId, name: 'unique name' }));
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].message).toContain('unique name');
    expect((await other.identity.createProfile({ accountId: other.accountId, name: 'unique name' })).status).toBe(201);
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    expect(await statusOf(owner.identity.createProfile({ accountId: 'invalid', name: 'x' }))).toBe(400);
    expect(await statusOf(owner.identity.createProfile({ accountId: owner.accountId, name: '  ' }))).toBe(400);
    expect(await statusOf(owner.identity.createProfile({ accountId: owner.accountId, name: 'bad mail', email: 'nope' }))).toBe(400);
    const names = (await owner.identity.listProfiles({ accountId: owner.accountId, pagesize: 100 })).result.profiles.map((p) => p.name);
    expect(names).not.toContain('bad mail');
  });

  it('updates with If-Match: a stale tag is 412, * updates any version, an empty description clears it', async () => {
    const p = await newProfile();
    const updated = await owner.identity.updateProfile({ profileId: p.id, ifMatch: p.entity_tag, name: `${p.name} renamed`, description: '' });
    expect(updated.result.name).toBe(`${p.name} renamed`);
    expect(updated.result.description).toBeUndefined();
    expect(updated.result.entity_tag).not.toBe(p.entity_tag);
    expect(await statusOf(owner.identity.updateProfile({ profileId: p.id, ifMatch: p.entity_tag, name: 'stale' }))).toBe(412);
    const raw = await rawCall(server.url, await bearerOf(server.url, owner.apikey), 'PUT', `/v1/profiles/${p.id}`, '{"name":"no tag"}');
    expect(raw.status).toBe(428);
    expect((await owner.identity.updateProfile({ profileId: p.id, ifMatch: '*', email: 'x@example.com' })).result.email).toBe('x@example.com');
    const history = (await owner.identity.listProfiles({ accountId: owner.accountId, name: `${p.name} renamed`, includeHistory: true })).result.profiles[0]!.history!;
    expect(history.map((h) => h.action)).toEqual(['create', 'update', 'update']);
  });

  it('lists profiles page by page with pagetokens, sorted by name', async () => {
    const account = await createOtherAccount(server);
    for (const name of ['p-c', 'p-a', 'p-e', 'p-b', 'p-d']) await newProfile(account, name);
    const seen: string[] = [];
    let page = (await account.identity.listProfiles({ accountId: account.accountId, pagesize: 2, sort: 'name' })).result;
    seen.push(...page.profiles.map((p) => p.name));
    expect(page.limit).toBe(2);
    expect(page.first).toContain('/v1/profiles?pagetoken=');
    while (page.next) {
      page = (await account.identity.listProfiles({ accountId: account.accountId, pagetoken: pagetokenOf(page.next) })).result;
      seen.push(...page.profiles.map((p) => p.name));
    }
    expect(seen).toEqual(['p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
    expect(page.previous).toBeDefined();
    const back = (await account.identity.listProfiles({ accountId: account.accountId, pagetoken: pagetokenOf(page.previous!) })).result;
    expect(back.profiles.map((p) => p.name)).toEqual(['p-c', 'p-d']);
    expect(await statusOf(account.identity.listProfiles({ accountId: account.accountId, pagetoken: 'garbage' }))).toBe(400);
  });

  it('deletes a profile with its rules, links and identities; everything about it is then 404', async () => {
    const p = await newProfile();
    await owner.identity.createClaimRule({ profileId: p.id, type: 'Profile-SAML', realmName: 'https://idp.example.com', expiration: 3600, conditions: [{ claim: 'groups', operator: 'EQUALS', value: '"dev"' }] });
    expect((await owner.identity.deleteProfile({ profileId: p.id })).status).toBe(204);
    expect(await statusOf(owner.identity.getProfile({ profileId: p.id }))).toBe(404);
    expect(await statusOf(owner.identity.listClaimRules({ profileId: p.id }))).toBe(404);
    expect(await statusOf(owner.identity.deleteProfile({ profileId: p.id }))).toBe(404);
    expect(await server.server.registry.directory.identityOf(owner.accountId, p.iam_id)).toBeUndefined();
  });

  it("answers unknown ids and another account's profiles alike: 404", async () => {
    const p = await newProfile();
    const o = other.identity;
    for (const profileId of ['invalid', p.id]) {
      expect(await statusOf(o.getProfile({ profileId }))).toBe(404);
      expect(await statusOf(o.updateProfile({ profileId, ifMatch: '*', description: 'stolen' }))).toBe(404);
      expect(await statusOf(o.deleteProfile({ profileId }))).toBe(404);
      expect(await statusOf(o.createClaimRule({ profileId, type: 'Profile-CR', crType: 'VSI', conditions: [{ claim: 'a', operator: 'EQUALS', value: '"b"' }] }))).toBe(404);
      expect(await statusOf(o.listClaimRules({ profileId }))).toBe(404);
      expect(await statusOf(o.getClaimRule({ profileId, ruleId: 'invalid' }))).toBe(404);
      expect(await statusOf(o.deleteClaimRule({ profileId, ruleId: 'invalid' }))).toBe(404);
      expect(await statusOf(o.createLink({ profileId, crType: 'VSI', link: { crn: `crn:v1:bluemix:public:is::a/${other.accountId}::instance:x` } }))).toBe(404);
      expect(await statusOf(o.listLinks({ profileId }))).toBe(404);
      expect(await statusOf(o.getLink({ profileId, linkId: 'invalid' }))).toBe(404);
      expect(await statusOf(o.deleteLink({ profileId, linkId: 'invalid' }))).toBe(404);
      expect(await statusOf(o.getProfileIdentities({ profileId }))).toBe(404);
      expect(await statusOf(o.setProfileIdentities({ profileId, ifMatch: '*', identities: [{ identifier: other.iamId, type: 'user' }] }))).toBe(404);
      expect(await statusOf(o.setProfileIdentity({ profileId, identityType: 'user', identifier: other.iamId, type: 'user' }))).toBe(404);
      expect(await statusOf(o.getProfileIdentity({ profileId, identityType: 'user', identifierId: other.iamId }))).toBe(404);
    }
    // Naming the account explicitly is forbidden.
    expect(await statusOf(o.listProfiles({ accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(o.createProfile({ accountId: owner.accountId, name: 'intruder' }))).toBe(403);
    expect((await owner.identity.getProfile({ profileId: p.id })).result.entity_tag).toBe(p.entity_tag);
    expect((await owner.identity.getProfileIdentities({ profileId: p.id })).result.identities).toEqual([]);
  });
});

describe('claim rules', () => {
  it('adds SAML and compute-resource rules, reads, lists, replaces with If-Match and deletes them', async () => {
    const p = await newProfile();
    const saml = (
      await owner.identity.createClaimRule({
        profileId: p.id,
        type: 'Profile-SAML',
        name: 'europe',
        realmName: 'https://idp.example.com/saml',
        expiration: 43200,
        conditions: [{ claim: 'blueGroups', operator: 'EQUALS', value: JSON.stringify("{'Europe_Group'}") }],
      })
    ).result;
    expect(saml).toMatchObject({ type: 'Profile-SAML', realm_name: 'https://idp.example.com/saml', expiration: 43200, name: 'europe' });
    expect(saml.id).toMatch(/^ClaimRule-[0-9a-f-]{36}$/);
    expect(saml.conditions).toEqual([{ claim: 'blueGroups', operator: 'EQUALS', value: "\"{'Europe_Group'}\"" }]);
    const cr = (
      await owner.identity.createClaimRule({
        profileId: p.id,
        type: 'Profile-CR',
        crType: 'IKS_SA',
        conditions: [{ claim: 'namespace', operator: 'IN', value: '["prod","staging"]' }],
      })
    ).result;
    expect(cr).toMatchObject({ type: 'Profile-CR', cr_type: 'IKS_SA', expiration: 43200 });
    expect(cr.realm_name).toBeUndefined();

    const got = await owner.identity.getClaimRule({ profileId: p.id, ruleId: saml.id });
    expect(got.result).toEqual(saml);
    expect(got.headers.etag).toBe(saml.entity_tag);
    expect((await owner.identity.listClaimRules({ profileId: p.id })).result.rules.map((r) => r.id)).toEqual([saml.id, cr.id]);

    const replaced = (
      await owner.identity.updateClaimRule({
        profileId: p.id,
        ruleId: saml.id,
        ifMatch: saml.entity_tag,
        type: 'Profile-SAML',
        realmName: 'https://idp.example.com/saml',
        expiration: 33200,
        conditions: [{ claim: 'blueGroups', operator: 'CONTAINS', value: '"Europe"' }],
      })
    ).result;
    expect(replaced).toMatchObject({ expiration: 33200, conditions: [{ operator: 'CONTAINS' }] });
    expect(replaced.name).toBeUndefined();
    const stale = owner.identity.updateClaimRule({ profileId: p.id, ruleId: saml.id, ifMatch: saml.entity_tag, type: 'Profile-SAML', realmName: 'r', expiration: 900, conditions: [{ claim: 'a', operator: 'EQUALS', value: '"b"' }] });
    expect(await statusOf(stale)).toBe(412);

    expect((await owner.identity.deleteClaimRule({ profileId: p.id, ruleId: saml.id })).status).toBe(204);
    expect(await statusOf(owner.identity.getClaimRule({ profileId: p.id, ruleId: saml.id }))).toBe(404);
    expect(await statusOf(owner.identity.deleteClaimRule({ profileId: p.id, ruleId: saml.id }))).toBe(404);
    const history = (await owner.identity.getProfile({ profileId: p.id })).result;
    expect(history.id).toBe(p.id);
  });

  it("refuses rules that break IBM's rules with 400 naming the field", async () => {
    const p = await newProfile();
    const cond = [{ claim: 'groups', operator: 'EQUALS', value: '"x"' }];
    const cases: Array<[Parameters<typeof owner.identity.createClaimRule>[0], string]> = [
      [{ profileId: p.id, type: 'Profile-SAML', expiration: 3600, conditions: cond }, 'realm_name'],
      [{ profileId: p.id, type: 'Profile-SAML', realmName: 'r', conditions: cond }, 'expiration'],
      [{ profileId: p.id, type: 'Profile-SAML', realmName: 'r', expiration: 5, conditions: cond }, 'expiration'],
      [{ profileId: p.id, type: 'Profile-CR', conditions: cond }, 'cr_type'],
      [{ profileId: p.id, type: 'Profile-CR', crType: 'MAINFRAME', conditions: cond }, 'cr_type'],
      [{ profileId: p.id, type: 'Profile-Other', conditions: cond }, 'type'],
      [{ profileId: p.id, type: 'Profile-CR', crType: 'VSI', conditions: [] }, 'conditions'],
      [{ profileId: p.id, type: 'Profile-CR', crType: 'VSI', conditions: [{ claim: 'a', operator: 'LIKE', value: '"b"' }] }, 'operator'],
    ];
    for (const [params, field] of cases) {
      const refused = await errorOf(owner.identity.createClaimRule(params));
      expect(refused.status, field).toBe(400);
      expect(refused.body.errors[0].message, field).toContain(field);
    }
    expect((await owner.identity.listClaimRules({ profileId: p.id })).result.rules).toEqual([]);
  });

  it('allows at most 20 compute-resource rules per profile', async () => {
    const p = await newProfile();
    const rule = (i: number) => ({ profileId: p.id, type: 'Profile-CR', crType: 'CE', conditions: [{ claim: 'project', operator: 'EQUALS', value: `"p${i}"` }] });
    await Promise.all(Array.from({ length: 20 }, (_, i) => owner.identity.createClaimRule(rule(i))));
    const over = await errorOf(owner.identity.createClaimRule(rule(20)));
    expect(over.status).toBe(409);
    expect((await owner.identity.listClaimRules({ profileId: p.id })).result.rules).toHaveLength(20);
  });
});

describe('compute-resource links', () => {
  const cluster = () => `crn:v1:bluemix:public:containers-kubernetes:us-south:a/${owner.accountId}:c0ffee::`;

  it('links Kubernetes service accounts and Code Engine components, lists, reads and deletes them by id and by parameters', async () => {
    const p = await newProfile();
    const k8s = (await owner.identity.createLink({ profileId: p.id, name: 'nice link', crType: 'ROKS_SA', link: { crn: cluster(), namespace: 'default', name: 'deployer' } })).result;
    expect(k8s.id).toMatch(/^ProfileLink-/);
    expect(k8s).toMatchObject({ name: 'nice link', cr_type: 'ROKS_SA', is_cross_account: false, link: { crn: cluster(), namespace: 'default', name: 'deployer' } });
    const ceCrn = `crn:v1:bluemix:public:codeengine:us-south:a/${owner.accountId}:project-1::`;
    const ce = (await owner.identity.createLink({ profileId: p.id, crType: 'CE', link: { crn: ceCrn, component_type: 'application', component_name: 'web' } })).result;
    expect(ce.link).toEqual({ crn: ceCrn, component_type: 'application', component_name: 'web' });

    expect((await owner.identity.getLink({ profileId: p.id, linkId: k8s.id })).result).toEqual(k8s);
    expect((await owner.identity.listLinks({ profileId: p.id })).result.links.map((l) => l.id)).toEqual([k8s.id, ce.id]);
    // The same target twice: 409.
    expect(await statusOf(owner.identity.createLink({ profileId: p.id, crType: 'ROKS_SA', link: { crn: cluster(), namespace: 'default', name: 'deployer' } }))).toBe(409);

    // By parameters: nothing matching is 404; a match deletes exactly it.
    expect(await statusOf(owner.identity.deleteLinkByParameters({ profileId: p.id, type: 'CE', crn: ceCrn, componentName: 'api' }))).toBe(404);
    expect((await owner.identity.deleteLinkByParameters({ profileId: p.id, type: 'CE', crn: ceCrn, componentType: 'application', componentName: 'web' })).status).toBe(204);
    expect(await statusOf(owner.identity.getLink({ profileId: p.id, linkId: ce.id }))).toBe(404);
    expect((await owner.identity.deleteLink({ profileId: p.id, linkId: k8s.id })).status).toBe(204);
    expect(await statusOf(owner.identity.deleteLink({ profileId: p.id, linkId: k8s.id }))).toBe(404);
    expect((await owner.identity.listLinks({ profileId: p.id })).result.links).toEqual([]);
  });

  it("refuses another account's CRN unless the link is cross-account, and links missing their type's parts", async () => {
    const p = await newProfile();
    const foreign = `crn:v1:bluemix:public:is:us-south:a/${other.accountId}::instance:vsi-1`;
    const refused = await errorOf(owner.identity.createLink({ profileId: p.id, crType: 'VSI', link: { crn: foreign } }));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].message).toContain('is_cross_account');
    expect((await owner.identity.createLink({ profileId: p.id, crType: 'VSI', isCrossAccount: true, link: { crn: foreign } })).result.is_cross_account).toBe(true);
    expect(await statusOf(owner.identity.createLink({ profileId: p.id, crType: 'IKS_SA', link: { crn: cluster(), namespace: 'default' } }))).toBe(400);
    expect(await statusOf(owner.identity.createLink({ profileId: p.id, crType: 'CE', link: { crn: cluster() } }))).toBe(400);
    expect(await statusOf(owner.identity.createLink({ profileId: p.id, crType: 'VSI', link: { crn: 'not-a-crn' } }))).toBe(400);
    expect(await statusOf(owner.identity.createLink({ profileId: p.id, crType: 'LAMBDA', link: { crn: cluster() } }))).toBe(400);
    expect(await statusOf(owner.identity.deleteLinkByParameters({ profileId: p.id, type: 'LAMBDA' }))).toBe(400);
    expect((await owner.identity.listLinks({ profileId: p.id })).result.links).toHaveLength(1);
  });
});

describe('identities that may assume a profile', () => {
  it('sets the whole list with If-Match, reads, adds, reads one and removes one', async () => {
    const p = await newProfile();
    const sid = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'assumer', description: 'the assumer' })).result;
    const empty = (await owner.identity.getProfileIdentities({ profileId: p.id })).result;
    expect(empty.identities).toEqual([]);
    expect(empty.entity_tag).toBeTruthy();

    const set = (
      await owner.identity.setProfileIdentities({
        profileId: p.id,
        ifMatch: empty.entity_tag!,
        identities: [
          { identifier: owner.iamId, type: 'user', accounts: [owner.accountId], description: 'identity description' },
          { identifier: sid.id, type: 'serviceid' },
        ],
      })
    ).result;
    expect(set.entity_tag).not.toBe(empty.entity_tag);
    expect(set.identities).toEqual(
      expect.arrayContaining([
        { iam_id: owner.iamId, identifier: owner.iamId, type: 'user', accounts: [owner.accountId], description: 'identity description' },
        // A service ID is stored by IAM id and, without a description of its own, described as the service ID is.
        { iam_id: sid.iam_id, identifier: sid.iam_id, type: 'serviceid', description: 'the assumer' },
      ]),
    );
    // The old tag is stale now.
    expect(await statusOf(owner.identity.setProfileIdentities({ profileId: p.id, ifMatch: empty.entity_tag!, identities: [] }))).toBe(412);

    const crn = `crn:v1:bluemix:public:project:us-south:a/${owner.accountId}:inst-1::`;
    const added = (await owner.identity.setProfileIdentity({ profileId: p.id, identityType: 'crn', identifier: crn, type: 'crn', description: 'Instance 1' })).result;
    expect(added).toEqual({ iam_id: `crn-${crn}`, identifier: crn, type: 'crn', description: 'Instance 1' });
    expect((await owner.identity.getProfileIdentity({ profileId: p.id, identityType: 'crn', identifierId: crn })).result).toEqual(added);
    expect((await owner.identity.getProfileIdentity({ profileId: p.id, identityType: 'serviceid', identifierId: sid.id })).result.iam_id).toBe(sid.iam_id);

    expect((await owner.identity.deleteProfileIdentity({ profileId: p.id, identityType: 'user', identifierId: owner.iamId })).status).toBe(204);
    expect(await statusOf(owner.identity.getProfileIdentity({ profileId: p.id, identityType: 'user', identifierId: owner.iamId }))).toBe(404);
    expect(await statusOf(owner.identity.deleteProfileIdentity({ profileId: p.id, identityType: 'user', identifierId: owner.iamId }))).toBe(404);
    const after = (await owner.identity.getProfileIdentities({ profileId: p.id })).result;
    expect(after.identities!.map((i) => i.type).sort()).toEqual(['crn', 'serviceid']);

    const cleared = await owner.identity.setProfileIdentities({ profileId: p.id, ifMatch: '*', identities: [] });
    expect(cleared.result.identities).toEqual([]);
  });

  it('refuses identities that are not of their type, duplicates, and a body type that differs from the path', async () => {
    const p = await newProfile();
    const bad = [
      { identifier: 'iam-ServiceId-nope', type: 'serviceid' },
      { identifier: 'iam-ServiceId-00000000-0000-4000-8000-000000000000', type: 'user' },
      { identifier: 'not a crn', type: 'crn' },
      { identifier: owner.iamId, type: 'robot' },
      { identifier: 'crn:v1:bluemix:public:project:::::', type: 'crn', accounts: [owner.accountId] },
    ];
    for (const identity of bad) {
      expect(await statusOf(owner.identity.setProfileIdentities({ profileId: p.id, ifMatch: '*', identities: [identity] })), JSON.stringify(identity)).toBe(400);
    }
    const twice = [{ identifier: owner.iamId, type: 'user' }, { identifier: owner.iamId, type: 'user' }];
    expect(await statusOf(owner.identity.setProfileIdentities({ profileId: p.id, ifMatch: '*', identities: twice }))).toBe(400);
    expect(await statusOf(owner.identity.setProfileIdentity({ profileId: p.id, identityType: 'serviceid', identifier: owner.iamId, type: 'user' }))).toBe(400);
    expect((await owner.identity.getProfileIdentities({ profileId: p.id })).result.identities).toEqual([]);
  });
});

describe('account limits count profiles, their rules and links', () => {
  it("counts this account's profiles, claim rules and links; another account's profile counts 0", async () => {
    const account = await createOtherAccount(server);
    const c = account.identity;
    const p = (await c.createProfile({ accountId: account.accountId, name: 'counted' })).result;
    await c.createProfile({ accountId: account.accountId, name: 'counted too' });
    await c.createClaimRule({ profileId: p.id, type: 'Profile-SAML', realmName: 'https://idp.example.com', expiration: 3600, conditions: [{ claim: 'a', operator: 'EQUALS', value: '"b"' }] });
    await c.createClaimRule({ profileId: p.id, type: 'Profile-CR', crType: 'VSI', conditions: [{ claim: 'a', operator: 'EQUALS', value: '"b"' }] });
    await c.createClaimRule({ profileId: p.id, type: 'Profile-CR', crType: 'CE', conditions: [{ claim: 'a', operator: 'EQUALS', value: '"c"' }] });
    await c.createLink({ profileId: p.id, crType: 'VSI', link: { crn: `crn:v1:bluemix:public:is:us-south:a/${account.accountId}::instance:counted` } });
    const foreign = await newProfile(owner);
    const limits = (
      await c.bulkListAccountEntityConsumption({
        accountId: account.accountId,
        profiles: true,
        claimRulesPerProfile: [p.id, foreign.id],
        crRules: true,
        crRulesPerProfile: [p.id],
        crLinks: true,
        crLinksPerProfile: [p.id, foreign.id],
      })
    ).result;
    expect(limits).toMatchObject({
      profiles: { count: 2 },
      claim_rules_per_profile: { profiles: [{ profile_id: p.id, count: 1 }, { profile_id: foreign.id, count: 0 }] },
      cr_rules: { count: 2 },
      cr_rules_per_profile: { profiles: [{ profile_id: p.id, count: 2 }] },
      cr_links: { count: 1 },
      cr_links_per_profile: { profiles: [{ profile_id: p.id, count: 1 }, { profile_id: foreign.id, count: 0 }] },
    });
  });
});

describe('identity preferences of a profile', () => {
  it('a trusted profile of the account holds console preferences; one of another account is not found', async () => {
    const p = await newProfile();
    const key = { accountId: owner.accountId, iamId: p.iam_id, service: 'console', preferenceId: 'landing_page' };
    expect((await owner.identity.updatePreferenceOnScopeAccount({ ...key, valueString: '/billing' })).result.value_string).toBe('/billing');
    expect((await owner.identity.getPreferencesOnScopeAccount(key)).result.value_string).toBe('/billing');
    const foreign = await newProfile(other);
    expect(await statusOf(owner.identity.updatePreferenceOnScopeAccount({ ...key, iamId: foreign.iam_id, valueString: '/billing' }))).toBe(404);
  });
});
