import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { databaseFlags, runCli, startServe, type ServeProcess } from './portcullis-process.js';

const versions = migrations.map((m) => m.version);
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanup.push(() => db.drop());
  return db;
}

describe('portcullis migrate', () => {
  it('applies every migration to an empty database, in order; a second run reports up to date', async () => {
    const db = await freshDatabase();
    const first = await runCli(['migrate', ...databaseFlags(db)]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`Applied: ${versions.join(', ')}\n`);
    expect(versions[0]).toMatch(/^001_/);

    const second = await runCli(['migrate', ...databaseFlags(db)]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('The schema is up to date.\n');
  });

  it('/readyz is 503 while the schema is behind (serve --no-migrate) and 200 once `migrate` has run', async () => {
    const db = await freshDatabase();
    let server: ServeProcess | undefined;
    cleanup.push(async () => server?.kill());
    server = await startServe(['--no-migrate', ...databaseFlags(db)]);

    const behind = await fetch(`${server.url}/readyz`);
    expect(behind.status).toBe(503);
    const body = (await behind.json()) as { status: string; reason: string };
    expect(body.status).toBe('not_ready');
    expect(body.reason).toContain(versions[0]);
    // Liveness is not readiness: the process itself is fine.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const migrated = await runCli(['migrate', ...databaseFlags(db)]);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toBe(`Applied: ${versions.join(', ')}\n`);

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    // Ready stays ready while the full server takes over from the waiting one (a few schema polls).
    const statuses = new Set<number>();
    for (const until = Date.now() + 1500; Date.now() < until; ) statuses.add((await fetch(`${server.url}/readyz`)).status);
    expect([...statuses]).toEqual([200]);
  });
});
