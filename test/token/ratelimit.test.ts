import { randomBytes } from 'node:crypto';
import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { apikeyForm, decodeJwt, postToken } from './fixtures.js';

/**
 * Credential checks are limited per client address and per presented key. The server trusts
 * 127.0.0.1 as a proxy, so each request names its client address in X-Forwarded-For.
 */
const FAILURES_PER_ADDRESS = 20;
const FAILURES_PER_KEY = 5;
const WINDOW_SECONDS = 60;

const from = (address: string) => ({ 'x-forwarded-for': address });
const wrongKey = () => randomBytes(32).toString('base64url');

/** A token for `apikey` as the SDK gets it, from `address`. */
async function sdkToken(url: string, apikey: string, address: string): Promise<string> {
  const options: { headers: Record<string, string> } = { headers: {} };
  await new IamAuthenticator({ apikey, url, headers: from(address) }).authenticate(options);
  return options.headers.Authorization!.slice('Bearer '.length);
}

describe('rate limits on credential checks', () => {
  let t: TestServer;
  const clock = manualClock(new Date());
  beforeAll(async () => {
    t = await startTestServer({
      clock,
      config: {
        trustedProxies: ['127.0.0.1'],
        rateLimit: { windowSeconds: WINDOW_SECONDS, failuresPerAddress: FAILURES_PER_ADDRESS, failuresPerKey: FAILURES_PER_KEY, checksPerAddress: 0 },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 1,000 wrong API keys from one address with 429, Retry-After and the token error body after the limit', async () => {
    const attacker = '203.0.113.5';
    const answers: Array<Awaited<ReturnType<typeof postToken>>> = [];
    for (let batch = 0; batch < 20; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 50 }, () => postToken(t.url, apikeyForm(wrongKey()), from(attacker))))));
    }
    const refused = answers.filter((a) => a.status === 400);
    const limited = answers.filter((a) => a.status === 429);
    // Parallel attempts count while pending: exactly the budget is tried, whatever the timing.
    expect(refused).toHaveLength(FAILURES_PER_ADDRESS);
    expect(limited).toHaveLength(1000 - FAILURES_PER_ADDRESS);
    for (const a of refused) expect(a.body.errorCode).toBe('BXNIM0415E');
    const sample = limited[0]!;
    const retryAfter = Number(sample.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_SECONDS).toBe(true);
    expect(sample.body).toEqual({
      errorCode: 'too_many_requests',
      errorMessage: `Too many credential checks; retry in ${retryAfter} seconds.`,
      errorDetails: expect.stringContaining('Retry-After'),
      context: expect.objectContaining({ requestId: expect.any(String), requestType: 'incoming.Identity_Token' }),
    });
    expect(sample.headers.get('ibm-cloud-service-name')).toBe('iam-identity');

    // The limited address is refused even with a right key: a guesser learns nothing more.
    const right = await postToken(t.url, apikeyForm(t.owner.apikey), from(attacker));
    expect(right.status).toBe(429);
    // A right key from another address still gets its token, through the SDK.
    const token = await sdkToken(t.url, t.owner.apikey, '198.51.100.7');
    expect(decodeJwt(token).payload.iam_id).toBe(t.owner.iamId);
  });

  it('limits one wrong key tried from many addresses, and not the right key from those addresses', async () => {
    const key = wrongKey();
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) statuses.push((await postToken(t.url, apikeyForm(key), from(`192.0.2.${i}`))).status);
    expect(statuses).toEqual([...Array(FAILURES_PER_KEY).fill(400), ...Array(12 - FAILURES_PER_KEY).fill(429)]);
    const right = await postToken(t.url, apikeyForm(t.owner.apikey), from('192.0.2.12'));
    expect(right.status).toBe(200);
  });

  it('counts wrong refresh tokens and successes do not use up the budget', async () => {
    const address = '198.51.100.20';
    for (let i = 0; i < FAILURES_PER_ADDRESS * 3; i++) {
      expect((await postToken(t.url, apikeyForm(t.owner.apikey), from(address))).status).toBe(200);
    }
    const refresh = { grant_type: 'refresh_token', refresh_token: wrongKey() };
    const statuses: number[] = [];
    for (let i = 0; i < FAILURES_PER_ADDRESS + 2; i++) statuses.push((await postToken(t.url, { ...refresh, refresh_token: wrongKey() }, from(address))).status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(FAILURES_PER_ADDRESS);
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });

  it('limits API key lookups by value (IAM-ApiKey) in the identity error shape', async () => {
    const bearer = `Bearer ${await sdkToken(t.url, t.owner.apikey, '198.51.100.30')}`;
    const lookup = (apikey: string, address: string) =>
      fetch(`${t.url}/v1/apikeys/details`, { headers: { authorization: bearer, 'iam-apikey': apikey, ...from(address) } });
    const statuses: number[] = [];
    for (let i = 0; i < FAILURES_PER_ADDRESS + 3; i++) statuses.push((await lookup(wrongKey(), '198.51.100.31')).status);
    expect(statuses.filter((s) => s === 404)).toHaveLength(FAILURES_PER_ADDRESS);
    const limited = await lookup(t.owner.apikey, '198.51.100.31');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ status_code: '429', errors: [{ code: 'too_many_requests' }] });
    // The automatic HEAD route checks the key as GET does, and is limited alike.
    const head = await fetch(`${t.url}/v1/apikeys/details`, { method: 'HEAD', headers: { authorization: bearer, 'iam-apikey': wrongKey(), ...from('198.51.100.31') } });
    expect(head.status).toBe(429);
    expect((await lookup(t.owner.apikey, '198.51.100.32')).status).toBe(200);
  });

  it('limits invitation secrets presented to accept', async () => {
    const accept = (secret: string, address: string) =>
      fetch(`${t.url}/v2/users/accept`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...from(address) },
        body: JSON.stringify({ account_id: t.owner.accountId }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < FAILURES_PER_ADDRESS + 2; i++) statuses.push((await accept(`invite-${wrongKey()}`, '198.51.100.40')).status);
    expect(statuses.slice(0, FAILURES_PER_ADDRESS).every((s) => s >= 400 && s < 500 && s !== 429)).toBe(true);
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });

  it("limits the public list of an account's sign-in identity providers per client address", async () => {
    // It never fails for a well-formed request (an unknown account has none): the checks-per-address limit is what bounds it.
    const own = await startTestServer({
      config: { trustedProxies: ['127.0.0.1'], rateLimit: { windowSeconds: WINDOW_SECONDS, failuresPerAddress: 100, failuresPerKey: 100, checksPerAddress: 5 } },
    });
    try {
      const providers = (address: string) => fetch(`${own.url}/federation/providers?account_id=${own.owner.accountId}`, { headers: from(address) });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await providers('198.51.100.50')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect((await providers('198.51.100.51')).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('lifts the limits when the window ends', async () => {
    expect((await postToken(t.url, apikeyForm(t.owner.apikey), from('203.0.113.5'))).status).toBe(429);
    clock.advance(WINDOW_SECONDS * 1000 + 1);
    expect((await postToken(t.url, apikeyForm(wrongKey()), from('203.0.113.5'))).status).toBe(400);
    expect((await postToken(t.url, apikeyForm(t.owner.apikey), from('203.0.113.5'))).status).toBe(200);
  });
});
