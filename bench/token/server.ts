/**
 * The benchmark's server process: a real Portcullis server (registry, HTTP, a fresh SQLite file)
 * with a bootstrapped account. Tells its parent
 * the URL and owner API key, then answers `cpu` messages with its CPU time (µs), so the parent can
 * normalise HTTP throughput per core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { bootstrapIfEmpty, startServer } from '../../src/main.js';

const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-token-'));
const config = loadConfig(
  { host: '127.0.0.1', port: 0, dataDir, databaseUrl: '', logLevel: 'silent' },
  // The benchmark is one client hammering grants: the per-address check limit would measure itself.
  { PORTCULLIS_RATE_LIMIT_CHECKS_PER_ADDRESS: '0' },
);
const server = await startServer(config);
const created = await bootstrapIfEmpty(server.registry, 'bench@example.com');
if (!created) throw new Error('the benchmark database is not empty');

process.on('message', (message: unknown) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  } else if (message === 'stop') {
    void server.close().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
process.send?.({ url: server.url, apikey: created.apikey });
