import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import { ContainerAuthenticator, IamAssumeAuthenticator, type Authenticator } from 'ibm-cloud-sdk-core';
import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerOf, type Caller } from '../helpers/callers.js';
import { bearerOf } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api } from '../security/escalation-fixture.js';
import { startTestIssuer, workloadConfig, type TestIssuer } from './test-issuer.js';

/**
 * Workload identity end to end, with the SDK's own authenticators: a pod's service-account token
 * (from a test issuer with its own keys and JWKS on 127.0.0.1) becomes a trusted profile's token
 * through ContainerAuthenticator, a service ID assumes a profile through IamAssumeAuthenticator,
 * and the SDK client then reaches what only the profile's policies allow. Every kind of bad token
 * is refused with its own reason, and counted.
 */

const CR_TOKEN_GRANT = 'urn:ibm:params:oauth:grant-type:cr-token';
const ASSUME_GRANT = 'urn:ibm:params:oauth:grant-type:assume';

describe('workload identity grants', () => {
  let server: TestServer;
  let cluster: TestIssuer;
  let stranger: TestIssuer;
  let owner: Caller;
  let bearer: string;
  let accountId: string;
  let dir: string;
  /** A profile linked to the cluster's prod/api service account, allowed to read access groups. */
  let profile: { id: string; iam_id: string; name: string };
  /** The cluster's CRN (a resource of the account, as links require). */
  let CLUSTER: string;

  beforeAll(async () => {
    server = await startTestServer({ config: { workload: workloadConfig({ jwksCooldownMs: 100 }) } });
    cluster = await startTestIssuer();
    stranger = await startTestIssuer();
    owner = ownerOf(server);
    bearer = await bearerOf(server.url, server.owner.apikey);
    accountId = server.owner.accountId;
    CLUSTER = `crn:v1:bluemix:public:containers-kubernetes:us-south:a/${accountId}::cluster:c1`;
    dir = await mkdtemp(join(tmpdir(), 'portcullis-cr-'));
    const issuer = await call('POST', '/v1/trusted_issuers', {
      account_id: accountId,
      name: 'cluster c1',
      type: 'kubernetes',
      issuer: cluster.url,
      audiences: ['portcullis'],
      jwks_url: cluster.jwksUrl,
      resource_crn: CLUSTER,
    });
    expect(issuer.status).toBe(201);
    profile = await newProfile('pods-prod-api', true);
    await owner.identity.createLink({ profileId: profile.id, crType: 'IKS_SA', link: { crn: CLUSTER, namespace: 'prod', name: 'api' } });
  });
  afterAll(async () => {
    await cluster?.close();
    await stranger?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(server.url, bearer, method, path, body, headers);

  /** A profile; with `reader`, a policy gives it Viewer on iam-groups (listing access groups). */
  async function newProfile(name: string, reader: boolean) {
    const created = (await owner.identity.createProfile({ name, accountId })).result as { id: string; iam_id: string; name: string };
    if (reader) {
      const policy = await call('POST', '/v2/policies', {
        type: 'access',
        subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: created.iam_id }] },
        resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: accountId }, { key: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
        control: { grant: { roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Viewer' }] } },
      });
      expect(policy.status).toBe(201);
    }
    return created;
  }

  async function tokenFile(token: string): Promise<string> {
    const file = join(dir, `sa-token-${Math.random().toString(36).slice(2)}`);
    await writeFile(file, token);
    return file;
  }

  const groupsWith = (authenticator: Authenticator) => new IamAccessGroupsV2({ authenticator, serviceUrl: server.url });

  async function grant(form: Record<string, string>): Promise<{ status: number; body: any }> {
    const response = await fetch(`${server.url}/identity/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    return { status: response.status, body: await response.json() };
  }
  const crGrant = async (crToken: string, profileRef: Record<string, string> = { profile_id: profile.id }) => grant({ grant_type: CR_TOKEN_GRANT, cr_token: crToken, ...profileRef });

  it('lets a pod call an API through ContainerAuthenticator (token file, profile name) with exactly the profile\'s access', async () => {
    const file = await tokenFile(await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' }));
    const authenticator = new ContainerAuthenticator({ crTokenFilename: file, iamProfileName: profile.name, url: server.url });
    const groups = await groupsWith(authenticator).listAccessGroups({ accountId });
    expect(groups.status).toBe(200);
    // The profile reads access groups but may not create one: its policies, nothing more.
    const refused = await groupsWith(authenticator).createAccessGroup({ accountId, name: 'from-a-pod' }).then(() => 0, (e: { status: number }) => e.status);
    expect(refused).toBe(403);

    const token = decodeJwt((await crGrant(await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' }))).body.access_token);
    expect(token).toMatchObject({
      iam_id: profile.iam_id,
      sub: profile.id,
      sub_type: 'Profile',
      realmid: 'iam',
      identifier: profile.id,
      name: profile.name,
      account: { valid: true, bss: accountId },
      grant_type: CR_TOKEN_GRANT,
      authn: { sub: 'system:serviceaccount:prod:api', iam_id: `crn-${CLUSTER}`, sub_type: 'CRN', name: 'api' },
    });
    expect(token.exp! - token.iat!).toBe(3600);
  });

  it('answers the cr-token grant without a refresh token, by profile id, CRN or name', async () => {
    const crToken = await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' });
    const crn = (await owner.identity.getProfile({ profileId: profile.id })).result.crn!;
    const refs: Array<Record<string, string>> = [{ profile_id: profile.id }, { profile_crn: crn }, { profile_name: profile.name }, { profile_name: profile.name, profile_id: profile.id }];
    for (const ref of refs) {
      const reply = await crGrant(crToken, ref);
      expect(reply.status, JSON.stringify(ref)).toBe(200);
      expect(reply.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'ibm openid' });
      expect(reply.body.refresh_token).toBeUndefined();
    }
  });

  it('matches a Profile-CR claim rule on any claim, and caps the session at the rule\'s expiration', async () => {
    const ruled = await newProfile('pods-by-rule', true);
    await owner.identity.createClaimRule({
      profileId: ruled.id,
      type: 'Profile-CR',
      crType: 'IKS_SA',
      expiration: 900,
      conditions: [
        { claim: 'namespace', operator: 'IN', value: JSON.stringify(['batch', 'jobs']) },
        { claim: 'kubernetes.io.serviceaccount.name', operator: 'NOT_EQUALS', value: JSON.stringify('admin') },
      ],
    });
    const ok = await crGrant(await cluster.serviceAccountToken({ namespace: 'jobs', serviceAccount: 'runner' }), { profile_id: ruled.id });
    expect(ok.status).toBe(200);
    expect(ok.body.expires_in).toBe(900);
    const wrongName = await crGrant(await cluster.serviceAccountToken({ namespace: 'jobs', serviceAccount: 'admin' }), { profile_id: ruled.id });
    expect(wrongName).toMatchObject({ status: 403, body: { errorCode: 'BXNIM0513E' } });
    // The link of the other profile does not reach this one, nor this rule the other profile.
    expect((await crGrant(await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' }), { profile_id: ruled.id })).status).toBe(403);
    expect((await crGrant(await cluster.serviceAccountToken({ namespace: 'jobs', serviceAccount: 'runner' }))).status).toBe(403);
  });

  it('lists the profiles a cr token or an access token may assume (POST /identity/profiles)', async () => {
    const form = (fields: Record<string, string>) =>
      fetch(`${server.url}/identity/profiles`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const listed = await form({ cr_token: await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' }) });
    expect(listed.status).toBe(200);
    expect(listed.body.profiles.map((p: { id: string }) => p.id)).toEqual([profile.id]);
    expect(listed.body.count).toBe(1);
    const none = await form({ cr_token: await cluster.serviceAccountToken({ namespace: 'other' }) });
    expect(none.body).toEqual({ count: 0, profiles: [] });
    expect((await form({})).body.errorCode).toBe('BXNIM0109E');
  });

  it('lets a service ID assume a profile that lists it, through IamAssumeAuthenticator', async () => {
    const assumable = await newProfile('assumed-by-ci', true);
    const sid = (await owner.identity.createServiceId({ accountId, name: 'ci', apikey: { name: 'ci-key' } })).result;
    const apikey = sid.apikey!.apikey!;
    const authenticator = new IamAssumeAuthenticator({ apikey, iamProfileId: assumable.id, url: server.url });
    // Not listed yet: refused.
    const before = await groupsWith(authenticator).listAccessGroups({ accountId }).then(() => 0, (e: { status: number }) => e.status);
    expect(before).not.toBe(200);
    await owner.identity.setProfileIdentity({ profileId: assumable.id, identityType: 'serviceid', identifier: sid.iam_id, type: 'serviceid' });
    const after = new IamAssumeAuthenticator({ apikey, iamProfileId: assumable.id, url: server.url });
    expect((await groupsWith(after).listAccessGroups({ accountId })).status).toBe(200);
    // By name and account, as the SDK sends it.
    const byName = new IamAssumeAuthenticator({ apikey, iamProfileName: assumable.name, iamAccountId: accountId, url: server.url });
    expect((await groupsWith(byName).listAccessGroups({ accountId })).status).toBe(200);
    // The service ID itself has no access to access groups: the profile's access is what it used.
    const own = await groupsWith(new (await import('ibm-cloud-sdk-core')).IamAuthenticator({ apikey, url: server.url }))
      .listAccessGroups({ accountId })
      .then(() => 0, (e: { status: number }) => e.status);
    expect(own).toBe(403);

    const serviceIdToken = await bearerOf(server.url, apikey);
    const assumed = await grant({ grant_type: ASSUME_GRANT, access_token: serviceIdToken.replace(/^Bearer /, ''), profile_id: assumable.id });
    expect(assumed.status).toBe(200);
    expect(decodeJwt(assumed.body.access_token)).toMatchObject({ iam_id: assumable.iam_id, sub_type: 'Profile', grant_type: ASSUME_GRANT, authn: { iam_id: sid.iam_id, sub_type: 'ServiceId' }, acr: 1, amr: ['pwd'] });
    const list = await fetch(`${server.url}/identity/profiles`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: serviceIdToken.replace(/^Bearer /, '') }) });
    expect(((await list.json()) as any).profiles.map((p: { id: string }) => p.id)).toEqual([assumable.id]);
    // A profile token cannot assume a profile.
    expect((await grant({ grant_type: ASSUME_GRANT, access_token: assumed.body.access_token, profile_id: assumable.id })).body.errorCode).toBe('BXNIM0407E');
  });

  it('refuses a user assuming a profile of an account that requires MFA without it', async () => {
    const guarded = await newProfile('needs-mfa', false);
    await owner.identity.setProfileIdentity({ profileId: guarded.id, identityType: 'user', identifier: server.owner.iamId, type: 'user' });
    const token = bearer.replace(/^Bearer /, '');
    expect((await grant({ grant_type: ASSUME_GRANT, access_token: token, profile_id: guarded.id })).status).toBe(200);
    const settings = await owner.identity.getAccountSettings({ accountId });
    await owner.identity.updateAccountSettings({ accountId, ifMatch: settings.result.entity_tag!, mfa: 'TOTP' });
    // Grants see an account's settings change within their 1 s cache bound.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    try {
      const refused = await grant({ grant_type: ASSUME_GRANT, access_token: token, profile_id: guarded.id });
      expect(refused).toMatchObject({ status: 403, body: { errorCode: 'BXNIM0513E' } });
      expect(refused.body.errorMessage).toMatch(/multi-factor/);
    } finally {
      const now = await owner.identity.getAccountSettings({ accountId });
      await owner.identity.updateAccountSettings({ accountId, ifMatch: now.result.entity_tag!, mfa: 'NONE' });
    }
  });

  it('refuses every bad compute resource token with its own reason, and counts each refusal', async () => {
    const hs256 = await new SignJWT({ 'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'api' } } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(cluster.url)
      .setAudience('portcullis')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('a-shared-secret-anyone-could-use!'));
    const none = new UnsecuredJWT({ 'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'api' } } }).setIssuer(cluster.url).setAudience('portcullis').setExpirationTime('10m').encode();
    const cases: Array<[string, string, number, string, RegExp]> = [
      ['an unregistered issuer', await stranger.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' }), 400, 'BXNIM0405E', /not trusted/],
      ['another namespace', await cluster.serviceAccountToken({ namespace: 'dev', serviceAccount: 'api' }), 403, 'BXNIM0513E', /not allowed to assume/],
      ['the wrong audience', await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api', audience: 'vault' }), 400, 'BXNIM0407E', /not meant for this server/],
      ['an expired token', await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api', expiresIn: -120 }), 400, 'BXNIM0407E', /expired/],
      ['a token re-signed with another key', await stranger.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api', iss: cluster.url }), 400, 'BXNIM0407E', /signature is invalid/],
      ['alg none', none, 400, 'BXNIM0405E', /never accepted/],
      ['HS256', hs256, 400, 'BXNIM0405E', /never accepted/],
      ['garbage', 'not.a.token', 400, 'BXNIM0401E', /malformed/],
    ];
    for (const [what, token, status, code, message] of cases) {
      const reply = await crGrant(token);
      expect({ what, status: reply.status, code: reply.body.errorCode }).toEqual({ what, status, code });
      expect(reply.body.errorMessage, what).toMatch(message);
      expect(reply.body.access_token).toBeUndefined();
    }
    // Through the SDK too: the authenticator reports the refusal, no call is made.
    const file = await tokenFile(await cluster.serviceAccountToken({ namespace: 'dev', serviceAccount: 'api' }));
    const refused = await groupsWith(new ContainerAuthenticator({ crTokenFilename: file, iamProfileId: profile.id, url: server.url }))
      .listAccessGroups({ accountId })
      .then(() => 0, (e: { status: number }) => e.status);
    expect(refused).toBe(403);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const reason of ['unknown_issuer', 'not_matched', 'audience_mismatch', 'expired', 'bad_signature', 'algorithm_not_allowed', 'malformed']) {
      expect(metrics).toMatch(new RegExp(`portcullis_workload_token_refusals_total\\{reason="${reason}"\\} [1-9]`));
    }
  });

  it('follows the issuer\'s key rotation: an unknown kid fetches the JWKS again', async () => {
    const before = cluster.fetches();
    await cluster.rotate();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const reply = await crGrant(await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' }));
    expect(reply.status).toBe(200);
    expect(cluster.fetches()).toBe(before + 1);
  });

  it('refuses a deleted profile: no new tokens, and its tokens stop working within the cache bound', async () => {
    const doomed = await newProfile('doomed', true);
    await owner.identity.createLink({ profileId: doomed.id, crType: 'IKS_SA', link: { crn: CLUSTER, namespace: 'tmp', name: 'job' } });
    const crToken = await cluster.serviceAccountToken({ namespace: 'tmp', serviceAccount: 'job' });
    const issued = await crGrant(crToken, { profile_id: doomed.id });
    expect(issued.status).toBe(200);
    const profileBearer = `Bearer ${issued.body.access_token}`;
    expect((await api(server.url, profileBearer, 'GET', `/v2/groups?account_id=${accountId}`)).status).toBe(200);
    await owner.identity.deleteProfile({ profileId: doomed.id });
    expect(await crGrant(crToken, { profile_id: doomed.id })).toMatchObject({ status: 400, body: { errorCode: 'BXNIM0106E' } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await api(server.url, profileBearer, 'GET', `/v2/groups?account_id=${accountId}`)).status).toBe(401);
  });

  it('answers a profile of another account like a missing one', async () => {
    const other = await startTestServerAccountProfile();
    const reply = await crGrant(await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' }), { profile_id: other });
    const missing = await crGrant(await cluster.serviceAccountToken({ namespace: 'prod', serviceAccount: 'api' }), { profile_id: 'Profile-00000000-0000-4000-8000-000000000000' });
    expect(reply.status).toBe(missing.status);
    expect(reply.body.errorMessage.replace(other, 'X')).toBe(missing.body.errorMessage.replace('Profile-00000000-0000-4000-8000-000000000000', 'X'));
  });

  /** A profile in a second account of the same server (which does not trust the cluster). */
  async function startTestServerAccountProfile(): Promise<string> {
    const { newAccount } = await import('../helpers/identities.js');
    const account = await newAccount(server);
    const { identityClient } = await import('../helpers/sdk.js');
    const created = await identityClient(server.url, account.apikey).createProfile({ name: 'theirs', accountId: account.accountId });
    return created.result.id!;
  }
});
