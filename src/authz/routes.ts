import { describeOperations, type Operations } from '../http/openapi.js';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { errorBody, statusOfError } from '../http/errors.js';
import type { Authenticator } from '../kernel/principal.js';
import type { RoleGrant } from '../pdp/index.js';
import type { Decision } from '../pdp/types.js';
import type { DecideOptions } from './decision-point.js';
import type { Answer, AuthzService, DecisionWithActions } from './service.js';
import { limits } from '../kernel/limits.js';

const Attributes = Type.Record(Type.String(), Type.Union([Type.String({ maxLength: limits.text }), Type.Number(), Type.Boolean()]));
const Subject = Type.Object({ attributes: Type.Optional(Attributes), accessTokenBody: Type.Optional(Type.String({ maxLength: limits.opaque })) });
const Resource = Type.Object({ attributes: Type.Optional(Attributes), crn: Type.Optional(Type.String({ maxLength: limits.text })) });
const Environment = Type.Object({ attributes: Type.Optional(Attributes) });
const DecisionItem = Type.Object({
  requestId: Type.Optional(Type.String({ maxLength: limits.text })),
  subject: Subject,
  action: Type.String({ minLength: 1, maxLength: limits.id }),
  resource: Resource,
  environment: Type.Optional(Environment),
});
const RolesItem = Type.Object({
  requestId: Type.Optional(Type.String({ maxLength: limits.text })),
  subject: Subject,
  resource: Resource,
  environment: Type.Optional(Environment),
});
const BulkBody = Type.Object({
  subject: Subject,
  action: Type.String({ minLength: 1, maxLength: limits.id }),
  resources: Type.Object({
    sharedAttributes: Type.Optional(Attributes),
    uniqueAttributes: Type.Array(Attributes, { minItems: 1, maxItems: 1000 }),
  }),
  environment: Type.Optional(Environment),
});
const Options = Type.Object({
  explain: Type.Optional(Type.Boolean({ description: 'Return the policy that permitted, or why nothing matched.' })),
  min_revision: Type.Optional(Type.Integer({ minimum: 0, description: 'Answer from a snapshot at least this new.' })),
});

