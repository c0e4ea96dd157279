import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import type { Migration } from '../../src/store/migrations/types.js';
import { migrateToLatest, pendingMigrations } from '../../src/store/db.js';
import { createChangeFeed } from '../../src/store/changes.js';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { systemClock } from '../../src/kernel/clock.js';
import { createWriter } from '../../src/store/unit-of-work.js';
import { createSigningKeys } from '../../src/token/signing-keys.js';
import { testKeyEncryption } from '../token/fixtures.js';
import { openStore, type StoreFixture } from './support.js';

const versions = migrations.map((m) => m.version);
let fixture: StoreFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('migrations', () => {
  it('are versioned, unique and in order', () => {
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort()).toEqual(versions);
    for (const v of versions) expect(v).toMatch(/^\d{3}_[a-z0-9_]+$/);
  });

  it('an empty database has every migration pending (the server is not ready)', async () => {
    fixture = await openStore({ migrate: false });
    expect(await pendingMigrations(fixture.database)).toEqual(versions);
  });

  it('apply from empty, in order, and leave nothing pending (the server is ready)', async () => {
    fixture = await openStore({ migrate: false });
    expect(await migrateToLatest(fixture.database)).toEqual(versions);
    expect(await pendingMigrations(fixture.database)).toEqual([]);
    // The schema is usable: the feed starts at revision 0 with no changes.
    const feed = createChangeFeed(fixture.database.db);
    expect(await feed.head()).toBe(0);
    expect(await feed.since(0)).toEqual([]);
    for (const table of ['accounts', 'users', 'account_users', 'service_ids', 'api_keys', 'changes', 'audit_events'] as const) {
      const rows = await fixture.database.db.selectFrom(table).selectAll().execute();
      expect(rows, table).toEqual([]);
    }
  });

  it('are idempotent: a second run applies nothing and changes nothing', async () => {
    fixture = await openStore({ migrate: false });
    await migrateToLatest(fixture.database);
    await fixture.database.db
      .insertInto('accounts')
      .values({ id: 'a1', name: 'kept', owner_iam_id: 'IBMid-1', state: 'ACTIVE', created_at: 'x', updated_at: 'x' })
      .execute();
    expect(await migrateToLatest(fixture.database)).toEqual([]);
    // A separate connection sees the same state.
    expect(await migrateToLatest(fixture.reopen())).toEqual([]);
    expect(await pendingMigrations(fixture.database)).toEqual([]);
    const rows = await fixture.database.db.selectFrom('accounts').select('name').execute();
    expect(rows).toEqual([{ name: 'kept' }]);
    const head = await fixture.database.db.selectFrom('feed_head').selectAll().execute();
    expect(head).toEqual([{ id: 1, revision: 0 }]);
  });

  it('two processes migrating one empty database at once apply each migration exactly once', async () => {
    fixture = await openStore({ migrate: false });
    const outcomes = await Promise.allSettled([migrateToLatest(fixture.database), migrateToLatest(fixture.reopen())]);
    const applied = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
    // PostgreSQL serialises migrators on an advisory lock: both succeed, the second finds nothing to do.
    // SQLite has no cross-connection migration lock; the loser may fail, but never half-applies.
    if (fixture.test.dialect === 'postgres') expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(applied.sort()).toEqual(versions);
    expect(await migrateToLatest(fixture.database)).toEqual([]);
    expect(await pendingMigrations(fixture.database)).toEqual([]);
    const head = await fixture.database.db.selectFrom('feed_head').selectAll().execute();
    expect(head).toEqual([{ id: 1, revision: 0 }]);
  });

  it('a migration that fails part-way leaves nothing behind and stays pending', async () => {
    fixture = await openStore();
    const broken: Migration = {
      version: '999_conformance_broken',
      statements: () => [
        'CREATE TABLE conformance_half_applied (x INTEGER)',
        'INSERT INTO feed_head (id, revision) VALUES (2, 0)',
        'THIS IS NOT SQL',
      ],
    };
    migrations.push(broken);
    try {
      await expect(migrateToLatest(fixture.database)).rejects.toThrow();
      expect(await pendingMigrations(fixture.database)).toEqual([broken.version]);
      // "Each in its own transaction": none of the broken migration's statements may survive.
      const tables = await fixture.database.db.introspection.getTables();
      expect(tables.map((t) => t.name)).not.toContain('conformance_half_applied');
      const head = await fixture.database.db.selectFrom('feed_head').selectAll().execute();
      expect(head).toEqual([{ id: 1, revision: 0 }]);
    } finally {
      migrations.splice(migrations.indexOf(broken), 1);
    }
  });

  it('record what they applied in the migration table', async () => {
    fixture = await openStore();
    const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(fixture.database.db);
    expect(rows.map((r) => r.name)).toEqual(versions);
  });
});

