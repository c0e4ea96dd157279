import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../kernel/errors.js';
import type { Actor, Authenticator, Principal } from '../kernel/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Requires `Authorization: Bearer <jwt>` on every route of the plugin it is added to; a missing,
 * malformed, expired or otherwise invalid token is a 401 in the API's error shape.
 */
export function requireBearer(app: FastifyInstance, authenticator: Authenticator) {
  app.addHook('preHandler', async (request) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new DomainError('unauthenticated', 'invalid_token', 'A valid Bearer token is required in the Authorization header.');
    }
    request.principal = await authenticator.authenticate(match[1]!);
  });
}

/** The actor of an authenticated request (after `requireBearer`). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.principal) throw new DomainError('unauthenticated', 'invalid_token', 'Authentication required.');
  return { principal: request.principal, requestId: request.id };
}
