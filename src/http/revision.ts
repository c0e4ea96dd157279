import type { FastifyInstance } from 'fastify';

/**
 * The newest change-feed revision a request's writes produced, carried to the response as the
 * `Portcullis-Revision` header. A client that passes it back as `Portcullis-Min-Revision` (or
 * `min_revision`) to a decision endpoint is never answered from an older snapshot, on any node.
 *
 * Writes are tied to their request by the request id every mutation's audit event carries, so no
 * per-request async context is needed (AsyncLocalStorage would tax every promise on Node 20).
 */
export const REVISION_HEADER = 'Portcullis-Revision';

export function createRevisionNotes() {
  /** Requests in flight → newest revision they committed (0: none yet). */
  const open = new Map<string, number>();
  return {
    /** Called by the writer after a commit, with the request ids of its audit events. */
    committed(revision: number, requestIds: readonly string[]) {
      for (const id of requestIds) {
        const current = open.get(id);
        if (current !== undefined && revision > current) open.set(id, revision);
      }
    },

    install(app: FastifyInstance) {
      app.addHook('onRequest', (request, _reply, done) => {
        open.set(request.id, 0);
        done();
      });
      app.addHook('onSend', (request, reply, payload, done) => {
        const revision = open.get(request.id);
        if (revision) reply.header(REVISION_HEADER, String(revision));
        done(null, payload);
      });
      app.addHook('onResponse', (request, _reply, done) => {
        open.delete(request.id);
        done();
      });
    },
  };
}

export type RevisionNotes = ReturnType<typeof createRevisionNotes>;
