import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { bootstrapIfEmpty, startServer, type RunningServer } from '../../src/main.js';
import { sqliteFile, openDatabase } from '../../src/store/db.js';
import { defaultKeyFile, keyEncryption, parseKeyEncryptionKey } from '../../src/token/key-encryption.js';
import { createTestDatabase, keyEncryptionKeyFor, type TestDatabase } from '../helpers/database.js';

/**
 * Secrets at rest: the server's local files are private to its user, and the signing private keys
 * in the database are sealed under a key-encryption key the database never holds.
 */

const modeOf = (path: string) => statSync(path).mode & 0o777;

let database: TestDatabase | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await database?.drop();
  database = undefined;
});

// Restarts listen on a new port: one public URL keeps the tokens' issuer the same (requests go to listenUrl).
const configFor = (db: TestDatabase, extra: Partial<Config> = {}) =>
  loadConfig(
    {
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'http://portcullis.test',
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      keyEncryptionKey: keyEncryptionKeyFor(db),
      logLevel: 'silent',
      ...extra,
    },
    {},
  );

async function tokenFrom(url: string, apikey: string): Promise<string> {
  const response = await fetch(`${url}/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey }).toString(),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const listServiceIds = (url: string, token: string, accountId: string) =>
  fetch(`${url}/v1/serviceids?account_id=${accountId}`, { headers: { authorization: `Bearer ${token}` } });

/** A first server on a fresh database: bootstrapped, with one token issued. */
async function firstStart(extra: (db: TestDatabase) => Partial<Config> = () => ({})) {
  database = await createTestDatabase();
  const config = configFor(database, extra(database));
  server = await startServer(config);
  const created = (await bootstrapIfEmpty(server.registry, 'owner@example.com'))!;
  const token = await tokenFrom(server.listenUrl, created.apikey);
  return { config, accountId: created.account_id, apikey: created.apikey, token };
}

describe('the stored signing keys', () => {
  it('hold no private key material in plain: the private key is a sealed value', async () => {
    await firstStart();
    const rows = await server!.registry.database.db.selectFrom('signing_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    for (const row of rows) {
      expect(row.private_key_encryption).toBe('aes-256-gcm');
      expect(row.private_key).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
      expect(row.private_key).not.toMatch(/"d"|"p"|"q"|PRIVATE KEY|"kty"/);
      // The public half stays readable: the JWKS is published anyway.
      expect(JSON.parse(row.public_jwk)).not.toHaveProperty('d');
    }
  });

  it('a restart with the same key-encryption key signs with the same key and accepts the tokens issued before', async () => {
    const first = await firstStart();
    const kid = server!.registry.signingKeys.current().kid;
    await server!.close();
    server = await startServer(first.config);
    expect(server.registry.signingKeys.current().kid).toBe(kid);
    expect((await listServiceIds(server.listenUrl, first.token, first.accountId)).status).toBe(200);
    // And it can still sign: a new token works too.
    const renewed = await tokenFrom(server.listenUrl, first.apikey);
    expect((await listServiceIds(server.listenUrl, renewed, first.accountId)).status).toBe(200);
  });

  it('a node with another key-encryption key refuses to start, naming the mismatch', async () => {
    const first = await firstStart();
    await server!.close();
    server = undefined;
    const other = randomBytes(32).toString('base64');
    await expect(startServer({ ...first.config, keyEncryptionKey: other, keyEncryptionKeyFile: '' })).rejects.toThrow(
      /key-encryption key does not match the one the signing keys were encrypted with/,
    );
    // Nothing was rewritten by the refused node: the right key still works.
    server = await startServer(first.config);
    expect((await listServiceIds(server.listenUrl, first.token, first.accountId)).status).toBe(200);
  });

  it('rotating the key-encryption key: given the old one as previous, a node seals the stored keys under the new one', async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const first = await firstStart(() => ({ keyEncryptionKey: oldKey.toString('base64') }));
    const kid = server!.registry.signingKeys.current().kid;
    await server!.close();

    server = await startServer({ ...first.config, keyEncryptionKey: newKey.toString('hex'), keyEncryptionKeyPrevious: oldKey.toString('base64') });
    expect(server.registry.signingKeys.current().kid).toBe(kid);
    expect((await listServiceIds(server.listenUrl, first.token, first.accountId)).status).toBe(200);
    const [row] = await server.registry.database.db.selectFrom('signing_keys').selectAll().execute();
    expect(() => keyEncryption(newKey).open(row!.private_key, kid)).not.toThrow();
    expect(() => keyEncryption(oldKey).open(row!.private_key, kid)).toThrow(/does not match/);
    await server.close();

    // The old key is no longer needed, and no longer enough.
    server = await startServer({ ...first.config, keyEncryptionKey: newKey.toString('hex') });
    expect((await listServiceIds(server.listenUrl, first.token, first.accountId)).status).toBe(200);
    await server.close();
    server = undefined;
    await expect(startServer({ ...first.config, keyEncryptionKey: oldKey.toString('base64') })).rejects.toThrow(/does not match/);
  });

  it('the key-encryption key can come from a file (base64 or hex)', async () => {
    const first = await firstStart((db) => {
      const file = join(db.dataDir, 'kek');
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      return { keyEncryptionKey: '', keyEncryptionKeyFile: file };
    });
    await server!.close();
    server = await startServer(first.config);
    expect((await listServiceIds(server.listenUrl, first.token, first.accountId)).status).toBe(200);
  });
});

describe('the key-encryption key setting', () => {
  it('on PostgreSQL is required: a node without one refuses to start with a clear message (nothing is generated)', async () => {
    // The check comes before any connection: no server needs to listen at this address.
    const config = loadConfig({ host: '127.0.0.1', port: 0, databaseUrl: 'postgres://portcullis@127.0.0.1:1/none', dataDir: '/nonexistent/portcullis' }, {});
    await expect(startServer(config)).rejects.toThrow(/PostgreSQL needs a key-encryption key, the same on every node/);
    expect(() => statSync('/nonexistent/portcullis')).toThrow();
  });

  it('must be 32 bytes in base64 or hex; both a key and a key file is ambiguous', async () => {
    const bytes = randomBytes(32);
    expect(parseKeyEncryptionKey(bytes.toString('hex'), 'k')).toEqual(bytes);
    expect(parseKeyEncryptionKey(bytes.toString('base64'), 'k')).toEqual(bytes);
    expect(parseKeyEncryptionKey(`${bytes.toString('base64url')}\n`, 'k')).toEqual(bytes);
    for (const bad of ['', 'short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), `${'z'.repeat(64)}`]) {
      expect(() => parseKeyEncryptionKey(bad, 'PORTCULLIS_KEY_ENCRYPTION_KEY'), bad).toThrow(/PORTCULLIS_KEY_ENCRYPTION_KEY must be 32 random bytes/);
    }
    const db = await createTestDatabase();
    try {
      const config = configFor(db, { keyEncryptionKey: bytes.toString('hex'), keyEncryptionKeyFile: join(db.dataDir, 'kek') });
      await expect(startServer(config)).rejects.toThrow(/either PORTCULLIS_KEY_ENCRYPTION_KEY or PORTCULLIS_KEY_ENCRYPTION_KEY_FILE/);
    } finally {
      await db.drop();
    }
  });

  it('seals each value with its own IV and binds it to its key id', () => {
    const kek = keyEncryption(randomBytes(32));
    const a = kek.seal('secret', 'kid-1');
    expect(kek.seal('secret', 'kid-1')).not.toBe(a);
    expect(kek.open(a, 'kid-1')).toBe('secret');
    // Moved to another row (another kid), or opened under another KEK: refused.
    expect(() => kek.open(a, 'kid-2')).toThrow(/does not match/);
    expect(() => keyEncryption(randomBytes(32)).open(a, 'kid-1')).toThrow(/does not match/);
  });
});

describe.skipIf(!!process.env.PORTCULLIS_TEST_DATABASE_URL)('local files (SQLite)', () => {
  it('the data directory is created 0700; the database, its -wal and -shm files and the generated key are 0600', async () => {
    const parent = await createTestDatabase();
    database = parent;
    const dataDir = join(parent.dataDir, 'data');
    server = await startServer(configFor(parent, { dataDir }));
    await bootstrapIfEmpty(server.registry, 'owner@example.com');
    expect(modeOf(dataDir)).toBe(0o700);
    const file = sqliteFile(dataDir);
    for (const path of [file, `${file}-wal`, `${file}-shm`, defaultKeyFile(dataDir)]) expect(modeOf(path), path).toBe(0o600);
    expect(readFileSync(defaultKeyFile(dataDir), 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
  });

  it('database files an older version left readable by others are made private; a shared data directory is reported', async () => {
    database = await createTestDatabase();
    const dataDir = database.dataDir;
    const file = sqliteFile(dataDir);
    await openDatabase({ databaseUrl: '', dataDir }).close();
    chmodSync(dataDir, 0o755);
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const reopened = openDatabase({ databaseUrl: '', dataDir, log: { info: () => undefined, warn: (_detail, message) => warnings.push(message) } });
    await reopened.close();
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(dataDir)).toBe(0o755);
    expect(warnings).toEqual([expect.stringMatching(/accessible to other users \(mode 755\)/)]);
  });
});
