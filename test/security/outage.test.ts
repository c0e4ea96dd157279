import { Writable } from 'node:stream';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { bootstrapIfEmpty, startServer, type RunningServer } from '../../src/main.js';
import { openDatabase, sqliteFile, type Database, type StoreLog } from '../../src/store/db.js';
import { createWriter } from '../../src/store/unit-of-work.js';
import { createTestDatabase, keyEncryptionKeyFor, type TestDatabase } from '../helpers/database.js';

/**
 * Outages: a lost LISTEN connection comes back by itself (and says so), and while the database
 * cannot be reached every route answers 503 in its API's error shape, never 500, until it is back.
 */

const adminUrl = process.env.PORTCULLIS_TEST_DATABASE_URL;
const onPostgres = !!adminUrl;

let database: TestDatabase | undefined;
let server: RunningServer | undefined;
const opened: Database[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const d of opened.splice(0)) await d.close();
  if (database?.dialect === 'postgres') await admin(`ALTER DATABASE ${nameOf(database)} ALLOW_CONNECTIONS true`);
  await database?.drop();
  database = undefined;
});

const nameOf = (db: TestDatabase) => new URL(db.databaseUrl).pathname.slice(1);

async function admin(query: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query(query, values)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

/** What was logged, as pino writes it. */
function capturedLog() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { lines, log: pino({ level: 'info' }, stream) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const form = (apikey: string) =>
  new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey }).toString();

const requestToken = (url: string, apikey: string) =>
  fetch(`${url}/identity/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(apikey) });

async function startOn(db: TestDatabase, log = capturedLog().log) {
  const config = loadConfig(
    { host: '127.0.0.1', port: 0, dataDir: db.dataDir, databaseUrl: db.databaseUrl, keyEncryptionKey: keyEncryptionKeyFor(db), logLevel: 'silent' },
    {},
  );
  server = await startServer(config, { log });
  const created = (await bootstrapIfEmpty(server.registry, 'owner@example.com'))!;
  const token = ((await (await requestToken(server.url, created.apikey)).json()) as { access_token: string }).access_token;
  return { url: server.url, accountId: created.account_id, apikey: created.apikey, token };
}

describe.skipIf(!onPostgres)('the LISTEN connection (PostgreSQL)', () => {
  it('is re-established after the server drops it: a warning, then info, and commits wake this node again', async () => {
    database = await createTestDatabase();
    const { lines, log } = capturedLog();
    const listener = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, log: log as StoreLog });
    const other = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
    opened.push(listener, other);
    const { migrateToLatest } = await import('../../src/store/db.js');
    await migrateToLatest(other);
    let wakes = 0;
    const stop = await listener.onFeedCommit(() => wakes++);
    try {
      // Another node's write (its writer notifies) wakes this one.
      const writer = createWriter(other.db, () => new Date(), undefined, true);
      const write = (id: string) => writer.write(async (w) => w.changed({ entity: 'probe', entityId: id, accountId: null, op: 'create' }));
      await write('before');
      await until('woken before the drop', async () => wakes > 0);

      const listening = `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`;
      const [first] = await admin(listening, [nameOf(database)]);
      expect(first).toBeDefined();
      await admin('SELECT pg_terminate_backend($1)', [first!.pid]);

      await until('the loss logged', async () => lines.some((l) => l.level === 40 && /lost the PostgreSQL LISTEN connection/.test(l.msg)));
      await until('the recovery logged', async () => lines.some((l) => l.level === 30 && /LISTEN connection re-established/.test(l.msg)));
      const [second] = await admin(listening, [nameOf(database)]);
      expect(second?.pid).not.toBe(first!.pid);

      const before = wakes;
      await write('after');
      await until('woken by a commit after the reconnection', async () => wakes > before, 2000);
    } finally {
      await stop();
    }
  });

  it('a server logs the loss of its LISTEN connection and its recovery, and listens again', async () => {
    database = await createTestDatabase();
    const { lines, log } = capturedLog();
    await startOn(database, log);
    const listening = `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`;
    const [first] = await admin(listening, [nameOf(database)]);
    await admin('SELECT pg_terminate_backend($1)', [first!.pid]);
    await until('the loss logged', async () => lines.some((l) => l.level === 40 && /lost the PostgreSQL LISTEN connection/.test(l.msg)));
    await until('the recovery logged', async () => lines.some((l) => l.level === 30 && /LISTEN connection re-established/.test(l.msg)));
    const [second] = await admin(listening, [nameOf(database)]);
    expect(second?.pid).not.toBe(first!.pid);
  });
});

describe.skipIf(!onPostgres)('a database outage (PostgreSQL)', () => {
  it('answers 503 in each API’s error shape (never 500), reports not ready, and recovers by itself', async () => {
    database = await createTestDatabase();
    const { lines, log } = capturedLog();
    const node = await startOn(database, log);
    const bearer = { authorization: `Bearer ${node.token}` };
    const serviceIds = () => fetch(`${node.url}/v1/serviceids?account_id=${node.accountId}`, { headers: bearer });
    const groups = () => fetch(`${node.url}/v2/groups?account_id=${node.accountId}`, { headers: bearer });
    expect((await serviceIds()).status).toBe(200);

    // The outage: no new connections, and every existing one is cut.
    const name = nameOf(database);
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);

    const identity = await serviceIds();
    expect(identity.status).toBe(503);
    expect(await identity.json()).toMatchObject({
      status_code: '503',
      errors: [{ code: 'service_unavailable', message: expect.stringMatching(/temporarily unavailable/) }],
      trace: expect.any(String),
    });
    const handbook = await groups();
    expect(handbook.status).toBe(503);
    expect(await handbook.json()).toMatchObject({ status_code: 503, errors: [{ code: 'service_unavailable' }] });
    const token = await requestToken(node.url, node.apikey);
    expect(token.status).toBe(503);
    expect(await token.json()).toMatchObject({
      errorCode: 'service_unavailable',
      errorMessage: expect.stringMatching(/temporarily unavailable/),
      context: { requestType: 'incoming.Identity_Token' },
    });
    const readyz = await fetch(`${node.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(lines.some((l) => /lost the PostgreSQL LISTEN connection/.test(l.msg))).toBe(true);

    // The database is back: the pool reconnects, nothing to restart.
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await until('ready again', async () => (await fetch(`${node.url}/readyz`)).status === 200);
    expect((await serviceIds()).status).toBe(200);
    expect((await groups()).status).toBe(200);
    expect((await requestToken(node.url, node.apikey)).status).toBe(200);
    await until('LISTEN back', async () => lines.some((l) => /LISTEN connection re-established/.test(l.msg)));
  });
});

describe.skipIf(onPostgres)('a database locked by another process (SQLite)', () => {
  it('a write that cannot get the lock within the busy timeout answers 503, not 500; it works once the lock is released', async () => {
    database = await createTestDatabase();
    const node = await startOn(database);
    const create = () =>
      fetch(`${node.url}/v1/serviceids`, {
        method: 'POST',
        headers: { authorization: `Bearer ${node.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: node.accountId, name: `svc-${Date.now()}` }),
      });
    // Another process (a backup, a stuck tool) holds the write lock longer than the busy timeout.
    const holder = new SqliteDatabase(sqliteFile(database.dataDir));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const locked = await create();
      expect(locked.status).toBe(503);
      expect(await locked.json()).toMatchObject({ status_code: '503', errors: [{ code: 'service_unavailable' }] });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect((await create()).status).toBe(201);
  });
});
