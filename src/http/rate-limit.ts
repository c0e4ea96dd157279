import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler, onResponseAsyncHookHandler } from 'fastify';
import { DomainError } from '../kernel/errors.js';
import { bearerTokenOf } from './auth.js';
import { clientAddressOf } from './client-address.js';

/**
 * Rate limits on credential checks: every route that takes an API key, a refresh token, a password,
 * an invitation or password-reset secret (anything other than a signed bearer token) and tells
 * whether it is good, the password-reset request (it sends e-mail), and the public list of an
 * account's sign-in identity providers (counted per address: it needs no token).
 *
 * Three limits, each over a fixed window of `windowSeconds`:
 * - failed checks per client address (`failuresPerAddress`): one address guessing with many keys
 *   gets 429 on every credential check until the window ends, even for a key that would be right
 *   (otherwise the limit would not slow a guesser down);
 * - failed checks per presented credential (`failuresPerKey`, keyed by a SHA-256 digest, never
 *   the value): one key tried from many addresses (a revoked key still deployed on a fleet, or a
 *   botnet) is refused at once instead of costing a database lookup each time;
 * - checks per client address, good or not (`checksPerAddress`, @fastify/rate-limit): a flood of
 *   valid grants is refused before it costs an RSA signature each.
 * A check counts as failed when it answers 4xx. It is counted when it starts and handed back
 * when it succeeds, so parallel attempts cannot overrun a limit while the first ones are pending.
 * A correct key from an address that is not limited always works: successes never count against
 * the failure limits.
 *
 * The counters live in this process's memory (DESIGN.md: only rate-limit state that *must* be
 * shared lives in the database). With N nodes behind a load balancer a guesser gets at most N
 * times the budget, which still makes guessing a 32-byte key hopeless; a database row per failed
 * attempt would instead turn every flood of wrong keys into a flood of writes on the one shared
 * component. Each node bounds its counters (MAX_COUNTERS), dropping the oldest windows first.
 * 0 disables a limit.
 */
export interface RateLimitSettings {
  windowSeconds: number;
  failuresPerAddress: number;
  failuresPerKey: number;
  checksPerAddress: number;
}

/** Route (`METHOD /path`) → the credential it checks, read from the request (after parsing). */
const CREDENTIAL_CHECKS: Record<string, (request: FastifyRequest) => string | undefined> = {
  // A password grant is counted by the login it names (lower-cased), whether or not such a user exists:
  // repeated failures lock that login for the window without telling whether it is a user's.
  'POST /identity/token': (request) =>
    bodyField(request.body, 'apikey') ??
    bodyField(request.body, 'refresh_token') ??
    bodyField(request.body, 'cr_token') ??
    bodyField(request.body, 'access_token') ??
    loginOf(bodyField(request.body, 'username')),
  'POST /identity/profiles': (request) => bodyField(request.body, 'cr_token') ?? bodyField(request.body, 'access_token'),
  'POST /signin/password': (request) => loginOf(bodyField(request.body, 'username')),
  'POST /signin/password/reset': (request) => loginOf(bodyField(request.body, 'username')),
  'POST /signin/password/reset/confirm': (request) => bodyField(request.body, 'token'),
  'POST /signin/passkey/options': (request) => loginOf(bodyField(request.body, 'username')),
  'POST /signin/apikey': (request) => bodyField(request.body, 'apikey'),
  // A current password guessed with a stolen token is counted by that token.
  'POST /signin/password/change': (request) => bearerTokenOf(request.headers.authorization),
  // A passcode guessed with a stolen token (to confirm or remove an authenticator) is counted by that token.
  'POST /signin/mfa/totp/confirm': (request) => bearerTokenOf(request.headers.authorization),
  'POST /signin/mfa/totp/remove': (request) => bearerTokenOf(request.headers.authorization),
  // No credential (public): counted per client address only, like the sign-in page it serves.
  'GET /federation/providers': () => undefined,
  'GET /v1/apikeys/details': (request) => text(request.headers['iam-apikey']),
  'POST /v2/users/accept': (request) => bearerTokenOf(request.headers.authorization),
};

const MAX_COUNTERS = 100_000;

/** The check a route makes, if any; Fastify's automatic HEAD routes check what their GET does. */
const checkOf = (method: string, url: string | undefined) => CREDENTIAL_CHECKS[`${method === 'HEAD' ? 'GET' : method} ${url}`];

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A string field of a parsed form or JSON body. */
function bodyField(body: unknown, name: string): string | undefined {
  return typeof body === 'object' && body !== null ? text((body as Record<string, unknown>)[name]) : undefined;
}

