import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerFactory } from 'fastify';
import type { Admission } from './http/auth.js';
import { installErrorHandling, replyWithError } from './http/errors.js';
import { securitySchemes } from './http/openapi.js';
import { installValidation } from './http/validation.js';
import { installEmptyCursorsAsAbsent } from './http/query.js';
import { DomainError, invalid } from './kernel/errors.js';
import { lazyChildLoggers, loggerOptions } from './http/logging.js';
import { consoleRoutes } from './http/console.js';
import { observabilityRoutes, type Metrics, type ReadinessProbe } from './http/observability.js';
import { installCredentialRateLimits, type RateLimitSettings } from './http/rate-limit.js';
import type { RevisionNotes } from './http/revision.js';

export interface AppDeps {
  logLevel: string;
  bodyLimitBytes: number;
  readiness: ReadinessProbe;
  metrics: Metrics;
  /** The route plugins of every domain, registered in order. */
  domains: FastifyPluginAsync[];
  /** Tags responses with the revision their writes produced. */
  revisions: RevisionNotes;
  /** Serve through a server the caller owns (see main.ts) instead of Fastify's own. */
  serverFactory?: FastifyServerFactory;
  /**
   * Peers (addresses or CIDR subnets) whose `X-Forwarded-For` names the client; any other peer is
   * the client itself. Empty or absent: the socket peer is always the client.
   */
  trustedProxies?: readonly string[];
  /** Limits on credential checks (see http/rate-limit.ts), with the clock of their windows in ms. */
  rateLimits?: { settings: RateLimitSettings; now: () => number };
  /** Whether an authenticated principal is served from the request's address (allowed IP addresses); default: always. */
  admission?: Admission;
  /** Where the built web console is (http/console.ts); absent: the API only. */
  consoleDir?: string;
}

const admitAll: Admission = async () => undefined;

const TRANSACTION_ID = /^[\w.:/-]{1,128}$/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** The text of a body, or undefined when its bytes are not valid UTF-8. */
function utf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
const invalidUtf8 = () => new DomainError('invalid', 'invalid_body', 'The request body is not valid UTF-8, holds a NUL character, or is not valid form encoding.');

/**
 * Whether `url` (path and query) percent-decodes to valid UTF-8 without NUL characters, which no
 * IBM field holds and PostgreSQL cannot store or compare in text.
 */
function validUrl(url: string): boolean {
  try {
    return !decodeURIComponent(url.replace(/\+/g, ' ')).includes('\u0000');
  } catch {
    return false;
  }
}

/** A JSON `\u0000` escape that is not itself escaped (a NUL character in a string). */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;

/** Builds the HTTP application without listening; tests and main.ts share it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(deps.logLevel),
    childLoggerFactory: lazyChildLoggers,
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: deps.trustedProxies && deps.trustedProxies.length > 0 ? [...deps.trustedProxies] : false,
    // Transaction-Id is echoed when the caller sends a sane one (CBR's X-Correlation-Id wins), else generated.
    genReqId: (request) => {
      const given = request.headers['x-correlation-id'] ?? request.headers['transaction-id'];
      const text = Array.isArray(given) ? given[0] : given;
      return text && TRANSACTION_ID.test(text) ? text : randomUUID();
    },
    // CRNs travel URL-encoded in resource-controller paths; they are longer than Fastify's default 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // A URL the router cannot decode, or a path value over maxParamLength: the API's own 400.
    frameworkErrors: replyWithError,
  });

  installErrorHandling(app);
  installValidation(app);
  installEmptyCursorsAsAbsent(app);
  app.decorate('admitPrincipal', deps.admission ?? admitAll);
  if (deps.rateLimits) await installCredentialRateLimits(app, deps.rateLimits.settings, deps.rateLimits.now);
  deps.revisions.install(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('Transaction-Id', request.id);
    if (request.headers['x-correlation-id']) reply.header('X-Correlation-Id', request.id);
    done(validUrl(request.url) ? undefined : invalid('The URL is not valid: malformed percent-encoding, invalid UTF-8 or a NUL character.'));
  });
  // The SDK sends `Content-Type: application/json` with no body on body-less POSTs (lock, disable,
  // reclamation actions); an empty body is "no body" (routes that need one fail their schema: 400).
  // Prototype-poisoning keys are refused, as Fastify's default parser does.
  // Bodies must be valid UTF-8 without NUL characters: refused (400), never stored as U+FFFD.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const text = utf8(body as Buffer);
    if (text === undefined || NUL_ESCAPE.test(text)) return done(invalidUtf8(), undefined);
    return text === '' ? done(null, undefined) : json(request, text, done);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => {
    const text = utf8(body as Buffer);
    if (text === undefined || !validUrl(text)) return done(invalidUtf8(), undefined);
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Portcullis', description: 'IBM Cloud IAM compatible APIs', version: '0.1.0' },
      components: { securitySchemes },
      security: [{ bearer: [] }],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  observabilityRoutes(app, deps.readiness, deps.metrics);
  for (const domain of deps.domains) await app.register(domain);
  if (deps.consoleDir) await app.register(consoleRoutes(deps.consoleDir));
  return app;
}
