import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { errorBody, statusOfError } from '../http/errors.js';
import { describeOperations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import type { RoleGrant, WhoCan } from '../pdp/index.js';
import type { Decision } from '../pdp/types.js';
import type { DecideOptions } from './decision-point.js';
import { BulkBody, DecisionBatch, operations, Options, RolesBatch, WhoCanBody, WhoCanOptions } from './schemas.js';
import type { Answer, AuthzService, DecisionWithActions } from './service.js';

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

/** The kind of identity an IAM id names, by its prefix. */
const typeOf = (iamId: string) =>
  iamId.startsWith('iam-ServiceId-') ? 'serviceid'
  : iamId.startsWith('iam-Profile-') ? 'profile'
  : iamId.startsWith('crn-') ? 'crn'
  : iamId.startsWith('IBMid-') ? 'user'
  : 'other';

function renderWhoCan(action: string, resource: Record<string, string | undefined>, answer: WhoCan) {
  return {
    action,
    resource: { attributes: resource },
    subjects: answer.identities.map((i) => ({ iamId: i.iamId, type: typeOf(i.iamId), grants: i.grants })),
    accessGroups: answer.accessGroups.map((g) => ({ id: g.groupId, policies: g.policies, members: g.members })),
    everyone: answer.everyone,
    services: answer.services.map((s) => ({ policyId: s.policyId, role: s.role, source: { attributes: s.source } })),
    restrictions: answer.restrictions,
  };
}

/** `/v2/authz`, `/v2/authz/bulk`, `/v2/authz/roles` in IBM's PDP format (authz.md §1), and our `/v2/authz/who-can`. */
export function authzRoutes(deps: { authz: AuthzService; authenticator: Authenticator }): FastifyPluginAsync {
  return async (app) => {
    requireBearer(app, deps.authenticator);
    const config = { errorStyle: 'policy' as const };
    describeOperations(app, 'policy', ['Authorization'], operations);
    const url = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

    app.post<{ Body: Static<typeof DecisionBatch>; Querystring: Static<typeof Options> }>(
      '/v2/authz',
      {
        config,
        schema: {
          body: DecisionBatch,
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

    app.post<{ Body: Static<typeof RolesBatch>; Querystring: Static<typeof Options> }>(
      '/v2/authz/roles',
      { config, schema: { body: RolesBatch, querystring: Options } },
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

    app.post<{ Body: Static<typeof WhoCanBody>; Querystring: Static<typeof WhoCanOptions> }>(
      '/v2/authz/who-can',
      { config, schema: { body: WhoCanBody, querystring: WhoCanOptions } },
      async (request) => {
        const { request: asked, answer } = await deps.authz.whoCan(actorOf(request), request.body, { minRevision: request.query.min_revision });
        return renderWhoCan(asked.action, asked.resource, answer);
      },
    );
  };
}
