import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProfileStore, type ProfileStore } from '../../src/identity/profiles/store.js';
import type { ClaimRule, ProfileIdentity, ProfileLink, TrustedProfile } from '../../src/identity/types.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, domainErrorOf, openStore, seedAccount, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: ProfileStore;
let writer: Writer;
let accountId: string;
let otherAccountId: string;
let ownerIamId: string;

beforeAll(async () => {
  fixture = await openStore();
  store = createProfileStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
  ({ accountId, iamId: ownerIamId } = await seedAccount(fixture.database));
  ({ accountId: otherAccountId } = await seedAccount(fixture.database));
});
afterAll(async () => fixture.close());

let seq = 0;
const profile = (over: Partial<TrustedProfile> = {}): TrustedProfile => {
  const n = ++seq;
  const id = `Profile-${n}`;
  return {
    id,
    iamId: `iam-${id}`,
    crn: `crn:v1:bluemix:public:iam-identity::a/${over.accountId ?? accountId}::profile:${id}`,
    accountId,
    name: `profile ${n}`,
    description: null,
    email: null,
    createdBy: ownerIamId,
    createdAt: at(n % 60),
    modifiedAt: at(n % 60),
    entityTag: '1-a',
    identitiesTag: '1-i',
    ...over,
  };
};
const rule = (profileId: string, over: Partial<ClaimRule> = {}): ClaimRule => ({
  id: `ClaimRule-${++seq}`,
  profileId,
  name: null,
  type: 'Profile-SAML',
  realmName: 'https://idp.example.com',
  crType: null,
  expiration: 43200,
  conditions: [{ claim: 'groups', operator: 'EQUALS', value: '"dev"' }],
  createdAt: at(seq % 60),
  modifiedAt: at(seq % 60),
  entityTag: '1-r',
  ...over,
});
const link = (profileId: string, over: Partial<ProfileLink> = {}): ProfileLink => ({
  id: `ProfileLink-${++seq}`,
  profileId,
  name: null,
  crType: 'IKS_SA',
  isCrossAccount: false,
  target: { crn: `crn:v1:bluemix:public:containers-kubernetes::a/${accountId}::cluster:c1`, namespace: 'default', name: 'app' },
  createdAt: at(seq % 60),
  modifiedAt: at(seq % 60),
  entityTag: '1-l',
  ...over,
});
const user = (iamId: string, accounts: string[] = []): ProfileIdentity => ({ type: 'user', identifier: iamId, iamId, accounts, description: null });
const insert = (p: TrustedProfile) => writer.write((w) => store.insertProfile(w.trx, p));

