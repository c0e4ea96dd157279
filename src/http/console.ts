import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web console (console/, built by `npm run build` into dist/console), served under `/console/`:
 * a prefix no API uses, so client-side routes (`/console/service-ids/…`) never collide with API
 * paths; `/` redirects there.
 */
export const CONSOLE_BASE = '/console/';

/** The console's build in this checkout (`<root>/dist/console`), found from this file in src/ or dist/src/. */
export function builtConsoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
}

/**
 * Headers of every console response. The CSP allows only the console's own files: no inline or
 * injected scripts, no framing, no plugins, no <base>, forms post only here; images may be data:
 * URLs (TOTP QR codes).
 */
const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The build's compressed copy of an asset (console/vite.config.ts writes them): `<asset>.br`, `<asset>.gz`. */
const COMPRESSED_COPY = /\.(?:br|gz)$/;

/** The assets in `dir` that have a compressed copy: their responses vary with Accept-Encoding. */
function filesWithCompressedCopies(dir: string): Set<string> {
  return new Set(readdirSync(dir).filter((file) => COMPRESSED_COPY.test(file)).map((file) => file.replace(COMPRESSED_COPY, '')));
}

/**
 * Serves the built console from `dir`: hashed assets (`assets/`) cached for a year as immutable, as
 * their brotli or gzip copy when the browser accepts one, and `index.html` (never cached: it names
 * the current assets) for `/console/` and every client route below it. Without a build the server
 * serves the API only and says so in its log. The routes are hidden from the OpenAPI document.
 */
export function consoleRoutes(dir: string): FastifyPluginAsync {
  return async (app) => {
    const indexFile = join(dir, 'index.html');
    if (!existsSync(indexFile)) {
      app.log.info({ dir }, 'web console not built (run `npm run build`): serving the API only');
      return;
    }
    const index = readFileSync(indexFile);
    await app.register(async (site) => {
      site.addHook('onSend', async (_request, reply) => {
        reply.headers(SECURITY_HEADERS);
      });
      const assets = join(dir, 'assets');
      const compressed = filesWithCompressedCopies(assets);
      await site.register(fastifyStatic, {
        root: assets,
        prefix: `${CONSOLE_BASE}assets/`,
        index: false,
        decorateReply: false,
        cacheControl: false,
        // The build's `.br`/`.gz` copies, sent with content-encoding when Accept-Encoding allows;
        // they are not addressable themselves.
        preCompressed: true,
        allowedPath: (pathname) => !COMPRESSED_COPY.test(pathname),
        setHeaders: (res, path) => {
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
          if (compressed.has(basename(path).replace(COMPRESSED_COPY, ''))) res.setHeader('vary', 'accept-encoding');
        },
      });
      const sendIndex = async (_request: unknown, reply: FastifyReply) =>
        reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
      site.get('/console', { schema: { hide: true } }, sendIndex);
      site.get('/console/*', { schema: { hide: true } }, sendIndex);
      site.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(CONSOLE_BASE));
    });
    app.log.info({ dir }, `web console served at ${CONSOLE_BASE}`);
  };
}
