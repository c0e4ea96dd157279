import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

/**
 * The newest change-feed revision a request's writes produced, carried to the response as the
 * `Portcullis-Revision` header. A client that passes it back as `Portcullis-Min-Revision` (or
 * `min_revision`) to a decision endpoint is never answered from an older snapshot, on any node.
 */
interface RevisionScope {
  revision: number;
}

const scope = new AsyncLocalStorage<RevisionScope>();

declare module 'fastify' {
  interface FastifyRequest {
    revisionScope?: RevisionScope;
  }
}

export const REVISION_HEADER = 'Portcullis-Revision';

/** Called by the writer after each commit that changed something. */
export function noteCommittedRevision(revision: number): void {
  const current = scope.getStore();
  if (current && revision > current.revision) current.revision = revision;
}

export function revisionHeaders(app: FastifyInstance): void {
  // Entered after body parsing, so the handler (where writes happen) runs inside the scope.
  app.addHook('preHandler', (request, _reply, done) => {
    const revisionScope = { revision: 0 };
    request.revisionScope = revisionScope;
    scope.run(revisionScope, done);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const revision = request.revisionScope?.revision;
    if (revision) reply.header(REVISION_HEADER, String(revision));
    return payload;
  });
}
