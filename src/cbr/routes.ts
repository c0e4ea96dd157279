import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { ifMatchOf, setEtag } from '../http/etag.js';
import { describeOperations } from '../http/openapi.js';
import type { Actor, Authenticator } from '../kernel/principal.js';
import {
  AccountParams,
  OperationsQuery,
  operations,
  RuleBody,
  RuleParams,
  RuleQuery,
  TargetParams,
  TargetsQuery,
  ZoneBody,
  ZoneParams,
  ZoneQuery,
} from './schemas.js';
import type { CbrService } from './service.js';
import type { RuleInput } from './rules.js';
import type { ZoneInput } from './zones.js';
import { renderAccountSettings, renderRule, renderZone, renderZoneSummary } from './wire.js';

const zoneInput = (body: Static<typeof ZoneBody>): ZoneInput => ({
  name: body.name,
  accountId: body.account_id,
  addresses: body.addresses,
  ...(body.description !== undefined ? { description: body.description } : {}),
  ...(body.excluded !== undefined ? { excluded: body.excluded } : {}),
});

const ruleInput = (body: Static<typeof RuleBody>): RuleInput => ({
  contexts: body.contexts,
  resources: body.resources,
  ...(body.description !== undefined ? { description: body.description } : {}),
  ...(body.operations !== undefined ? { operations: body.operations } : {}),
  ...(body.enforcement_mode !== undefined ? { enforcementMode: body.enforcement_mode } : {}),
});

/** What an entity of the CBR API (a zone, a rule) is to its five routes; they differ in nothing else. */
interface EntitySpec<Body extends TSchema, Query extends TSchema, Input, Filter, Entity extends { entityTag: string }> {
  /** The collection's path, e.g. `/v1/zones`; an item is `<path>/:<param>`. */
  path: string;
  param: string;
  schemas: { body: Body; query: Query; params: TSchema };
  operations: {
    create(actor: Actor, input: Input): Promise<Entity>;
    get(actor: Actor, id: string): Promise<Entity>;
    list(actor: Actor, filter: Filter): Promise<Entity[]>;
    replace(actor: Actor, id: string, ifMatch: string, input: Input): Promise<Entity>;
    delete(actor: Actor, id: string): Promise<void>;
  };
  input(body: Static<Body>): Input;
  filter(query: Static<Query>): Filter;
  render(base: string, entity: Entity): unknown;
  /** The list's key (`zones`, `rules`) and how a listed entity is shown. */
  listKey: string;
  renderListed(base: string, entity: Entity): unknown;
}

/**
 * Create (201), list (`{count, <listKey>}`), get, replace (If-Match) and delete (204) of one
 * entity; every answer that carries the entity carries its ETag.
 */
function entityRoutes<B extends TSchema, Q extends TSchema, I, F, E extends { entityTag: string }>(
  app: FastifyInstance,
  base: string,
  spec: EntitySpec<B, Q, I, F, E>,
  route: { config: { errorStyle: 'handbook' }; tags: string[] },
): void {
  const { config, tags } = route;
  const { operations: ops, schemas } = spec;
  const item = `${spec.path}/:${spec.param}`;
  const idOf = (request: FastifyRequest) => (request.params as Record<string, string>)[spec.param] ?? '';
  const send = (reply: FastifyReply, entity: E, status = 200) => {
    setEtag(reply, entity.entityTag);
    return reply.code(status).send(spec.render(base, entity));
  };

  app.post<{ Body: Static<B> }>(spec.path, { config, schema: { tags, body: schemas.body } }, async (request, reply) =>
    send(reply, await ops.create(actorOf(request), spec.input(request.body)), 201),
  );
  app.get<{ Querystring: Static<Q> }>(spec.path, { config, schema: { tags, querystring: schemas.query } }, async (request) => {
    const entities = await ops.list(actorOf(request), spec.filter(request.query));
    return { count: entities.length, [spec.listKey]: entities.map((e) => spec.renderListed(base, e)) };
  });
  app.get(item, { config, schema: { tags, params: schemas.params } }, async (request, reply) => send(reply, await ops.get(actorOf(request), idOf(request))));
  app.put<{ Body: Static<B> }>(item, { config, schema: { tags, params: schemas.params, body: schemas.body } }, async (request, reply) =>
    send(reply, await ops.replace(actorOf(request), idOf(request), ifMatchOf(request), spec.input(request.body))),
  );
  app.delete(item, { config, schema: { tags, params: schemas.params } }, async (request, reply) => {
    await ops.delete(actorOf(request), idOf(request));
    return reply.code(204).send();
  });
}

