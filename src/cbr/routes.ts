import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { ifMatchOf, setEtag } from '../http/etag.js';
import { describeOperations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
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

/** The CBR API v1 (`ContextBasedRestrictionsV1`): zones, rules, targets, operations, account settings. */
export function cbrRoutes(deps: { cbr: CbrService; authenticator: Authenticator; site: { url: string } }): FastifyPluginAsync {
  const { cbr, site } = deps;
  return async (app) => {
    requireBearer(app, deps.authenticator);
    const config = { errorStyle: 'handbook' as const };
    const tags = ['Context-based restrictions'];
    describeOperations(app, 'handbook', tags, operations);

    app.post<{ Body: Static<typeof ZoneBody> }>('/v1/zones', { config, schema: { tags, body: ZoneBody } }, async (request, reply) => {
      const zone = await cbr.zones.create(actorOf(request), zoneInput(request.body));
      setEtag(reply, zone.entityTag);
      return reply.code(201).send(renderZone(site.url, zone));
    });

    app.get<{ Querystring: Static<typeof ZoneQuery> }>('/v1/zones', { config, schema: { tags, querystring: ZoneQuery } }, async (request) => {
      const q = request.query;
      const zones = await cbr.zones.list(actorOf(request), { accountId: q.account_id, ...(q.name !== undefined ? { name: q.name } : {}), ...(q.sort !== undefined ? { sort: q.sort } : {}) });
      return { count: zones.length, zones: zones.map((z) => renderZoneSummary(site.url, z)) };
    });

    app.get<{ Querystring: Static<typeof TargetsQuery> }>('/v1/zones/serviceref_targets', { config, schema: { tags, querystring: TargetsQuery } }, async (request) => {
      actorOf(request);
      const targets = cbr.catalogue.targets(request.query.type);
      return { count: targets.length, targets };
    });

    app.get<{ Params: Static<typeof TargetParams> }>('/v1/zones/serviceref_targets/:service_name', { config, schema: { tags, params: TargetParams } }, async (request) => {
      actorOf(request);
      return cbr.catalogue.target(request.params.service_name);
    });

    app.get<{ Params: Static<typeof ZoneParams> }>('/v1/zones/:zone_id', { config, schema: { tags, params: ZoneParams } }, async (request, reply) => {
      const zone = await cbr.zones.get(actorOf(request), request.params.zone_id);
      setEtag(reply, zone.entityTag);
      return renderZone(site.url, zone);
    });

    app.put<{ Params: Static<typeof ZoneParams>; Body: Static<typeof ZoneBody> }>(
      '/v1/zones/:zone_id',
      { config, schema: { tags, params: ZoneParams, body: ZoneBody } },
      async (request, reply) => {
        const zone = await cbr.zones.replace(actorOf(request), request.params.zone_id, ifMatchOf(request), zoneInput(request.body));
        setEtag(reply, zone.entityTag);
        return renderZone(site.url, zone);
      },
    );

    app.delete<{ Params: Static<typeof ZoneParams> }>('/v1/zones/:zone_id', { config, schema: { tags, params: ZoneParams } }, async (request, reply) => {
      await cbr.zones.delete(actorOf(request), request.params.zone_id);
      return reply.code(204).send();
    });

    app.post<{ Body: Static<typeof RuleBody> }>('/v1/rules', { config, schema: { tags, body: RuleBody } }, async (request, reply) => {
      const rule = await cbr.rules.create(actorOf(request), ruleInput(request.body));
      setEtag(reply, rule.entityTag);
      return reply.code(201).send(renderRule(site.url, rule));
    });

    app.get<{ Querystring: Static<typeof RuleQuery> }>('/v1/rules', { config, schema: { tags, querystring: RuleQuery } }, async (request) => {
      const q = request.query;
      const rules = await cbr.rules.list(actorOf(request), {
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
      });
      return { count: rules.length, rules: rules.map((r) => renderRule(site.url, r)) };
    });

    app.get<{ Params: Static<typeof RuleParams> }>('/v1/rules/:rule_id', { config, schema: { tags, params: RuleParams } }, async (request, reply) => {
      const rule = await cbr.rules.get(actorOf(request), request.params.rule_id);
      setEtag(reply, rule.entityTag);
      return renderRule(site.url, rule);
    });

    app.put<{ Params: Static<typeof RuleParams>; Body: Static<typeof RuleBody> }>(
      '/v1/rules/:rule_id',
      { config, schema: { tags, params: RuleParams, body: RuleBody } },
      async (request, reply) => {
        const rule = await cbr.rules.replace(actorOf(request), request.params.rule_id, ifMatchOf(request), ruleInput(request.body));
        setEtag(reply, rule.entityTag);
        return renderRule(site.url, rule);
      },
    );

    app.delete<{ Params: Static<typeof RuleParams> }>('/v1/rules/:rule_id', { config, schema: { tags, params: RuleParams } }, async (request, reply) => {
      await cbr.rules.delete(actorOf(request), request.params.rule_id);
      return reply.code(204).send();
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
