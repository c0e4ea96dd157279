import Fastify from 'fastify';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtConsoleDir, consoleRoutes } from '../../src/http/console.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { initialScripts } from './bundle.js';

describe('the server serves the built web console under /console/', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('redirects / there and answers client routes with index.html, never cached, under a strict CSP', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');

    for (const path of ['/console/', '/console/service-ids', '/console/service-ids/ServiceId-x']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"]) {
        expect(csp).toContain(directive);
      }
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it('serves hashed assets as immutable for a year, and 404 for unknown ones', async () => {
    const [entry] = initialScripts(builtConsoleDir());
    const asset = await fetch(`${server.url}/console/${entry!.file}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${server.url}/console/assets/missing-0000.js`)).status).toBe(404);
  });

  it('keeps the console out of the OpenAPI document and the API paths unchanged', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((path) => path === '/' || path.startsWith('/console'))).toEqual([]);
    expect((await fetch(`${server.url}/v1/serviceids`)).status).toBe(401);
  });

  it('loads at most 400 KB of gzipped JavaScript before the first page', () => {
    const scripts = initialScripts(builtConsoleDir());
    expect(scripts.length).toBeGreaterThan(0);
    const total = scripts.reduce((sum, s) => sum + s.gzipBytes, 0);
    expect(total).toBeLessThanOrEqual(400 * 1024);
  });
});

describe('the console assets go precompressed, as the browser accepts', () => {
  const dir = builtConsoleDir();
  const app = Fastify();
  beforeAll(async () => {
    await app.register(consoleRoutes(dir));
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (file: string, headers: Record<string, string> = {}) => app.inject({ url: `/console/${file}`, headers });
  const stylesheet = () => `assets/${readdirSync(join(dir, 'assets')).find((file) => /^index-.*\.css$/.test(file))!}`;

  it('sends the brotli copy, else the gzip one, else the file, each the same bytes once decoded', async () => {
    for (const file of [initialScripts(dir)[0]!.file, stylesheet()]) {
      const original = readFileSync(join(dir, file));
      const cases = [
        { accept: 'gzip, deflate, br', encoding: 'br', decode: brotliDecompressSync },
        { accept: 'gzip', encoding: 'gzip', decode: gunzipSync },
        { accept: 'br;q=0.5, gzip;q=1', encoding: 'gzip', decode: gunzipSync },
        { accept: 'identity', encoding: undefined, decode: (body: Buffer) => body },
        { accept: undefined, encoding: undefined, decode: (body: Buffer) => body },
      ];
      for (const { accept, encoding, decode } of cases) {
        const response = await get(file, accept === undefined ? {} : { 'accept-encoding': accept });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-encoding']).toBe(encoding);
        expect(response.headers['vary']).toBe('accept-encoding');
        expect(response.headers['content-type']).toMatch(file.endsWith('.css') ? /^text\/css/ : /javascript/);
        expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(response.headers['content-security-policy']).toContain("script-src 'self'");
        if (encoding) expect(response.rawPayload.length).toBeLessThan(original.length / 3);
        expect(decode(response.rawPayload).equals(original)).toBe(true);
      }
    }
  });

  it('answers a revalidation of either form with 304, per encoding', async () => {
    const file = stylesheet();
    for (const accept of ['br', 'gzip', 'identity']) {
      const first = await get(file, { 'accept-encoding': accept });
      const etag = String(first.headers['etag']);
      expect(etag).toMatch(/^(W\/)?"/);
      const again = await get(file, { 'accept-encoding': accept, 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.rawPayload.length).toBe(0);
      expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    // The brotli and gzip forms are different bytes: their validators differ, so neither revalidates the other.
    const br = await get(file, { 'accept-encoding': 'br' });
    const gzip = await get(file, { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers['etag']) });
    expect(gzip.statusCode).toBe(200);
    expect(gzip.headers['content-encoding']).toBe('gzip');
  });

  it('keeps the compressed copies out of reach by name, and fonts (woff2, compressed already) as they are', async () => {
    const file = stylesheet();
    expect((await get(`${file}.br`, { 'accept-encoding': 'br' })).statusCode).toBe(404);
    expect((await get(`${file}.gz`)).statusCode).toBe(404);
    const font = readdirSync(join(dir, 'assets')).find((name) => name.endsWith('.woff2'))!;
    const response = await get(`assets/${font}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.headers['vary']).toBeUndefined();
    expect(response.rawPayload.equals(readFileSync(join(dir, 'assets', font)))).toBe(true);
  });
});

describe('a server without a built console', () => {
  it('serves the API only and says so in its log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-no-console-'));
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = Fastify({ logger: { level: 'info', stream } });
    try {
      await app.register(consoleRoutes(dir));
      app.get('/healthz', async () => ({ ok: true }));
      await app.ready();
      expect((await app.inject({ url: '/console/' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect(lines.join('')).toContain('web console not built');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
