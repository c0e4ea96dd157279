// Writes the server's OpenAPI document (what `GET /openapi.json` serves) to the file named by the
// first argument, building the app from source without listening and without a database on disk.
// The console's build turns it into TypeScript types (openapi-typescript), so a change to a route's
// schema shows up as a type error in the console.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createRegistry } from '../src/registry.js';

const out = process.argv[2];
if (!out) throw new Error('usage: console-openapi.ts <output.json>');
const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-openapi-'));
try {
  const registry = await createRegistry(loadConfig({ dataDir, logLevel: 'silent' }, {}), { memory: true, log: pino({ level: 'silent' }) });
  const app = await registry.buildHttp();
  await app.ready();
  writeFileSync(out, `${JSON.stringify(app.swagger(), null, 1)}\n`);
  await app.close();
  await registry.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
