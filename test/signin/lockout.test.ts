import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { manualClock } from '../../src/kernel/clock.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { keyEncryptionKeyFor } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { GOOD_PASSWORD, memberWithPassword, passwordForm, postJson, tokenCall, type Reply } from './helpers.js';

/** The lockout under test: 3 failures of a login, or 8 from an address, in 60 s lock it for 120 s. */
const LOCKOUT = { lockoutWindowSeconds: 60, lockoutSeconds: 120, lockoutFailuresPerLogin: 3, lockoutFailuresPerAddress: 8 };

describe('lockout after repeated failed sign-ins, shared by every node through the database', () => {
  let server: TestServer;
  /** A second node on the same database. */
  let other: RunningServer;
  const clock = manualClock(new Date('2026-03-01T10:00:00Z'));

  const grant = (url: string, login: string, password: string) => tokenCall(url, passwordForm(login, password));
  const wrong = (url: string, login: string, n: number) => grant(url, login, `wrong password number ${n}`);
  /** The answer without what differs between two locks (seconds left, request ids, times). */
  const shape = (reply: Reply) => ({ status: reply.status, code: reply.body.errorCode, message: String(reply.body.errorMessage).replace(/\d+/g, 'N') });

  beforeAll(async () => {
    server = await startTestServer({ clock, config: { signin: LOCKOUT } as never });
    const config = loadConfig(
      {
        host: '127.0.0.1',
        port: 0,
        dataDir: server.database.dataDir,
        databaseUrl: server.database.databaseUrl,
        keyEncryptionKey: keyEncryptionKeyFor(server.database),
        logLevel: 'silent',
        rateLimit: server.server.registry.config.rateLimit,
        signin: LOCKOUT,
      },
      {},
    );
    other = await startServer(config, { clock });
  });
  afterAll(async () => {
    await other?.close();
    await server?.close();
  });

  it('locks a login after failures spread over two nodes, alike whether or not a user has it, and only that login', async () => {
    await memberWithPassword(server, 'lock-real@example.com');
    await memberWithPassword(server, 'lock-fine@example.com');
    for (const login of ['lock-real@example.com', 'lock-ghost@example.com']) {
      expect((await wrong(server.url, login, 1)).status).toBe(400);
      expect((await wrong(other.url, login, 2)).status).toBe(400);
      expect((await wrong(server.url, login, 3)).status).toBe(400);
    }
    // Locked on both nodes: even the right password is refused, and the answers for a real and an unknown login are alike.
    const real = await grant(other.url, 'lock-real@example.com', GOOD_PASSWORD);
    const ghost = await grant(server.url, 'LOCK-GHOST@example.com', GOOD_PASSWORD);
    expect(real.status).toBe(429);
    expect(shape(real)).toEqual(shape(ghost));
    expect(real.body.errorMessage).toMatch(/Too many failed sign-ins/);
    const session = await postJson(server.url, '/signin/password', { username: 'lock-real@example.com', password: GOOD_PASSWORD });
    expect(session.status).toBe(429);
    // Another login is not affected.
    expect((await grant(other.url, 'lock-fine@example.com', GOOD_PASSWORD)).status).toBe(200);
    // After the lock, the right password works again, and a success starts the count afresh.
    clock.advance(121_000);
    expect((await grant(server.url, 'lock-real@example.com', GOOD_PASSWORD)).status).toBe(200);
    expect((await wrong(server.url, 'lock-real@example.com', 4)).status).toBe(400);
    expect((await grant(server.url, 'lock-real@example.com', GOOD_PASSWORD)).status).toBe(200);

    const db = server.server.registry.database.db;
    const locks = await db.selectFrom('audit_events').select(['target_type', 'detail']).where('action', '=', 'iam-identity.signin.lockout').execute();
    expect(locks.map((l) => l.target_type).sort()).toEqual(['login', 'user']);
    // Failures are audited with their reason; the passwords tried never are.
    const failures = await db.selectFrom('audit_events').select(['detail', 'outcome']).where('action', '=', 'iam-identity.signin').where('outcome', '=', 'failure').execute();
    expect(failures.map((f) => JSON.parse(f.detail).reason)).toEqual(expect.arrayContaining(['credentials_incorrect', 'locked']));
    expect(JSON.stringify(failures)).not.toMatch(/wrong password number/);
    clock.advance(121_000);
  });

  it('locks a client address that fails with many logins, for every login, until the lock ends', async () => {
    await memberWithPassword(server, 'lock-addr@example.com');
    for (let i = 0; i < 8; i++) expect((await wrong(i % 2 ? server.url : other.url, `spray-${i}@example.com`, i)).status).toBe(400);
    expect((await grant(server.url, 'lock-addr@example.com', GOOD_PASSWORD)).status).toBe(429);
    clock.advance(121_000);
    expect((await grant(server.url, 'lock-addr@example.com', GOOD_PASSWORD)).status).toBe(200);
  });

  it('counts sign-ins, failures by reason, lockouts and session ends in /metrics', async () => {
    await memberWithPassword(server, 'lock-metrics@example.com');
    const session = await postJson(server.url, '/signin/password', { username: 'lock-metrics@example.com', password: GOOD_PASSWORD });
    await postJson(server.url, '/signin/logout', {}, { cookie: session.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': session.body.csrf_token });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (series: string) => Number(text.split('\n').find((line) => line.startsWith(series))?.split(' ').pop() ?? 0);
    expect(value('portcullis_signin_total{via="grant",outcome="failure",reason="credentials_incorrect"}')).toBeGreaterThanOrEqual(5);
    expect(value('portcullis_signin_total{via="grant",outcome="failure",reason="locked"}')).toBeGreaterThanOrEqual(2);
    expect(value('portcullis_signin_total{via="session",outcome="success",reason="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value('portcullis_signin_lockouts_total{scope="login"}')).toBeGreaterThanOrEqual(1);
    expect(value('portcullis_signin_lockouts_total{scope="address"}')).toBeGreaterThanOrEqual(1);
    expect(value('portcullis_signin_sessions_ended_total{reason="logout"}')).toBe(1);
    expect(text).not.toMatch(/lock-metrics@example\.com|127\.0\.0\.1/);
  });
});
