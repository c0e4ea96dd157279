import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { databaseFlags, startServe, type ServeProcess } from '../cli/portcullis-process.js';

/**
 * Crash safety: an acknowledged write survives the process being killed. A real server runs as a
 * child process; a stream of service-ID creates is fired at it with several in flight; it gets
 * SIGKILL mid-stream (no shutdown hooks); it restarts on the same data; every create that was
 * acknowledged with a 2xx must be readable. Runs on the suite's dialect (SQLite file or PostgreSQL).
 */

const IN_FLIGHT = 8; // concurrent requests while the kill lands
const KILL_AFTER_ACKS = 40; // acknowledged creates before the kill
const MAX_CREATES = 400; // bound on the stream, should the kill somehow not land
const STREAM_DEADLINE_MS = 30_000;

let database: TestDatabase;
const servers: ServeProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const server of servers) await server.kill();
  await database?.drop();
});

async function serve(): Promise<ServeProcess> {
  const server = await startServe(databaseFlags(database));
  servers.push(server);
  return server;
}

async function tokenFor(url: string, apikey: string): Promise<string> {
  const response = await fetch(`${url}/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

describe('crash safety', () => {
  it('every create acknowledged before SIGKILL is there after a restart on the same data', async () => {
    const first = await serve();
    expect(first.bootstrap, `first start prints the bootstrap API key:\n${first.stdout()}`).toBeDefined();
    const { accountId, apikey } = first.bootstrap!;
    const token = await tokenFor(first.url, apikey);

    const acknowledged = new Map<string, string>(); // id → name
    let unknownOutcome = 0; // in flight when the process died: may or may not have committed
    let sent = 0;
    let killed: Promise<void> | undefined;
    const deadline = Date.now() + STREAM_DEADLINE_MS;
    const unexpected: string[] = [];

    const worker = async () => {
      // After the kill the workers keep firing until their requests fail: the kill lands mid-stream.
      while (sent < MAX_CREATES && Date.now() < deadline) {
        const name = `crash-${++sent}`;
        let response: Response;
        try {
          response = await fetch(`${first.url}/v1/serviceids`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ account_id: accountId, name }),
          });
        } catch {
          unknownOutcome++;
          if (killed) return; // the server is gone
          continue;
        }
        const text = await response.text().catch(() => undefined);
        if (response.status >= 200 && response.status < 300) {
          let id: string | undefined;
          try {
            id = (JSON.parse(text ?? '') as { id?: string }).id;
          } catch {
            // the body was cut off by the kill: the client never learnt the id
          }
          if (!id) {
            unknownOutcome++;
            if (killed) return;
            unexpected.push(`${response.status} without an id: ${text}`);
            return;
          }
          acknowledged.set(id, name);
          // Kill while the other workers' requests are in flight; the stream keeps firing.
          if (acknowledged.size >= KILL_AFTER_ACKS && !killed) killed = first.kill();
        } else if (!killed) {
          unexpected.push(`${response.status} ${text}`);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(unexpected, 'creates before the kill are refused').toEqual([]);
    expect(killed, `the kill landed (${acknowledged.size} acknowledged of ${sent} sent)`).toBeDefined();
    await killed;
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(unknownOutcome, 'requests were in flight when the kill landed').toBeGreaterThan(0);
    console.info(`crash: ${sent} sent, ${acknowledged.size} acknowledged, ${unknownOutcome} cut off by SIGKILL (${database.dialect})`);

    // Restart on the same data: no second bootstrap; the same API key still works.
    const second = await serve();
    expect(second.bootstrap).toBeUndefined();
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    const token2 = await tokenFor(second.url, apikey);

    const missing: string[] = [];
    for (const [id, name] of acknowledged) {
      const response = await fetch(`${second.url}/v1/serviceids/${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${token2}`, accept: 'application/json' },
      });
      if (response.status !== 200) {
        missing.push(`${id} (${name}): ${response.status}`);
        continue;
      }
      const body = (await response.json()) as { id: string; name: string; account_id: string };
      if (body.name !== name || body.account_id !== accountId) missing.push(`${id}: came back as ${JSON.stringify(body)}`);
    }
    expect(missing, `${acknowledged.size} acknowledged, ${unknownOutcome} in flight at the kill`).toEqual([]);

    // The restarted server takes writes again.
    const after = await fetch(`${second.url}/v1/serviceids`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token2}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ account_id: accountId, name: 'after-restart' }),
    });
    expect(after.status).toBe(201);
  }, 120_000);
});