/** The `/v2/authz` response, declared so Fastify serializes it with a compiled serializer. */
const StringMap = Type.Record(Type.String(), Type.String());
const ErrorEntry = Type.Object({ transactionId: Type.String(), errors: Type.Array(Type.Record(Type.String(), Type.Unknown())) });
const DecisionResponse = Type.Object({
  responses: Type.Array(
    Type.Object({
      requestId: Type.Optional(Type.String()),
      status: Type.String(),
      authorizationDecision: Type.Optional(
        Type.Object({
          permitted: Type.Boolean(),
          reason: Type.String(),
          obligation: Type.Object({
            actions: Type.Array(Type.String()),
            maxCacheAgeSeconds: Type.Integer(),
            subject: Type.Object({ attributes: StringMap }),
            resource: Type.Object({ attributes: StringMap }),
            environment: Type.Object({ attributes: StringMap }),
          }),
          explain: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
      ),
      error: Type.Optional(ErrorEntry),
    }),
  ),
});

const Explain = Type.Record(Type.String(), Type.Unknown(), { description: 'Debug information: the matching policy, or why none matched.' });
const BulkResponse = Type.Object({
  decisions: Type.Array(
    Type.Object({
      decision: Type.Optional(Type.String()),
      reason: Type.Optional(Type.String()),
      explain: Type.Optional(Explain),
      requestId: Type.Optional(Type.String()),
      status: Type.Optional(Type.String()),
      error: Type.Optional(ErrorEntry),
    }),
  ),
});
const RoleActions = Type.Array(Type.Object({ role: Type.Object({ crn: Type.String() }), actions: Type.Array(Type.Object({ action: Type.String() })) }));
const RolesResponse = Type.Object({
  responses: Type.Array(
    Type.Object({
      requestId: Type.Optional(Type.String()),
      status: Type.String(),
      attributes: Type.Optional(StringMap),
      subjectId: Type.Optional(Type.Object({ iamId: Type.String() })),
      roleActions: Type.Optional(RoleActions),
      platformExtensions: Type.Optional(Type.Object({ roleActions: RoleActions })),
      error: Type.Optional(ErrorEntry),
    }),
  ),
  transactionId: Type.String(),
});

/** The PDP API has no SDK service: operation names are our own. */
const operations: Operations = {
  'POST /v2/authz': { operationId: 'authorize', summary: 'Decide whether subjects may perform actions on resources', responses: { 200: DecisionResponse } },
  'PUT /v2/authz/bulk': { operationId: 'authorizeBulk', summary: 'Decide one action for one subject on many resources', responses: { 200: BulkResponse } },
  'POST /v2/authz/roles': { operationId: 'listAuthorizedRoles', summary: 'The roles and actions a subject holds on resources', responses: { 200: RolesResponse } },
};

/** How long a PEP may cache a decision (seconds). */
const MAX_CACHE_AGE_SECONDS = 600;

function optionsOf(request: FastifyRequest<{ Querystring: Static<typeof Options> }>): DecideOptions {
  const header = request.headers['portcullis-min-revision'];
  const fromHeader = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
  return { explain: request.query.explain === true, minRevision: request.query.min_revision ?? fromHeader };
}

const explainOf = (d: Decision) => ({
  ...(d.policyId ? { policyId: d.policyId, role: d.role } : { cause: d.cause }),
  ...(d.ruleId ? { ruleId: d.ruleId } : {}),
  ...(d.reportedRuleId ? { reportedRuleId: d.reportedRuleId } : {}),
  ...(d.explain ? { trace: d.explain } : {}),
});

function failed(answer: Extract<Answer<unknown>, { ok: false }>, requestId: string, url: string) {
  const status = statusOfError(answer.error);
  const body = errorBody('policy', answer.error, status, requestId, url) as { errors: unknown[] };
  return { requestId: answer.requestId, status: String(status), error: { transactionId: requestId, errors: body.errors } };
}

function renderDecision(answer: Answer<DecisionWithActions>, explain: boolean, requestId: string, url: string) {
  if (!answer.ok) return failed(answer, requestId, url);
  const { decision, actions } = answer.value;
  const { subject, resource } = answer.request;
  return {
    ...(answer.requestId !== undefined ? { requestId: answer.requestId } : {}),
    status: '200',
    authorizationDecision: {
      permitted: decision.permitted,
      reason: decision.permitted ? '' : decision.reason,
      obligation: {
        actions,
        maxCacheAgeSeconds: MAX_CACHE_AGE_SECONDS,
        subject: { attributes: { id: subject.id } },
        resource: { attributes: resource },
        environment: { attributes: {} },
      },
      ...(explain ? { explain: explainOf(decision) } : {}),
    },
  };
}

function renderRoles(grants: RoleGrant[]) {
  const shape = (g: RoleGrant) => ({ role: { crn: g.role }, actions: g.actions.map((action) => ({ action })) });
  return {
    roleActions: grants.filter((g) => g.kind !== 'platform').map(shape),
    platformExtensions: { roleActions: grants.filter((g) => g.kind === 'platform').map(shape) },
  };
}

/** `/v2/authz`, `/v2/authz/bulk`, `/v2/authz/roles` in IBM's PDP format (authz.md §1). */
export function authzRoutes(deps: { authz: AuthzService; authenticator: Authenticator }): FastifyPluginAsync {
  return async (app) => {
    requireBearer(app, deps.authenticator);
    const config = { errorStyle: 'policy' as const };
    describeOperations(app, 'policy', ['Authorization'], operations);
    const url = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

    app.post<{ Body: Static<typeof DecisionItem>[]; Querystring: Static<typeof Options> }>(
      '/v2/authz',
      {
        config,
        schema: {
          body: Type.Array(DecisionItem, { minItems: 1, maxItems: 100 }),
          querystring: Options,
        },
      },
      async (request) => {
        const options = optionsOf(request);
        const answers = await deps.authz.decide(actorOf(request), request.body, options);
        return { responses: answers.map((a) => renderDecision(a, options.explain === true, request.id, url(request))) };
      },
    );

    app.put<{ Body: Static<typeof BulkBody>; Querystring: Static<typeof Options> }>(
      '/v2/authz/bulk',
      { config, schema: { body: BulkBody, querystring: Options } },
      async (request) => {
        const options = optionsOf(request);
        const answers = await deps.authz.bulk(actorOf(request), request.body, options);
        return {
          decisions: answers.map((a) =>
            a.ok
              ? {
                  decision: a.value.permitted ? 'Permit' : 'Deny',
                  reason: a.value.permitted ? '' : a.value.reason,
                  ...(options.explain ? { explain: explainOf(a.value) } : {}),
                }
              : failed(a, request.id, url(request)),
          ),
        };
      },
    );

    app.post<{ Body: Static<typeof RolesItem>[]; Querystring: Static<typeof Options> }>(
      '/v2/authz/roles',
      { config, schema: { body: Type.Array(RolesItem, { minItems: 1, maxItems: 100 }), querystring: Options } },
      async (request) => {
        const answers = await deps.authz.roles(actorOf(request), request.body, optionsOf(request));
        return {
          responses: answers.map((a) =>
            a.ok
              ? {
                  ...(a.requestId !== undefined ? { requestId: a.requestId } : {}),
                  status: '200',
                  attributes: a.request.resource,
                  subjectId: { iamId: a.request.subject.id },
                  ...renderRoles(a.value),
                }
              : failed(a, request.id, url(request)),
          ),
          transactionId: request.id,
        };
      },
    );
  };
}
