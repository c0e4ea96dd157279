import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyServerFactory } from 'fastify';
import type { BootstrapResult } from './accounts/types.js';
import { buildApp } from './app.js';
import { loadConfig, publicUrlOf, type Config } from './config.js';
import { createMetrics } from './http/observability.js';
import { createRevisionNotes } from './http/revision.js';
import { createRegistry, type Registry, type RegistryOptions } from './registry.js';
import { keyEncryptionKeysOf } from './token/key-encryption.js';
import { migrateToLatest, openDatabase, pendingMigrations, schemaReadiness } from './store/db.js';

export interface RunningServer {
  /** The URL clients use (PORTCULLIS_PUBLIC_URL, else the listen address). */
  url: string;
  /** Where this process listens, which differs from `url` behind a load balancer. */
  listenUrl: string;
  /** The wired server; throws while it still waits for migrations (see `ready`). */
  readonly registry: Registry;
  /** Resolves once the schema is current and every API is served. */
  ready: Promise<Registry>;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** How often a server started on an old schema (`--no-migrate`) looks for the migrations. */
const SCHEMA_POLL_MS = 500;

/**
 * Starts the server. With `autoMigrate` (the default) it applies pending migrations first. Without
 * it, on a schema that is behind, it listens at once but serves only `/healthz` and `/readyz`
 * (503, naming the pending migrations) until someone runs `portcullis migrate`; then it serves
 * everything, on the same listener.
 */
export async function startServer(config: Config, options: RegistryOptions = {}): Promise<RunningServer> {
  // Refuse to start without a usable key-encryption key before listening, also when the server
  // would first wait for migrations (the registry loads it again when it is built).
  keyEncryptionKeysOf(config, options.memory);
  let route: Handler = (_request, response) => {
    response.statusCode = 503;
    response.end();
  };
  const listener = createServer((request, response) => route(request, response));
  // Each app serves through the one listener; it takes over the requests once it is ready.
  let built: Handler | undefined;
  const through: FastifyServerFactory = (handler) => {
    built = handler;
    return listener;
  };
  const serve = async (app: FastifyInstance) => {
    const handler = built!;
    await app.ready();
    route = handler;
  };
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(config.port, config.host, () => resolve());
  });
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = publicUrlOf(config, port);
  const listenUrl = publicUrlOf({ ...config, publicUrl: '' }, port);

  let closed = false;
  let current: Registry | undefined;
  const closers: Array<() => Promise<void>> = [];

  async function serveEverything(): Promise<Registry> {
    const registry = await createRegistry(config, options);
    registry.site.url = url;
    // A node that cannot use the signing keys (another key-encryption key) refuses to start.
    await registry.signingKeys.start().catch(async (error: unknown) => {
      await registry.close();
      throw error;
    });
    const app = await registry.buildHttp(through);
    await serve(app);
    closers.push(() => app.close(), () => registry.close());
    current = registry;
    return registry;
  }

  async function waitForSchema(): Promise<Registry> {
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    // Probes still running when the full server takes over must finish before the database closes.
    const probe = schemaReadiness(database);
    const probing = new Set<Promise<unknown>>();
    const waiting = await buildApp({
      logLevel: config.logLevel,
      bodyLimitBytes: config.bodyLimitBytes,
      readiness: {
        ready() {
          const answer = probe.ready();
          probing.add(answer);
          void answer.finally(() => probing.delete(answer));
          return answer;
        },
      },
      metrics: createMetrics(),
      domains: [],
      revisions: createRevisionNotes(),
      serverFactory: through,
    });
    await serve(waiting);
    // The waiting app answers /readyz from `database` until the full server has taken over, so
    // the database closes only after that and after the probes in flight: closing it earlier made
    // /readyz report 503 in between.
    try {
      while ((await pendingMigrations(database)).length > 0) {
        if (closed) throw new Error('server closed while waiting for migrations');
        await new Promise((resolve) => setTimeout(resolve, SCHEMA_POLL_MS));
      }
      const registry = await serveEverything();
      await waiting.close();
      return registry;
    } finally {
      await Promise.allSettled(probing);
      await database.close();
    }
  }

  const schemaBehind = !config.autoMigrate && !(await schemaIsCurrent(config));
  const ready = schemaBehind ? waitForSchema() : serveEverything();
  if (!schemaBehind) {
    await ready.catch(async (error: unknown) => {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      throw error;
    });
  }
  ready.catch(() => undefined);

  return {
    url,
    listenUrl,
    get registry() {
      if (!current) throw new Error('the server is waiting for migrations');
      return current;
    },
    ready,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const close of closers.reverse()) await close();
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
