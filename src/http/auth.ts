import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../kernel/errors.js';
import type { Actor, Authenticator, Principal, RequestEnvironment } from '../kernel/principal.js';
import { environmentOf } from './client-address.js';

/**
 * Whether an authenticated principal may be served from where its request comes from (the
 * account's allowed IP addresses, context-based restrictions on the route's service); throws a
 * DomainError when not. `route` is the matched route pattern (e.g. `/v2/groups/:access_group_id`).
 * Installed once by app.ts.
 */
export type Admission = (principal: Principal, environment: RequestEnvironment, route: string, requestId: string) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    admitPrincipal: Admission;
  }
}

/**
 * Requires `Authorization: Bearer <jwt>` on every route of the plugin it is added to; a missing,
 * malformed, expired or otherwise invalid token is a 401 in the API's error shape. A valid token
 * whose account does not admit the client address (`allowed_ip_addresses`) is a 403.
 */
export function requireBearer(app: FastifyInstance, authenticator: Authenticator) {
  app.addHook('preHandler', async (request) => {
    const token = bearerTokenOf(request.headers.authorization);
    if (token === undefined) {
      throw new DomainError('unauthenticated', 'invalid_token', 'A valid Bearer token is required in the Authorization header.');
    }
    await authenticateRequest(request, authenticator, token);
  });
}

/**
 * Authenticates `token` as the request's principal, then admits it from the request's client
 * address (or throws): the one path every bearer-authenticated request takes, including routes
 * that accept other credentials too and so cannot use `requireBearer`.
 */
export async function authenticateRequest(request: FastifyRequest, authenticator: Authenticator, token: string): Promise<void> {
  const principal = await authenticator.authenticate(token);
  await request.server.admitPrincipal(principal, environmentOf(request), request.routeOptions.url ?? '', request.id);
  request.principal = principal;
}

const BEARER_SCHEME = /^bearer[ \t]+/i;

/**
 * The token of an `Authorization: Bearer <token>` header (scheme in any case, blanks around the
 * token allowed), or undefined. Only the scheme goes through a regular expression: tokens are
 * a kilobyte long and this runs on every request.
 */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const scheme = header === undefined ? null : BEARER_SCHEME.exec(header);
  if (header === undefined || scheme === null) return undefined;
  const token = header.slice(scheme[0].length).trimEnd();
  return token !== '' && !token.includes(' ') && !token.includes('\t') ? token : undefined;
}

/** The actor of an authenticated request (after `requireBearer`), with where the request comes from. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.principal) throw new DomainError('unauthenticated', 'invalid_token', 'Authentication required.');
  return { principal: request.principal, requestId: request.id, environment: environmentOf(request) };
}
