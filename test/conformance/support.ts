import { migrateToLatest, openDatabase, type Database } from '../../src/store/db.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/**
 * A fresh database of the run's dialect (SQLite by default, PostgreSQL when
 * PORTCULLIS_TEST_DATABASE_URL is set), opened and — unless `migrate: false` — migrated.
 * The conformance suite only ever reaches the store through this, so it runs unchanged on both.
 */
export interface StoreFixture {
  test: TestDatabase;
  database: Database;
  /** Opens another connection (pool) to the same database, closed with the fixture. */
  reopen(): Database;
  close(): Promise<void>;
}

export async function openStore(options: { migrate?: boolean } = {}): Promise<StoreFixture> {
  const test = await createTestDatabase();
  const opened: Database[] = [];
  const reopen = () => {
    const database = openDatabase({ databaseUrl: test.databaseUrl, dataDir: test.dataDir });
    opened.push(database);
    return database;
  };
  const database = reopen();
  if (options.migrate !== false) await migrateToLatest(database);
  return {
    test,
    database,
    reopen,
    async close() {
      for (const d of opened) await d.close();
      await test.drop();
    },
  };
}

/** Fixed instants for rows the tests insert. */
export const at = (n = 0) => new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();
