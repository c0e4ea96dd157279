import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('operations endpoints', () => {
  it('/healthz and /readyz answer; every response carries a Transaction-Id, echoed when sane', async () => {
    const health = await fetch(`${server.url}/healthz`, { headers: { 'Transaction-Id': 'trace-123' } });
    expect(health.status).toBe(200);
    expect(health.headers.get('transaction-id')).toBe('trace-123');
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const generated = await fetch(`${server.url}/readyz`, { headers: { 'Transaction-Id': 'bad id with spaces' } });
    expect(generated.headers.get('transaction-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/metrics counts requests by route and status, with a duration histogram', async () => {
    await fetch(`${server.url}/v1/apikeys`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('portcullis_http_requests_total{method="GET",route="/v1/apikeys",status="401"} 1');
    expect(text).toMatch(/portcullis_http_request_duration_seconds_count\{method="GET",route="\/v1\/apikeys"\} 1/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('/openapi.json documents the API routes from their schemas', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/identity/token', '/v1/apikeys', '/v1/serviceids', '/v2/policies', '/v2/groups', '/v2/authz', '/v2/resource_groups']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });

  it('unknown routes are 404 in the API\'s error shape', async () => {
    const identity = await fetch(`${server.url}/v1/apikeys/x/y/z`);
    expect(identity.status).toBe(404);
    const policy = await fetch(`${server.url}/v2/policies/a/b/c`);
    expect(((await policy.json()) as { status_code: number }).status_code).toBe(404);
  });
});
