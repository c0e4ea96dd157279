import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerFactory } from 'fastify';
import type { Admission } from './http/auth.js';
import { installErrorHandling } from './http/errors.js';
import { lazyChildLoggers, loggerOptions } from './http/logging.js';
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
}

const admitAll: Admission = async () => undefined;

const TRANSACTION_ID = /^[\w.:/-]{1,128}$/;

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
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // CRNs travel URL-encoded in resource-controller paths; they are longer than Fastify's default 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });

  installErrorHandling(app);
  app.decorate('admitPrincipal', deps.admission ?? admitAll);
  if (deps.rateLimits) await installCredentialRateLimits(app, deps.rateLimits.settings, deps.rateLimits.now);
  deps.revisions.install(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('Transaction-Id', request.id);
    if (request.headers['x-correlation-id']) reply.header('X-Correlation-Id', request.id);
    done();
  });
  // The SDK sends `Content-Type: application/json` with no body on body-less POSTs (lock, disable,
  // reclamation actions); an empty body is "no body" (routes that need one fail their schema: 400).
  // Prototype-poisoning keys are refused, as Fastify's default parser does.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : json(request, body as string, done),
  );
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Portcullis', description: 'IBM Cloud IAM compatible APIs', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  observabilityRoutes(app, deps.readiness, deps.metrics);
  for (const domain of deps.domains) await app.register(domain);
  return app;
}