describe('trusted profile store', () => {
  it('finds a profile by id, IAM id, name in its account and CRN, and nothing after it is deleted', async () => {
    const p = profile({ description: 'd', email: 'p@example.com' });
    await insert(p);
    expect(await store.getProfile(p.id)).toEqual(p);
    expect(await store.getProfileByIamId(p.iamId)).toEqual(p);
    expect(await store.getProfileByName(accountId, p.name)).toEqual(p);
    expect(await store.getProfileByName(otherAccountId, p.name)).toBeUndefined();
    expect(await store.getProfileByCrn(p.crn)).toEqual(p);
    await writer.write((w) => store.deleteProfile(w.trx, p.id));
    expect(await store.getProfile(p.id)).toBeUndefined();
    expect(await store.getProfileByCrn(p.crn)).toBeUndefined();
  });

  it('keeps names unique per account: racing creates with one name leave one profile, the others get a 409', async () => {
    const name = `racing ${++seq}`;
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => insert(profile({ name }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(await domainErrorOf(Promise.reject(r.reason))).toEqual({ kind: 'conflict', code: 'conflict' });
    // The same name in another account is another profile.
    await insert(profile({ name, accountId: otherAccountId }));
    expect((await store.getProfileByName(otherAccountId, name))?.accountId).toBe(otherAccountId);
  });

  it('renames only when the tag matches, and not onto a taken name', async () => {
    const a = profile();
    const b = profile();
    await insert(a);
    await insert(b);
    const stamp = { modified_at: at(59), entity_tag: '2-a' };
    expect((await writer.write((w) => store.updateProfile(w.trx, a.id, 'stale', { name: 'x', ...stamp }))).value).toBe(false);
    expect(await domainErrorOf(writer.write((w) => store.updateProfile(w.trx, a.id, a.entityTag, { name: b.name, ...stamp })))).toEqual({
      kind: 'conflict',
      code: 'conflict',
    });
    expect((await writer.write((w) => store.updateProfile(w.trx, a.id, a.entityTag, { name: `renamed ${a.id}`, ...stamp }))).value).toBe(true);
    expect(await store.getProfile(a.id)).toMatchObject({ name: `renamed ${a.id}`, entityTag: '2-a' });
    expect(await writer.write((w) => store.lockProfile(w.trx, a.id)).then((c) => c.value)).toBe(true);
    expect(await writer.write((w) => store.lockProfile(w.trx, 'Profile-missing')).then((c) => c.value)).toBe(false);
  });

  it('pages the profiles of one account by name', async () => {
    const own = `pager ${++seq}`;
    for (const suffix of ['c', 'a', 'b']) await insert(profile({ name: `${own} ${suffix}` }));
    const first = await store.listProfiles({ accountId }, { sortColumn: 'name', order: 'asc', size: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.more).toBe(true);
    const names = (await store.listProfiles({ accountId }, { sortColumn: 'name', order: 'asc', size: 100 })).items.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names.filter((n) => n.startsWith(own))).toEqual([`${own} a`, `${own} b`, `${own} c`]);
    expect((await store.listProfiles({ accountId: otherAccountId, name: `${own} a` }, { sortColumn: 'name', order: 'asc', size: 10 })).items).toEqual([]);
    expect(await store.countProfiles(accountId)).toBe(names.length);
  });

  it('stores claim rules per profile, replaces one only at its tag, and counts them by type', async () => {
    const p = profile();
    await insert(p);
    const saml = rule(p.id);
    const cr = rule(p.id, { type: 'Profile-CR', realmName: null, crType: 'IKS_SA', conditions: [{ claim: 'namespace', operator: 'IN', value: '["a","b"]' }] });
    await writer.write(async (w) => {
      await store.insertClaimRule(w.trx, saml);
      await store.insertClaimRule(w.trx, cr);
    });
    expect(await store.claimRulesOf(p.id)).toEqual([saml, cr]);
    expect(await store.getClaimRule(p.id, cr.id)).toEqual(cr);
    expect(await store.getClaimRule('Profile-other', cr.id)).toBeUndefined();
    expect((await writer.write((w) => store.countClaimRules(w.trx, p.id, 'Profile-CR'))).value).toBe(1);
    const changes = { name: 'n', type: 'Profile-SAML', realm_name: 'r', cr_type: null, expiration: 900, conditions: '[]', modified_at: at(59), entity_tag: '2-r' };
    expect((await writer.write((w) => store.updateClaimRule(w.trx, p.id, saml.id, 'stale', changes))).value).toBe(false);
    expect((await writer.write((w) => store.updateClaimRule(w.trx, p.id, saml.id, saml.entityTag, changes))).value).toBe(true);
    expect(await store.getClaimRule(p.id, saml.id)).toMatchObject({ name: 'n', realmName: 'r', expiration: 900, conditions: [], entityTag: '2-r' });
    expect((await writer.write((w) => store.deleteClaimRule(w.trx, 'Profile-other', saml.id))).value).toBe(false);
    expect((await writer.write((w) => store.deleteClaimRule(w.trx, p.id, saml.id))).value).toBe(true);
    expect((await store.claimRulesOf(p.id)).map((r) => r.id)).toEqual([cr.id]);
  });

  it('stores links, one per exact target, finds them by CRN and deletes them by id or by matching parameters', async () => {
    const p = profile();
    await insert(p);
    const k8s = link(p.id);
    const ce = link(p.id, { crType: 'CE', target: { crn: `crn:v1:bluemix:public:codeengine::a/${accountId}::project:x`, componentType: 'job', componentName: 'j' } });
    await writer.write((w) => store.insertLink(w.trx, k8s));
    await writer.write((w) => store.insertLink(w.trx, ce));
    expect(await domainErrorOf(writer.write((w) => store.insertLink(w.trx, link(p.id))))).toEqual({ kind: 'conflict', code: 'conflict' });
    // Another namespace of the same cluster is another target.
    const other = link(p.id, { target: { ...k8s.target, namespace: 'prod' } });
    await writer.write((w) => store.insertLink(w.trx, other));
    expect(await store.getLink(p.id, ce.id)).toEqual(ce);
    expect((await store.linksOf(p.id)).map((l) => l.id)).toEqual([k8s.id, ce.id, other.id]);
    expect((await store.linksToCrn(k8s.target.crn)).map((l) => l.id)).toEqual([k8s.id, other.id]);
    expect((await writer.write((w) => store.countLinks(w.trx, p.id))).value).toBe(3);
    const none = await writer.write((w) => store.deleteLinksMatching(w.trx, p.id, { crType: 'CE', crn: ce.target.crn, componentName: 'other' }));
    expect(none.value).toEqual([]);
    const byParams = await writer.write((w) => store.deleteLinksMatching(w.trx, p.id, { crType: 'IKS_SA', crn: k8s.target.crn, namespace: 'prod' }));
    expect(byParams.value).toEqual([other.id]);
    expect((await writer.write((w) => store.deleteLink(w.trx, p.id, ce.id))).value).toBe(true);
    expect((await writer.write((w) => store.deleteLink(w.trx, p.id, ce.id))).value).toBe(false);
    expect((await store.linksOf(p.id)).map((l) => l.id)).toEqual([k8s.id]);
  });

  it('replaces the identity list only at its tag, upserts and removes single entries, and moves the tag each time', async () => {
    const p = profile();
    await insert(p);
    const alice = user('IBMid-alice', [accountId]);
    const sid: ProfileIdentity = { type: 'serviceid', identifier: 'iam-ServiceId-1', iamId: 'iam-ServiceId-1', accounts: [], description: 'ci' };
    expect((await writer.write((w) => store.replaceIdentities(w.trx, p.id, 'stale', '2-i', [alice]))).value).toBe(false);
    expect(await store.identitiesOf(p.id)).toEqual([]);
    expect((await writer.write((w) => store.replaceIdentities(w.trx, p.id, p.identitiesTag, '2-i', [alice, sid]))).value).toBe(true);
    expect(await store.identitiesOf(p.id)).toEqual([sid, alice]);
    expect((await store.getProfile(p.id))?.identitiesTag).toBe('2-i');
    expect(await store.profilesAssumableBy('IBMid-alice')).toContain(p.id);

    const changed = { ...alice, description: 'changed', accounts: [] };
    expect((await writer.write((w) => store.putIdentity(w.trx, p.id, '3-i', changed))).value).toBe(true);
    expect(await store.getIdentity(p.id, 'user', 'IBMid-alice')).toEqual(changed);
    expect((await store.getProfile(p.id))?.identitiesTag).toBe('3-i');
    expect((await writer.write((w) => store.putIdentity(w.trx, 'Profile-missing', '1', changed))).value).toBe(false);

    expect((await writer.write((w) => store.deleteIdentity(w.trx, p.id, 'user', 'IBMid-alice', '4-i'))).value).toBe(true);
    expect((await writer.write((w) => store.deleteIdentity(w.trx, p.id, 'user', 'IBMid-alice', '5-i'))).value).toBe(false);
    expect((await store.getProfile(p.id))?.identitiesTag).toBe('4-i');
    expect(await store.profilesAssumableBy('IBMid-alice')).not.toContain(p.id);
  });

  it('deletes a profile with its rules, links and identities', async () => {
    const p = profile();
    await insert(p);
    const l = link(p.id, { target: { crn: `crn:v1:bluemix:public:is::a/${accountId}::instance:vsi-${p.id}` } });
    await writer.write(async (w) => {
      await store.insertClaimRule(w.trx, rule(p.id));
      await store.insertLink(w.trx, l);
      await store.replaceIdentities(w.trx, p.id, undefined, '2-i', [user('IBMid-bob')]);
    });
    await writer.write((w) => store.deleteProfile(w.trx, p.id));
    expect(await store.claimRulesOf(p.id)).toEqual([]);
    expect(await store.linksOf(p.id)).toEqual([]);
    expect(await store.linksToCrn(l.target.crn)).toEqual([]);
    expect(await store.identitiesOf(p.id)).toEqual([]);
    expect(await store.profilesAssumableBy('IBMid-bob')).not.toContain(p.id);
  });
});
