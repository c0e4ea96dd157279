import { Type } from '@sinclair/typebox';
import { type Operations } from '../http/openapi.js';

/** Request and response schemas of the service catalog API. */

export const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });

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

export const operations: Operations = {
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
