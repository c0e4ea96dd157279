import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/kernel/clock.js';
import { bootstrapIfEmpty, startServer, type RunningServer } from '../../src/main.js';
import { createTestDatabase, keyEncryptionKeyFor, type TestDatabase } from './database.js';

export interface TestServer {
  url: string;
  server: RunningServer;
  database: TestDatabase;
  /** The bootstrapped first account and its owner's API key. */
  owner: { accountId: string; iamId: string; apikey: string };
  close(): Promise<void>;
}

/**
 * Credential-check limits of test servers: far above what a test file sends, so that suites which
 * try many wrong credentials on purpose see their errors rather than 429. Tests of the limits
 * themselves pass their own (`config.rateLimit`).
 */
const TEST_RATE_LIMITS: Config['rateLimit'] = { windowSeconds: 60, failuresPerAddress: 100_000, failuresPerKey: 100_000, checksPerAddress: 100_000 };

/**
 * Starts the real server on 127.0.0.1 and an ephemeral port, on a fresh database of the suite's
 * dialect, and bootstraps the first account. `config` overrides settings (e.g. `trustedProxies`,
 * `rateLimit`). Call `close()` in afterAll.
 */
export async function startTestServer(options: { clock?: Clock; config?: Partial<Config> } = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const config = loadConfig(
    {
      host: '127.0.0.1',
      port: 0,
      dataDir: database.dataDir,
      databaseUrl: database.databaseUrl,
      keyEncryptionKey: keyEncryptionKeyFor(database),
      logLevel: 'silent',
      rateLimit: TEST_RATE_LIMITS,
      ...options.config,
    },
    {},
  );
  const server = await startServer(config, { clock: options.clock });
  const created = await bootstrapIfEmpty(server.registry, 'owner@example.com');
  if (!created) throw new Error('a fresh test database already held an account');
  return {
    url: server.url,
    server,
    database,
    owner: { accountId: created.account_id, iamId: created.iam_id, apikey: created.apikey },
    async close() {
      await server.close();
      await database.drop();
    },
  };
}
