import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh, empty database for one test server. The suite runs on SQLite by default and on
 * PostgreSQL when PORTCULLIS_TEST_DATABASE_URL names a server (each call creates its own database
 * there and drops it afterwards).
 */
export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  databaseUrl: string;
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * The key-encryption key test servers on PostgreSQL share (every node of one database needs the
 * same one; on SQLite the server generates its own in the data directory).
 */
export const TEST_KEY_ENCRYPTION_KEY = '6b6579656e6372797074696f6e6b6579666f72706f727463756c6c6973746573';

/** The key-encryption key setting for a test server on this database. */
export const keyEncryptionKeyFor = (db: TestDatabase) => (db.dialect === 'postgres' ? TEST_KEY_ENCRYPTION_KEY : '');

export const testDialect = () => (process.env.PORTCULLIS_TEST_DATABASE_URL ? 'postgres' : 'sqlite');

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  const adminUrl = process.env.PORTCULLIS_TEST_DATABASE_URL;
  if (!adminUrl) {
    return { dialect: 'sqlite', databaseUrl: '', dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `portcullis_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dialect: 'postgres',
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
