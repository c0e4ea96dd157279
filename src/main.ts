import { loadConfig, publicUrlOf, type Config } from './config.js';
import { createRegistry, type Registry, type RegistryOptions } from './registry.js';
import type { BootstrapResult } from './accounts/types.js';
import { migrateToLatest, openDatabase, pendingMigrations } from './store/db.js';

export interface RunningServer {
  registry: Registry;
  url: string;
  close(): Promise<void>;
}

/** Starts the server: migrations (unless disabled), signing keys, HTTP listener. */
export async function startServer(config: Config, options: RegistryOptions = {}): Promise<RunningServer> {
  const registry = await createRegistry(config, options);
  await registry.signingKeys.start();
  const app = await registry.buildHttp();
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  registry.site.url = publicUrlOf(config, port);
  let closed = false;
  return {
    registry,
    url: registry.site.url,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await registry.close();
    },
  };
}

/** Creates the first account on an empty database; undefined when one already exists. */
export async function bootstrapIfEmpty(registry: Registry, ownerLogin: string): Promise<BootstrapResult | undefined> {
  if (await registry.accounts.hasAnyAccount()) return undefined;
  const created = await registry.accounts.bootstrap({ name: 'Portcullis', owner: { userId: ownerLogin } }, 'bootstrap');
  return { account_id: created.account.id, iam_id: created.owner.iamId, apikey: created.apikey, url: registry.site.url };
}

/** `portcullis migrate`: applies pending migrations and reports them. */
export async function migrate(config: Config): Promise<string[]> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await migrateToLatest(database);
  } finally {
    await database.close();
  }
}

export async function schemaIsCurrent(config: Config): Promise<boolean> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return (await pendingMigrations(database)).length === 0;
  } finally {
    await database.close();
  }
}

export { loadConfig };