const loginOf = (login: string | undefined) => (login === undefined ? undefined : `login ${login.toLowerCase()}`);

/** The counter key of a presented credential: a digest, so no secret is held in memory. */
const digestOf = (credential: string) => createHash('sha256').update(credential).digest('base64url').slice(0, 24);

export const tooManyAttempts = (retryAfterSeconds: number) =>
  new DomainError('rate_limited', 'too_many_requests', `Too many credential checks; retry in ${retryAfterSeconds} seconds.`, {
    more: 'Too many failed attempts came from this client address or with this credential. Wait for the time given in the Retry-After header.',
  });

interface Window {
  count: number;
  resetAt: number;
}

/** A counted attempt: the counter and the window it was counted in. */
interface Held {
  key: string;
  resetAt: number;
}

/** Fixed-window counters of failed attempts, by key; bounded in size. */
export class FailureCounts {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxCounters = MAX_COUNTERS,
  ) {}

  /** Seconds until `key` may be tried again when it reached `max` in its current window, else 0. */
  retryAfter(key: string, max: number): number {
    const window = this.live(key);
    return window !== undefined && window.count >= max ? Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000)) : 0;
  }

  /** Counts one attempt for `key`. */
  add(key: string): Held {
    let window = this.live(key);
    if (window === undefined) {
      this.windows.delete(key);
      this.makeRoom();
      window = { count: 0, resetAt: this.now() + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { key, resetAt: window.resetAt };
  }

  /** Hands an attempt back (it succeeded), if its window is still the current one. */
  remove(held: Held): void {
    const window = this.live(held.key);
    if (window !== undefined && window.resetAt === held.resetAt && window.count > 0) window.count -= 1;
  }

  private live(key: string): Window | undefined {
    const window = this.windows.get(key);
    return window !== undefined && window.resetAt > this.now() ? window : undefined;
  }

  private makeRoom(): void {
    if (this.windows.size < this.maxCounters) return;
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxCounters) break;
      this.windows.delete(key);
    }
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The failure counters this request's credential check holds until it answers. */
    credentialAttempts?: Held[];
  }
}

/**
 * Installs the limits on the credential-check routes of `app` (call before the routes are
 * registered). `now` is the clock of the failure windows, in ms.
 */
export async function installCredentialRateLimits(app: FastifyInstance, settings: RateLimitSettings, now: () => number): Promise<void> {
  const windowMs = settings.windowSeconds * 1000;
  const failures = new FailureCounts(windowMs, now);
  const limits = [
    { prefix: 'address', max: settings.failuresPerAddress },
    { prefix: 'key', max: settings.failuresPerKey },
  ];

  await app.register(rateLimit, { global: false });
  const checks: onRequestAsyncHookHandler | undefined =
    settings.checksPerAddress > 0
      ? app.rateLimit({
          max: settings.checksPerAddress,
          timeWindow: windowMs,
          keyGenerator: (request) => clientAddressOf(request),
          errorResponseBuilder: (_request, context) => tooManyAttempts(Math.max(1, Math.ceil(context.ttl / 1000))),
        })
      : undefined;

  const before: preHandlerAsyncHookHandler = async (request, reply) => {
    const check = checkOf(request.method, request.routeOptions.url);
    const credential = check?.(request);
    const keys = [`address ${clientAddressOf(request)}`, ...(credential === undefined ? [] : [`key ${digestOf(credential)}`])];
    const counted: Array<{ key: string; max: number }> = [];
    let wait = 0;
    for (const key of keys) {
      const limit = limits.find((l) => key.startsWith(l.prefix))!;
      if (limit.max <= 0) continue;
      counted.push({ key, max: limit.max });
      wait = Math.max(wait, failures.retryAfter(key, limit.max));
    }
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw tooManyAttempts(wait);
    }
    request.credentialAttempts = counted.map(({ key }) => failures.add(key));
  };
  const after: onResponseAsyncHookHandler = async (request, reply) => {
    const failed = reply.statusCode >= 400 && reply.statusCode < 500;
    if (!failed) for (const held of request.credentialAttempts ?? []) failures.remove(held);
  };

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((method) => checkOf(method, route.url) !== undefined)) return;
    if (checks) route.onRequest = [...hooksOf(route.onRequest), checks];
    route.preHandler = [...hooksOf(route.preHandler), before];
    route.onResponse = [...hooksOf(route.onResponse), after];
  });
}

function hooksOf<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}
