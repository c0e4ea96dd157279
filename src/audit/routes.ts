import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { describeOperations, ok, type Operations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import { AuditEventList, AuditListQuery } from './schemas.js';
import type { AuditService } from './service.js';
import { auditEventWire, pageLinksOf } from './wire.js';

export interface AuditRoutesDeps {
  audit: AuditService;
  authenticator: Authenticator;
  site: { url: string };
}

/** The audit API has no SDK service: operation names are our own. */
const operations: Operations = {
  'GET /v1/audit_events': { operationId: 'listAuditEvents', summary: "List an account's audit events, newest first", responses: ok(AuditEventList) },
};

/** `/v1/audit_events`: who did what in an account, and with what outcome (the API handbook's error shape). */
export function auditRoutes(deps: AuditRoutesDeps): FastifyPluginAsync {
  return async (plain) => {
    requireBearer(plain, deps.authenticator);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const config = { errorStyle: 'handbook' as const };
    const tags = ['Audit events'];
    describeOperations(plain, 'handbook', tags, operations);

    app.get('/v1/audit_events', { config, schema: { tags, querystring: AuditListQuery } }, async (request) => {
      const q = request.query;
      const page = await deps.audit.list(actorOf(request), {
        accountId: q.account_id,
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        ...(q.start !== undefined ? { start: q.start } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        ...(q.initiator_iam_id !== undefined ? { initiatorIamId: q.initiator_iam_id } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.target_type !== undefined ? { targetType: q.target_type } : {}),
        ...(q.target_id !== undefined ? { targetId: q.target_id } : {}),
        ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
      });
      return { limit: page.limit, ...pageLinksOf(deps.site.url, q, page.next), audit_events: page.events.map(auditEventWire) };
    });
  };
}
