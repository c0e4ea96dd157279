import { DomainError } from '../../src/kernel/errors.js';
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

let seeded = 0;

/**
 * Creates a user, an account it owns and its ACTIVE membership, in one write (most tables refer to
 * an account). Ids are unique within the run.
 */
export async function seedAccount(database: Database): Promise<{ accountId: string; iamId: string; login: string }> {
  const n = ++seeded;
  const iamId = `IBMid-seed${n}`;
  const login = `seed${n}@example.com`;
  const accountId = `seedacct${n}`;
  await database.db.transaction().execute(async (trx) => {
    await trx.insertInto('users').values({ iam_id: iamId, user_id: login, email: login, first_name: 'S', last_name: 'Eed', realm: 'IBMid', created_at: at() }).execute();
    await trx.insertInto('accounts').values({ id: accountId, name: `Account ${n}`, owner_iam_id: iamId, state: 'ACTIVE', created_at: at(), updated_at: at() }).execute();
    await trx.insertInto('account_users').values({ account_id: accountId, iam_id: iamId, state: 'ACTIVE', added_on: at() }).execute();
  });
  return { accountId, iamId, login };
}

/** The DomainError a promise rejects with (kind and code), failing the test when it resolves or throws something else. */
export async function domainErrorOf(promise: Promise<unknown>): Promise<{ kind: string; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { kind: error.kind, code: error.code };
    throw error;
  }
  throw new Error('expected a DomainError, but the call succeeded');
}

/** A foreign-key violation, on either dialect (PostgreSQL 23503, SQLite's extended code). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
