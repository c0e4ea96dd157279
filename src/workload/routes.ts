import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { ifMatchOf, sendTagged } from '../http/etag.js';
import { describeOperations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import { CreateIssuerBody, IssuerListQuery, IssuerParams, operations, UpdateIssuerBody } from './schemas.js';
import type { WorkloadService } from './service.js';
import type { IssuerInput } from './types.js';
import { issuerWire } from './wire.js';

export interface WorkloadRoutesDeps {
  workload: Pick<WorkloadService, 'issuers'>;
  authenticator: Authenticator;
  site: { url: string };
}

/** An issuer's fields as a create or update request carries them (the create adds `account_id`). */
type IssuerBody = Static<typeof UpdateIssuerBody>;

const inputOf = (b: IssuerBody): IssuerInput => ({
  name: b.name,
  type: b.type,
  issuer: b.issuer,
  audiences: b.audiences,
  ...(b.description !== undefined ? { description: b.description } : {}),
  ...(b.jwks_url !== undefined ? { jwksUrl: b.jwks_url } : {}),
  ...(b.jwks !== undefined ? { jwks: b.jwks } : {}),
  ...(b.algorithms !== undefined ? { algorithms: b.algorithms } : {}),
  ...(b.max_clock_skew_seconds !== undefined ? { maxClockSkewSeconds: b.max_clock_skew_seconds } : {}),
  ...(b.resource_crn !== undefined ? { resourceCrn: b.resource_crn } : {}),
});

/**
 * `/v1/trusted_issuers`: who may sign the compute-resource tokens of an account (IAM Identity's
 * error shape; ETag and If-Match as for the other identity entities).
 */
export function workloadRoutes(deps: WorkloadRoutesDeps): FastifyPluginAsync {
  const { issuers } = deps.workload;
  return async (plain) => {
    requireBearer(plain, deps.authenticator);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const config = { errorStyle: 'identity' as const };
    const tags = ['IAM Identity: trusted issuers'];
    describeOperations(plain, 'identity', tags, operations);
    const location = (reply: FastifyReply, id: string) => reply.header('Location', `${deps.site.url}/v1/trusted_issuers/${id}`);

    app.post('/v1/trusted_issuers', { config, schema: { tags, body: CreateIssuerBody } }, async (request, reply) => {
      const issuer = await issuers.create(actorOf(request), request.body.account_id, inputOf(request.body));
      location(reply, issuer.id);
      return sendTagged(reply, 201, issuer.entityTag, issuerWire(issuer));
    });

    app.get('/v1/trusted_issuers', { config, schema: { tags, querystring: IssuerListQuery } }, async (request) => ({
      trusted_issuers: (await issuers.list(actorOf(request), request.query.account_id)).map(issuerWire),
    }));

    app.get('/v1/trusted_issuers/:id', { config, schema: { tags, params: IssuerParams } }, async (request, reply) => {
      const issuer = await issuers.get(actorOf(request), request.params.id);
      return sendTagged(reply, 200, issuer.entityTag, issuerWire(issuer));
    });

    app.put('/v1/trusted_issuers/:id', { config, schema: { tags, params: IssuerParams, body: UpdateIssuerBody } }, async (request, reply) => {
      const issuer = await issuers.update(actorOf(request), request.params.id, ifMatchOf(request), inputOf(request.body));
      return sendTagged(reply, 200, issuer.entityTag, issuerWire(issuer));
    });

    app.delete('/v1/trusted_issuers/:id', { config, schema: { tags, params: IssuerParams } }, async (request, reply) => {
      await issuers.delete(actorOf(request), request.params.id);
      return reply.code(204).send();
    });
  };
}
