import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { migrations, postgresDdl, sqliteDdl } from './migrations/index.js';
import { ensurePrivateDir, ensurePrivateFile, restrictIfPresent } from './files.js';
import type { Schema } from './schema.js';

export type Db = Kysely<Schema>;
export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Db;
  dialect: Dialect;
  /** Where the data lives, for messages (a file path or a redacted URL). */
  location: string;
  /**
   * Calls `wake` whenever another process (or this one) commits to the change feed, where the
   * database can say so (PostgreSQL LISTEN/NOTIFY); a no-op on SQLite, where polling suffices.
   * Returns a function that stops listening. Rejects when the first LISTEN fails; a connection lost
   * later is re-established with backoff (a warning when lost, info when back, and one `wake` then
   * for what was committed meanwhile), while the feed follower's polling carries on.
   */
  onFeedCommit(wake: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The PostgreSQL channel the writer notifies in every transaction that appends to the feed. */
export const FEED_CHANNEL = 'portcullis_changes';

export interface OpenOptions {
  /** `postgres://…`, or empty for SQLite. */
  databaseUrl: string;
  /** Directory of the SQLite file (`portcullis.db`). */
  dataDir: string;
  /** Use an in-memory SQLite database (tests). */
  memory?: boolean;
  /** Hears what the operator should know: a data directory others can read, a lost LISTEN connection. */
  log?: StoreLog;
}

/** The store's messages to the operator (a pino logger fits). */
export interface StoreLog {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
}

const silent: StoreLog = { info: () => undefined, warn: () => undefined };

/** Opens the configured database. Migrations are applied separately (`migrate`). */
export function openDatabase(options: OpenOptions): Database {
  const log = options.log ?? silent;
  if (options.databaseUrl) return openPostgres(options.databaseUrl, log);
  return openSqlite(options.memory ? ':memory:' : sqliteFile(options.dataDir), log);
}

export const sqliteFile = (dataDir: string) => join(dataDir, 'portcullis.db');

function openSqlite(file: string, log: StoreLog): Database {
  if (file !== ':memory:') {
    ensurePrivateDir(dirname(file), (message) => log.warn({}, message));
    // SQLite creates the -wal and -shm files with the database file's mode: 0600 before it opens.
    // Files an older version left readable by others are tightened too.
    ensurePrivateFile(file);
    restrictIfPresent(`${file}-wal`);
    restrictIfPresent(`${file}-shm`);
  }
  const connection = new SqliteDatabase(file);
  // WAL for concurrent readers; FULL so an acknowledged commit survives power loss, not only a crash.
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: reusingStatements(connection) }) });
  return { db, dialect: 'sqlite', location: file, onFeedCommit: async () => async () => undefined, close: () => db.destroy() };
}

/**
 * Kysely prepares every statement anew; on SQLite preparing costs more than running a point
 * query, so prepared statements are kept by SQL text (bounded: the SQL is generated, not user text).
 */
function reusingStatements(connection: SqliteDatabase.Database) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sqlText: string) {
      let statement = statements.get(sqlText);
      if (!statement) {
        if (statements.size >= 500) statements.clear();
        statement = connection.prepare(sqlText);
        statements.set(sqlText, statement);
      }
      return statement;
    },
    close: () => connection.close(),
  };
}

// BIGINT columns (revisions, counters) fit comfortably in a double; return numbers, not strings.
pg.types.setTypeParser(20, (value) => Number(value));

/**
 * How long a query waits for a connection (a new one, or a free one of the pool) before failing as
 * unavailable (503): a database that does not answer must not hold requests forever.
 */
const CONNECT_TIMEOUT_MS = 5000;

function openPostgres(url: string, log: StoreLog): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
  // An idle connection the server drops (restart, failover, administrator) is discarded by the
  // pool and replaced on next use; without a listener its 'error' event would end the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    location: url.replace(/\/\/[^@/]*@/, '//***@'),
    onFeedCommit: (wake) => listenForCommits(url, wake, log),
    close: () => db.destroy(),
  };
}

/** Delays between attempts to re-establish a lost LISTEN connection: doubling, within these bounds. */
const LISTEN_RETRY_FIRST_MS = 250;
const LISTEN_RETRY_MAX_MS = 30_000;

/** A dedicated connection holds LISTEN (a pooled one would be handed to queries); see onFeedCommit. */
async function listenForCommits(url: string, wake: () => void, log: StoreLog): Promise<() => Promise<void>> {
  let current: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = LISTEN_RETRY_FIRST_MS;

  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    let failure: unknown;
    // A dropped connection emits 'error' (when the server said why) and then 'end'.
    client.on('error', (error) => (failure = error));
    client.on('notification', () => wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    client.once('end', () => {
      if (current !== client) return;
      current = undefined;
      if (stopped) return;
      log.warn(
        { err: failure },
        'lost the PostgreSQL LISTEN connection: other nodes\' writes are found by polling until it is re-established',
      );
      retry();
    });
  }

  function retry() {
    // Jitter keeps the nodes of a cluster from reconnecting in lockstep after a restart.
    timer = setTimeout(() => {
      connect().then(
        () => {
          if (stopped) return;
          delay = LISTEN_RETRY_FIRST_MS;
          log.info({}, 'PostgreSQL LISTEN connection re-established');
          wake();
        },
        () => {
          delay = Math.min(delay * 2, LISTEN_RETRY_MAX_MS);
          if (!stopped) retry();
        },
      );
    }, delay * (0.75 + Math.random() / 2));
    timer.unref();
  }

  await connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await current?.end().catch(() => undefined);
  };
}

function migrationProvider(dialect: Dialect): MigrationProvider {
  const ddl = dialect === 'sqlite' ? sqliteDdl : postgresDdl;
  return {
    getMigrations: async () =>
      Object.fromEntries(
        migrations.map((m) => [
          m.version,
          {
            up: async (db: Kysely<unknown>) => {
              const statements = m.statements(ddl);
              const apply = async (executor: Kysely<unknown>) => {
                for (const statement of statements) await sql.raw(statement).execute(executor);
              };
              // Kysely wraps PostgreSQL migrations in a transaction but not SQLite's (it assumes no
              // transactional DDL, which SQLite does have): a failing migration must leave nothing.
              if (dialect === 'sqlite') await db.transaction().execute(apply);
              else await apply(db);
            },
          },
        ]),
      ),
  };
}

function migrator(database: Database): Migrator {
  return new Migrator({ db: database.db, provider: migrationProvider(database.dialect) });
}

/** Applies every pending migration, each in its own transaction. Returns the versions applied. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const { error, results } = await migrator(database).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The migrations known to this build that the database has not applied yet. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const all = await migrator(database).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Readiness of a database for serving: reachable, and no migration of this build pending. */
export function schemaReadiness(database: Database) {
  return {
    async ready(): Promise<{ ready: boolean; reason?: string }> {
      try {
        const pending = await pendingMigrations(database);
        return pending.length === 0 ? { ready: true } : { ready: false, reason: `pending migrations: ${pending.join(', ')}` };
      } catch (error) {
        return { ready: false, reason: `database unavailable: ${(error as Error).message}` };
      }
    },
  };
}
