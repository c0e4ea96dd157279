import { describeOperations, type Operations } from '../http/openapi.js';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { optionalIfMatchOf, setEtag } from '../http/etag.js';
import type { Authenticator } from '../kernel/principal.js';
import type { CatalogAdmin, CatalogEntry } from './service.js';

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });

/** The catalog entry as the API shows it: the service, where it comes from, and who changed it when. */
const render = (entry: CatalogEntry) => ({
  ...entry.service,
  built_in: entry.builtIn,
  ...(entry.registered
    ? {
        created_at: entry.registered.createdAt,
        created_by_id: entry.registered.createdById,
        last_modified_at: entry.registered.lastModifiedAt,
        last_modified_by_id: entry.registered.lastModifiedById,
        entity_tag: entry.registered.entityTag,
      }
    : {}),
});

const S = Type.String();
const CatalogEntrySchema = Type.Object(
  {
    name: S,
    displayName: S,
    type: S,
    groupId: Type.Optional(S),
    roles: Type.Array(S),
    actions: Type.Array(Type.Object({ id: S, displayName: S, description: Type.Optional(S), roles: Type.Array(S) })),
    ownRoles: Type.Optional(Type.Array(Type.Object({ crn: S, displayName: S, description: S }))),
    built_in: Type.Boolean(),
    created_at: Type.Optional(S),
    created_by_id: Type.Optional(S),
    last_modified_at: Type.Optional(S),
    last_modified_by_id: Type.Optional(S),
    entity_tag: Type.Optional(S),
  },
  { title: 'CatalogService' },
);

const operations: Operations = {
  'GET /v1/catalog/services': {
    operationId: 'listCatalogServices',
    summary: 'List the services of the catalog',
    responses: { 200: Type.Object({ services: Type.Array(CatalogEntrySchema) }, { title: 'CatalogServiceList' }) },
  },
  'GET /v1/catalog/services/:name': { operationId: 'getCatalogService', summary: 'Get a catalog service', responses: { 200: CatalogEntrySchema } },
  'PUT /v1/catalog/services/:name': {
    operationId: 'putCatalogService',
    summary: 'Register or replace a catalog service',
    responses: { 200: CatalogEntrySchema },
  },
  'DELETE /v1/catalog/services/:name': { operationId: 'deleteCatalogService', summary: 'Remove a registered catalog service', responses: { 204: null } },
};

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
      services: (await deps.catalog.list()).map(render),
    }));

    app.get<{ Params: { name: string } }>('/v1/catalog/services/:name', { config, schema: { tags, params: NameParams } }, async (request, reply) => {
      const entry = await deps.catalog.get(request.params.name);
      if (entry.registered) setEtag(reply, entry.registered.entityTag);
      return render(entry);
    });

    app.put<{ Params: { name: string }; Body: Record<string, unknown> }>(
      '/v1/catalog/services/:name',
      { config, schema: { tags, params: NameParams, body: Type.Object({}, { additionalProperties: true }) } },
      async (request, reply) => {
        const entry = await deps.catalog.put(actorOf(request), request.params.name, request.body, optionalIfMatchOf(request));
        setEtag(reply, entry.registered!.entityTag);
        return render(entry);
      },
    );

    app.delete<{ Params: { name: string } }>('/v1/catalog/services/:name', { config, schema: { tags, params: NameParams } }, async (request, reply) => {
      await deps.catalog.remove(actorOf(request), request.params.name);
      return reply.status(204).send();
    });
  };
}
