import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { environmentOf } from '../../src/http/client-address.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { apikeyForm, postToken } from '../token/fixtures.js';

/** A Fastify app that answers each request with its environment, trusting `trustProxy`. */
function echo(trustProxy: string[] | false) {
  const app = Fastify({ trustProxy });
  app.get('/', async (request) => environmentOf(request));
  return app;
}

describe('client address and endpoint of a request', () => {
  it('is the socket peer, with IPv4-mapped IPv6 peers as IPv4', async () => {
    const app = echo(false);
    const plain = await app.inject({ url: '/', remoteAddress: '192.0.2.1', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(plain.json()).toEqual({ clientAddress: '192.0.2.1', endpointType: 'public' });
    const mapped = await app.inject({ url: '/', remoteAddress: '::ffff:192.0.2.2' });
    expect(mapped.json().clientAddress).toBe('192.0.2.2');
    const v6 = await app.inject({ url: '/', remoteAddress: '2001:db8::1' });
    expect(v6.json().clientAddress).toBe('2001:db8::1');
  });

  it('is the X-Forwarded-For client only when the peer is a trusted proxy', async () => {
    const app = echo(['10.0.0.0/8']);
    const viaProxy = await app.inject({ url: '/', remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '198.51.100.4, 10.9.9.9' } });
    expect(viaProxy.json().clientAddress).toBe('198.51.100.4');
    // A client cannot put its own X-Forwarded-For before the proxy's: the nearest untrusted hop counts.
    const spoofed = await app.inject({ url: '/', remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '192.0.2.50, 198.51.100.4' } });
    expect(spoofed.json().clientAddress).toBe('198.51.100.4');
    const direct = await app.inject({ url: '/', remoteAddress: '192.0.2.7', headers: { 'x-forwarded-for': '198.51.100.4' } });
    expect(direct.json().clientAddress).toBe('192.0.2.7');
  });

  it('reports a private endpoint under a private. host name', async () => {
    const app = echo(false);
    const response = await app.inject({ url: '/', headers: { host: 'private.iam.example.com:8443' } });
    expect(response.json().endpointType).toBe('private');
  });
});

describe('configuration of trusted proxies, exempt addresses and limits', () => {
  it('reads lists and limits from the environment', () => {
    const config = loadConfig(
      {},
      {
        PORTCULLIS_TRUSTED_PROXIES: '10.0.0.1, 2001:db8::/64',
        PORTCULLIS_ALLOWED_IP_EXEMPT: '192.0.2.0/24',
        PORTCULLIS_RATE_LIMIT_FAILURES_PER_ADDRESS: '5',
        PORTCULLIS_RATE_LIMIT_WINDOW_SECONDS: '120',
      },
    );
    expect(config.trustedProxies).toEqual(['10.0.0.1', '2001:db8::/64']);
    expect(config.allowedIpExempt).toEqual(['192.0.2.0/24']);
    expect(config.rateLimit).toEqual({ windowSeconds: 120, failuresPerAddress: 5, failuresPerKey: 10, checksPerAddress: 600 });
  });

  it('refuses what is not an address or subnet, and an empty window', () => {
    expect(() => loadConfig({}, { PORTCULLIS_TRUSTED_PROXIES: 'proxy.local' })).toThrow(/not an IP address or CIDR subnet/);
    expect(() => loadConfig({}, { PORTCULLIS_ALLOWED_IP_EXEMPT: '10.0.0.0/33' })).toThrow(/not an IP address or CIDR subnet/);
    expect(() => loadConfig({}, { PORTCULLIS_RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow(/at least 1/);
  });
});

describe('a server without trusted proxies', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { rateLimit: { windowSeconds: 60, failuresPerAddress: 5, failuresPerKey: 100, checksPerAddress: 40 } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ignores X-Forwarded-For: a guesser cannot spread its attempts over made-up addresses', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 8; i++) {
      statuses.push((await postToken(t.url, apikeyForm(`wrong-key-${i}`), { 'x-forwarded-for': `198.51.100.${i}` })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
  });
});

describe('checks per address, good or bad', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { rateLimit: { windowSeconds: 60, failuresPerAddress: 100, failuresPerKey: 100, checksPerAddress: 10 } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses grants past the budget with 429 and Retry-After in the token shape', async () => {
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await postToken(t.url, apikeyForm(t.owner.apikey)));
    expect(answers.map((a) => a.status)).toEqual([...Array(10).fill(200), 429, 429]);
    const limited = answers[11]!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ errorCode: 'too_many_requests', context: { requestType: 'incoming.Identity_Token' } });
  });
});
