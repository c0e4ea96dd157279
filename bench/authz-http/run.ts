/**
 * `/v2/authz` and `/v2/authz/bulk` over HTTP keep-alive, measured with autocannon at 64
 * connections against a real server in a child process (server and load generator each get one
 * of the machine's cores). Targets: ≥ 15,000 requests/s on /v2/authz; ≥ 200,000 decisions/s bulk.
 * Prints a table and writes bench/results/authz-http.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { call, startBenchServer, tokenFor } from '../lib/server.js';

const SERVICE_IDS = 200;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const BULK_SIZE = 1000;

const server = await startBenchServer();
try {
  const token = await tokenFor(server.url, server.apikey);
  const accountId = server.accountId;

  // A population of service IDs, each with a policy on a few COS instances (half the requests allowed).
  const subjects: string[] = [];
  for (let i = 0; i < SERVICE_IDS; i++) {
    const created = await call<{ iam_id: string }>(server.url, token, 'POST', '/v1/serviceids', { account_id: accountId, name: `bench-${i}` });
    subjects.push(created.iam_id);
    await call(server.url, token, 'POST', '/v1/policies', {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: created.iam_id }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }],
      resources: [
        {
          attributes: [
            { name: 'accountId', value: accountId },
            { name: 'serviceName', value: 'cloud-object-storage' },
            { name: 'serviceInstance', value: `instance-${i % 20}` },
          ],
        },
      ],
    });
  }

  const decisionBody = (i: number) =>
    JSON.stringify([
      {
        subject: { attributes: { id: subjects[i % SERVICE_IDS] } },
        action: 'cloud-object-storage.bucket.get',
        resource: {
          attributes: { accountId, serviceName: 'cloud-object-storage', serviceInstance: `instance-${(i % 20) + (i % 2) * 20}` },
        },
      },
    ]);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const single = await autocannon({
    url: `${server.url}/v2/authz`,
    connections: 64,
    duration: DURATION_S,
    requests: Array.from({ length: 32 }, (_, i) => ({ method: 'POST' as const, path: '/v2/authz', headers, body: decisionBody(i) })),
  });

  const bulkBody = JSON.stringify({
    subject: { attributes: { id: subjects[0] } },
    action: 'cloud-object-storage.bucket.get',
    resources: {
      sharedAttributes: { accountId, serviceName: 'cloud-object-storage' },
      uniqueAttributes: Array.from({ length: BULK_SIZE }, (_, i) => ({ serviceInstance: `instance-${i % 40}` })),
    },
  });
  // BENCH_ONLY=authz skips the bulk phase (e.g. to profile the single-decision path).
  const bulk = process.env.BENCH_ONLY === 'authz' ? single : await autocannon({
    url: `${server.url}/v2/authz/bulk`,
    connections: 64,
    duration: DURATION_S,
    requests: [{ method: 'PUT', path: '/v2/authz/bulk', headers, body: bulkBody }],
  });

  const results = {
    machine: { cores: (await import('node:os')).cpus().length, node: process.version },
    authz: {
      requestsPerSecond: Math.round(single.requests.average),
      p50ms: single.latency.p50,
      p99ms: single.latency.p99,
      non2xx: single.non2xx,
      errors: single.errors,
      target: 15_000,
    },
    bulk: {
      requestsPerSecond: Math.round(bulk.requests.average),
      decisionsPerSecond: Math.round(bulk.requests.average * BULK_SIZE),
      p50ms: bulk.latency.p50,
      p99ms: bulk.latency.p99,
      non2xx: bulk.non2xx,
      errors: bulk.errors,
      target: 200_000,
    },
  };
  console.table({
    '/v2/authz': { 'req/s': results.authz.requestsPerSecond, 'p50 ms': results.authz.p50ms, 'p99 ms': results.authz.p99ms, non2xx: results.authz.non2xx, target: '≥ 15,000 req/s' },
    '/v2/authz/bulk': { 'req/s': results.bulk.requestsPerSecond, 'decisions/s': results.bulk.decisionsPerSecond, 'p99 ms': results.bulk.p99ms, non2xx: results.bulk.non2xx, target: '≥ 200,000 decisions/s' },
  });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/authz-http.json', `${JSON.stringify(results, null, 2)}\n`);
} finally {
  server.stop();
}
