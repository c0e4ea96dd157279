import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { dropEmptyCursors, type LimitRange } from '../kernel/cursor.js';

/**
 * Query mechanics shared by every listing: the `limit`-like parameter of an API's range, and empty
 * cursor parameters read as absent.
 */

/** The schema of a page-size parameter in `range` (the route refuses anything else: 400). */
export const limitParam = (range: LimitRange, description?: string) =>
  Type.Integer({ minimum: range.min, maximum: range.max, ...(description ? { description } : {}) });

/**
 * Reads an empty cursor parameter (`?start=`, `?_start=`, `?next_docid=`, `?pagetoken=`) as absent
 * on every route, before validation: the SDK's pagers ask for the first page that way.
 */
export function installEmptyCursorsAsAbsent(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.query && typeof request.query === 'object') dropEmptyCursors(request.query as Record<string, unknown>);
    done();
  });
}

/**
 * The path and query of the same listing with `changes` applied: every other parameter the client
 * sent, in its order, then each change that has a value (a change to `undefined` drops the
 * parameter). Every API's `first`/`next` page link is one of these, whatever its cursor is called.
 */
export function listingUrl(path: string, query: object, changes: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && !(name in changes)) params.set(name, String(value));
  for (const [name, value] of Object.entries(changes)) if (value !== undefined) params.set(name, String(value));
  return `${path}?${params.toString()}`;
}
