import IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { newAccount, newMember, type Identity } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { apikeyForm, postToken } from './fixtures.js';

/**
 * An account's `allowed_ip_addresses` restricts where its identities get tokens and make API
 * calls. The server trusts 127.0.0.1 as a proxy, so each request names its client address in
 * X-Forwarded-For; 203.0.113.99 is the operator's exempt address.
 */
const ALLOWED_V4 = '192.0.2.10';
const ALLOWED_V6 = '2001:db8::5';
const OUTSIDE = '198.51.100.1';
const EXEMPT = '203.0.113.99';

const from = (address: string) => ({ 'x-forwarded-for': address });

/** The identity API as an SDK user configures it, calling from `address`. */
const identityFrom = (url: string, apikey: string, address: string) =>
  new IamIdentityV1({ authenticator: new IamAuthenticator({ apikey, url, headers: from(address) }), serviceUrl: url, headers: from(address) });

async function tokenFrom(url: string, apikey: string, address: string): Promise<string> {
  const { status, body } = await postToken(url, apikeyForm(apikey), from(address));
  expect(status).toBe(200);
  return body.access_token as string;
}

const listKeys = (url: string, token: string, accountId: string, address: string) =>
  fetch(`${url}/v1/apikeys?account_id=${accountId}`, { headers: { authorization: `Bearer ${token}`, ...from(address) } });

async function setAllowList(url: string, apikey: string, accountId: string, value: string, address: string) {
  const identity = identityFrom(url, apikey, address);
  const current = await identity.getAccountSettings({ accountId });
  await identity.updateAccountSettings({ accountId, ifMatch: current.result.entity_tag!, allowedIpAddresses: value });
}

describe('allowed IP addresses of an account', () => {
  let t: TestServer;
  let restricted: Identity;
  let member: Identity;
  let serviceIdKey: string;
  const clock = manualClock(new Date());
  /** Lets every node's one-second cache of allow lists expire. */
  const listCached = () => clock.advance(2000);

  beforeAll(async () => {
    t = await startTestServer({ clock, config: { trustedProxies: ['127.0.0.1'], allowedIpExempt: [EXEMPT] } });
    restricted = await newAccount(t);
    member = await newMember(t, restricted.accountId);
    const identity = identityFrom(t.url, restricted.apikey, ALLOWED_V4);
    const serviceId = await identity.createServiceId({ accountId: restricted.accountId, name: 'ci-bot' });
    const key = await identity.createApiKey({ name: 'ci-bot key', iamId: serviceId.result.iam_id!, accountId: restricted.accountId });
    serviceIdKey = key.result.apikey!;
    await setAllowList(t.url, restricted.apikey, restricted.accountId, `${ALLOWED_V4}, 2001:db8::/32, 10.20.0.0/16`, ALLOWED_V4);
    listCached();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('issues tokens to the owner, members and service IDs only from listed addresses and subnets (IPv4 and IPv6)', async () => {
    for (const apikey of [restricted.apikey, member.apikey, serviceIdKey]) {
      expect((await postToken(t.url, apikeyForm(apikey), from(ALLOWED_V4))).status).toBe(200);
      expect((await postToken(t.url, apikeyForm(apikey), from(ALLOWED_V6))).status).toBe(200);
      expect((await postToken(t.url, apikeyForm(apikey), from('10.20.3.4'))).status).toBe(200);
      const refused = await postToken(t.url, apikeyForm(apikey), from(OUTSIDE));
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        errorCode: 'BXNIM0513E',
        errorMessage: `Access to account ${restricted.accountId} from IP address ${OUTSIDE} is not allowed: the account restricts access to its allowed IP addresses.`,
        errorDetails: expect.stringContaining('allowed_ip_addresses'),
        context: expect.objectContaining({ requestType: 'incoming.Identity_Token' }),
      });
    }
  });

  it('refuses a refresh grant from an address outside the list, without spending the refresh token', async () => {
    const { body } = await postToken(t.url, apikeyForm(restricted.apikey), from(ALLOWED_V4));
    const refresh = { grant_type: 'refresh_token', refresh_token: body.refresh_token as string };
    expect((await postToken(t.url, refresh, from(OUTSIDE))).status).toBe(403);
    expect((await postToken(t.url, refresh, from(ALLOWED_V4))).status).toBe(200);
  });

  it('refuses API calls with a token of the account from an address outside the list, in the API error shape', async () => {
    const token = await tokenFrom(t.url, restricted.apikey, ALLOWED_V4);
    expect((await listKeys(t.url, token, restricted.accountId, ALLOWED_V4)).status).toBe(200);
    const refused = await listKeys(t.url, token, restricted.accountId, OUTSIDE);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      status_code: '403',
      errors: [{ code: 'ip_address_not_allowed', message: expect.stringContaining(OUTSIDE) }],
    });
    const groups = await fetch(`${t.url}/v2/groups?account_id=${restricted.accountId}`, { headers: { authorization: `Bearer ${token}`, ...from(OUTSIDE) } });
    expect(groups.status).toBe(403);
  });

  it('refuses accepting an invitation with a token of the account from an address outside the list', async () => {
    const token = await tokenFrom(t.url, member.apikey, ALLOWED_V4);
    const accept = (address: string) =>
      fetch(`${t.url}/v2/users/accept`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...from(address) },
        body: JSON.stringify({ account_id: t.owner.accountId }),
      });
    const refused = await accept(OUTSIDE);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ errors: [{ code: 'ip_address_not_allowed' }] });
    // From a listed address the token is admitted; there is no invitation to accept.
    expect((await accept(ALLOWED_V4)).status).toBe(404);
  });

  it('leaves other accounts alone', async () => {
    const token = await tokenFrom(t.url, t.owner.apikey, OUTSIDE);
    expect((await listKeys(t.url, token, t.owner.accountId, OUTSIDE)).status).toBe(200);
  });

  it('lets the operator in from an exempt address to lift a list that locks everyone out', async () => {
    await setAllowList(t.url, restricted.apikey, restricted.accountId, '10.99.0.0/16', ALLOWED_V4);
    listCached();
    expect((await postToken(t.url, apikeyForm(restricted.apikey), from(ALLOWED_V4))).status).toBe(403);
    await setAllowList(t.url, restricted.apikey, restricted.accountId, '', EXEMPT);
    listCached();
    expect((await postToken(t.url, apikeyForm(restricted.apikey), from(OUTSIDE))).status).toBe(200);
  });
});