/** The CBR API v1 (`ContextBasedRestrictionsV1`): zones, rules, targets, operations, account settings. */
export function cbrRoutes(deps: { cbr: CbrService; authenticator: Authenticator; site: { url: string } }): FastifyPluginAsync {
  const { cbr, site } = deps;
  return async (app) => {
    requireBearer(app, deps.authenticator);
    const config = { errorStyle: 'handbook' as const };
    const tags = ['Context-based restrictions'];
    describeOperations(app, 'handbook', tags, operations);

    entityRoutes(app, site.url, {
      path: '/v1/zones',
      param: 'zone_id',
      schemas: { body: ZoneBody, query: ZoneQuery, params: ZoneParams },
      operations: cbr.zones,
      input: zoneInput,
      filter: (q) => ({ accountId: q.account_id, ...(q.name !== undefined ? { name: q.name } : {}), ...(q.sort !== undefined ? { sort: q.sort } : {}) }),
      render: renderZone,
      listKey: 'zones',
      renderListed: renderZoneSummary,
    }, { config, tags });

    entityRoutes(app, site.url, {
      path: '/v1/rules',
      param: 'rule_id',
      schemas: { body: RuleBody, query: RuleQuery, params: RuleParams },
      operations: cbr.rules,
      input: ruleInput,
      filter: (q) => ({
        accountId: q.account_id,
        region: q.region,
        resource: q.resource,
        resourceType: q.resource_type,
        serviceInstance: q.service_instance,
        serviceName: q.service_name,
        serviceType: q.service_type,
        serviceGroupId: q.service_group_id,
        zoneId: q.zone_id,
        sort: q.sort,
        enforcementMode: q.enforcement_mode,
      }),
      render: renderRule,
      listKey: 'rules',
      renderListed: renderRule,
    }, { config, tags });

    app.get<{ Querystring: Static<typeof TargetsQuery> }>('/v1/zones/serviceref_targets', { config, schema: { tags, querystring: TargetsQuery } }, async (request) => {
      actorOf(request);
      const targets = cbr.catalogue.targets(request.query.type);
      return { count: targets.length, targets };
    });

    app.get<{ Params: Static<typeof TargetParams> }>('/v1/zones/serviceref_targets/:service_name', { config, schema: { tags, params: TargetParams } }, async (request) => {
      actorOf(request);
      return cbr.catalogue.target(request.params.service_name);
    });

    app.get<{ Params: Static<typeof AccountParams> }>('/v1/account_settings/:account_id', { config, schema: { tags, params: AccountParams } }, async (request) =>
      renderAccountSettings(site.url, await cbr.accountSettings(actorOf(request), request.params.account_id)),
    );

    app.get<{ Querystring: Static<typeof OperationsQuery> }>('/v1/operations', { config, schema: { tags, querystring: OperationsQuery } }, async (request) => {
      actorOf(request);
      const q = request.query;
      return {
        api_types: cbr.catalogue.operations({
          ...(q.service_name !== undefined ? { serviceName: q.service_name } : {}),
          ...(q.service_group_id !== undefined ? { serviceGroupId: q.service_group_id } : {}),
          ...(q.resource_type !== undefined ? { resourceType: q.resource_type } : {}),
        }),
      };
    });
  };
}