describe('009_sealed_signing_keys', () => {
  const mine = versions.indexOf('009_sealed_signing_keys');

  /** Applies the migrations before 009 only: the schema a database had at the previous version. */
  async function migrateToPrevious(database: StoreFixture['database']) {
    const later = migrations.splice(mine);
    try {
      await migrateToLatest(database);
    } finally {
      migrations.push(...later);
    }
  }

  it('a private key stored plain before it is sealed at start-up, keeps signing, and its tokens verify', async () => {
    fixture = await openStore({ migrate: false });
    await migrateToPrevious(fixture.database);
    expect(await pendingMigrations(fixture.database)).toEqual(versions.slice(mine));

    // The row as the previous version wrote it: the private JWK in plain.
    const kid = '202501010000-0a0b0c0d';
    const pair = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const privateJwk = { ...(await exportJWK(pair.privateKey)), alg: 'RS256', kid };
    const { kty, n, e } = await exportJWK(pair.publicKey);
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await sql`INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at, retires_at, expires_at)
      VALUES (${kid}, ${JSON.stringify(privateJwk)}, ${JSON.stringify({ kty, n, e, alg: 'RS256', kid })},
              ${iso(now - 1000)}, ${iso(now + 86_400_000)}, ${iso(now + 2 * 86_400_000)})`.execute(fixture.database.db);

    await migrateToLatest(fixture.database);
    const marked = await fixture.database.db.selectFrom('signing_keys').selectAll().execute();
    expect(marked).toMatchObject([{ kid, private_key_encryption: 'none' }]);

    // Two nodes start at once: the key is sealed once, both sign with it.
    const node = () =>
      createSigningKeys({
        db: fixture!.database.db,
        writer: createWriter(fixture!.database.db),
        clock: systemClock,
        rotationSeconds: 86_400,
        keyEncryption: testKeyEncryption,
      });
    const a = node();
    const b = node();
    await Promise.all([a.start(), b.start()]);
    a.stop();
    b.stop();
    const [row, ...others] = await fixture.database.db.selectFrom('signing_keys').selectAll().execute();
    expect(others).toEqual([]);
    expect(row).toMatchObject({ kid, private_key_encryption: 'aes-256-gcm' });
    expect(row!.private_key).not.toContain(privateJwk.d!);
    expect(JSON.parse(testKeyEncryption.open(row!.private_key, kid))).toEqual(privateJwk);
    const sealedAudit = await fixture.database.db.selectFrom('audit_events').select(['action', 'target_id']).execute();
    expect(sealedAudit).toEqual([{ action: 'iam-identity.signing-key.seal', target_id: kid }]);

    // The old key still signs, and what it signs verifies with the public key published before.
    expect(a.current().kid).toBe(kid);
    const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256', kid }).sign(a.current().key);
    await expect(jwtVerify(jwt, pair.publicKey)).resolves.toBeDefined();
    await expect(jwtVerify(jwt, (await b.resolve(kid))!)).resolves.toBeDefined();
  });
});
