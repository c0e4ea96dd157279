import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { optionalIfMatchOf, setEtag } from '../http/etag.js';
import { describeOperations, FreeForm } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import { NameParams, operations } from './schemas.js';
import type { CatalogAdmin } from './service.js';
import { catalogEntryWire } from './wire.js';

/**
 * `/v1/catalog/services`: the service catalog the decision point uses (Portcullis's own API; IBM's
 * Global Catalog has no SDK operation for this). Registering a service takes the catalog file's
 * shape for one service.
 */
export function catalogRoutes(deps: { catalog: CatalogAdmin; authenticator: Authenticator }): FastifyPluginAsync {
  return async (app) => {
    requireBearer(app, deps.authenticator);
    const config = { errorStyle: 'policy' as const };
    const tags = ['Service catalog'];
    describeOperations(app, 'policy', tags, operations);

    app.get('/v1/catalog/services', { config, schema: { tags } }, async () => ({
      services: (await deps.catalog.list()).map(catalogEntryWire),
    }));

    app.get<{ Params: { name: string } }>('/v1/catalog/services/:name', { config, schema: { tags, params: NameParams } }, async (request, reply) => {
      const entry = await deps.catalog.get(request.params.name);
      if (entry.registered) setEtag(reply, entry.registered.entityTag);
      return catalogEntryWire(entry);
    });

    app.put<{ Params: { name: string }; Body: Record<string, unknown> }>(
      '/v1/catalog/services/:name',
      { config, schema: { tags, params: NameParams, body: FreeForm } },
      async (request, reply) => {
        const entry = await deps.catalog.put(actorOf(request), request.params.name, request.body, optionalIfMatchOf(request));
        setEtag(reply, entry.registered!.entityTag);
        return catalogEntryWire(entry);
      },
    );

    app.delete<{ Params: { name: string } }>('/v1/catalog/services/:name', { config, schema: { tags, params: NameParams } }, async (request, reply) => {
      await deps.catalog.remove(actorOf(request), request.params.name);
      return reply.status(204).send();
    });
  };
}
