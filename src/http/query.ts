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
