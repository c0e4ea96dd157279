import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { migrations, postgresDdl, sqliteDdl } from './migrations/index.js';
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
   * Returns a function that stops listening.
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
}

/** Opens the configured database. Migrations are applied separately (`migrate`). */
export function openDatabase(options: OpenOptions): Database {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openSqlite(options.memory ? ':memory:' : sqliteFile(options.dataDir));
}

export const sqliteFile = (dataDir: string) => join(dataDir, 'portcullis.db');

function openSqlite(file: string): Database {
  if (file !== ':memory:') mkdirSync(join(file, '..'), { recursive: true });
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

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server drops (restart, failover, administrator) is discarded by the
  // pool and replaced on next use; without a listener its 'error' event would end the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    location: url.replace(/\/\/[^@/]*@/, '//***@'),
    async onFeedCommit(wake) {
      // A dedicated connection: LISTEN holds it. If it drops, polling keeps the feed moving.
      const client = new pg.Client({ connectionString: url });
      client.on('notification', () => wake());
      client.on('error', () => undefined);
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
      return async () => {
        await client.end().catch(() => undefined);
      };
    },
    close: () => db.destroy(),
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
