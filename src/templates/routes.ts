import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { ifMatchOf, optionalIfMatchOf, setEtag } from '../http/etag.js';
import { describeOperations } from '../http/openapi.js';
import { decodeCursor, encodeCursor, isString, limitOf } from '../kernel/cursor.js';
import { DomainError } from '../kernel/errors.js';
import type { Authenticator } from '../kernel/principal.js';
import type { AssignmentOps, AssignmentView } from './assignments.js';
import {
  AssignmentParams,
  CreateAssignmentBody,
  ListAssignmentsQuery,
  ListTemplatesQuery,
  ListVersionsQuery,
  operationsOf,
  StateQuery,
  TEMPLATE_LIMITS,
  TemplateParams,
  UpdateAssignmentBody,
  VersionParams,
  VersionQuery,
  createBody,
  versionBody,
} from './schemas.js';
import type { TemplateKind } from './types.js';
import type { VersionOps } from './versions.js';
import { renderAssignment, renderTemplate, type PolicyApi } from './wire.js';

/** One policy-management template API: its wire description, its kind's operations and names. */
export interface TemplateApi {
  api: PolicyApi;
  kind: Pick<TemplateKind, 'notFoundError' | 'invalidError'>;
  versions: VersionOps<unknown>;
  assignments: AssignmentOps;
  /** `PolicyTemplate`, `ActionControlTemplate`, `RoleTemplate` (operationIds are built from it). */
  noun: string;
  /** `PolicyAssignment`, `ActionControlAssignment`, `RoleAssignment`. */
  assignmentNoun: string;
  /** The template id's path parameter: `policy_template_id`, … */
  param: string;
  content: TSchema;
  /** Whether the content field is required in creates and versions (policy) or optional. */
  contentRequired: boolean;
  /** Whether the assignment routes take the API's `version` query parameter (v1 policy assignments). */
  versionQuery: boolean;
}

export interface TemplateRoutesDeps {
  apis: TemplateApi[];
  authenticator: Authenticator;
  site: { url: string };
}

const config = { errorStyle: 'policy' as const };
const tags = ['IAM Policy Management templates'];
const refusedCursor = () => new DomainError('invalid', 'invalid_body', 'The start token is not one this server issued.');
const VERSION = /^[1-9][0-9]{0,8}$/;

/**
 * Policy, action-control and role templates and their assignments (`/v1/policy_templates`,
 * `/v1/policy_assignments`, `/v1/action_control_templates`, …). Assignment routes answer once the
 * assignment has settled (201/200/204, as IBM's policy-management API does), with the per-account
 * results. Every route needs a bearer token and answers errors in the policy API's shape.
 */
export function templateRoutes(deps: TemplateRoutesDeps): FastifyPluginAsync {
  return async (plugin) => {
    requireBearer(plugin, deps.authenticator);
    for (const t of deps.apis) {
      describeOperations(plugin, 'policy', tags, operationsOf(t));
      templateApi(plugin, t, deps.site);
    }
  };
}

function templateApi(plugin: FastifyInstance, t: TemplateApi, site: { url: string }) {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const base = `/v1/${t.api.templates}`;
  const a = `/v1/${t.api.assignments}`;
  const param = (request: FastifyRequest) => (request.params as Record<string, string>)[t.param]!;
  const versionOf = (request: FastifyRequest): number => {
    const text = (request.params as Record<string, string>).version!;
    if (!VERSION.test(text)) throw t.kind.notFoundError(param(request), Number.NaN);
    return Number(text);
  };
  const contentOf = (body: Record<string, unknown>) => (t.api.field === 'policy' ? body.policy : { [t.api.field]: body[t.api.field] });
  const render = (v: Parameters<typeof renderTemplate>[1]) => renderTemplate(t.api, v, site.url);
  const renderView = (view: AssignmentView) => renderAssignment(t.api, view, site.url);
  const after = (start: string | undefined) => (start === undefined ? undefined : decodeCursor(start, isString, refusedCursor));
  const pageLinks = (request: FastifyRequest, limit: number, next: string | undefined) => {
    const url = new URL(request.url, site.url);
    url.searchParams.delete('start');
    const first = { href: url.toString() };
    if (next === undefined) return { limit, first };
    url.searchParams.set('start', next);
    return { limit, first, next: { href: url.toString(), start: next } };
  };
  const templateVersion = (text: string, templateId: string) => {
    if (!VERSION.test(text)) throw t.kind.notFoundError(templateId, Number.NaN);
    return Number(text);
  };

  app.post(base, { config, schema: { tags, body: createBody(t.api.field, t.content, t.contentRequired) } }, async (request, reply) => {
    const body = request.body as Record<string, unknown> & { name: string; account_id: string; description?: string; committed?: boolean };
    const v = await t.versions.create(actorOf(request), {
      accountId: body.account_id,
      name: body.name,
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.committed !== undefined ? { committed: body.committed } : {}),
      body: contentOf(body),
    });
    setEtag(reply, v.entityTag);
    return reply.status(201).send(render(v));
  });

  app.get(base, { config, schema: { tags, querystring: ListTemplatesQuery } }, async (request) => {
    const q = request.query;
    const limit = limitOf(q.limit, TEMPLATE_LIMITS);
    // Deleted templates and versions are not kept: a `state=deleted` listing is empty.
    if (q.state === 'deleted') return { ...pageLinks(request, limit, undefined), [t.api.templates]: [] };
    const start = after(q.start);
    const slice = await t.versions.list(actorOf(request), q.account_id, { limit, ...(start !== undefined ? { after: start } : {}) }, q.name !== undefined ? { name: q.name } : {});
    const last = slice.items[slice.items.length - 1];
    return { ...pageLinks(request, limit, slice.more && last ? encodeCursor(last.id) : undefined), [t.api.templates]: slice.items.map(render) };
  });

  app.get(`${base}/:${t.param}`, { config, schema: { tags, params: TemplateParams(t.param), querystring: StateQuery } }, async (request, reply) => {
    const v = await t.versions.get(actorOf(request), param(request));
    setEtag(reply, v.entityTag);
    return render(v);
  });

  app.delete(`${base}/:${t.param}`, { config, schema: { tags, params: TemplateParams(t.param) } }, async (request, reply) => {
    await t.versions.deleteTemplate(actorOf(request), param(request));
    return reply.status(204).send();
  });

  app.post(`${base}/:${t.param}/versions`, { config, schema: { tags, params: TemplateParams(t.param), body: versionBody(t.api.field, t.content, t.contentRequired) } }, async (request, reply) => {
    const body = request.body as Record<string, unknown> & { name?: string; description?: string; committed?: boolean };
    const v = await t.versions.createVersion(actorOf(request), param(request), {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.committed !== undefined ? { committed: body.committed } : {}),
      body: contentOf(body),
    });
    setEtag(reply, v.entityTag);
    return reply.status(201).send(render(v));
  });

  app.get(`${base}/:${t.param}/versions`, { config, schema: { tags, params: TemplateParams(t.param), querystring: ListVersionsQuery } }, async (request) => {
    const q = request.query;
    const limit = limitOf(q.limit, TEMPLATE_LIMITS);
    if (q.state === 'deleted') return { ...pageLinks(request, limit, undefined), versions: [] };
    const start = after(q.start);
    const from = start === undefined ? undefined : Number(start);
    if (from !== undefined && !Number.isInteger(from)) throw refusedCursor();
    const slice = await t.versions.listVersions(actorOf(request), param(request), { limit, ...(from !== undefined ? { after: from } : {}) });
    const last = slice.items[slice.items.length - 1];
    return { ...pageLinks(request, limit, slice.more && last ? encodeCursor(String(last.version)) : undefined), versions: slice.items.map(render) };
  });

  app.put(`${base}/:${t.param}/versions/:version`, { config, schema: { tags, params: VersionParams(t.param), body: versionBody(t.api.field, t.content, t.contentRequired) } }, async (request, reply) => {
    const body = request.body as Record<string, unknown> & { name?: string; description?: string; committed?: boolean };
    const v = await t.versions.update(actorOf(request), param(request), versionOf(request), ifMatchOf(request), {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.committed !== undefined ? { committed: body.committed } : {}),
      body: contentOf(body),
    });
    setEtag(reply, v.entityTag);
    return render(v);
  });

  app.delete(`${base}/:${t.param}/versions/:version`, { config, schema: { tags, params: VersionParams(t.param) } }, async (request, reply) => {
    await t.versions.deleteVersion(actorOf(request), param(request), versionOf(request));
    return reply.status(204).send();
  });

  app.get(`${base}/:${t.param}/versions/:version`, { config, schema: { tags, params: VersionParams(t.param) } }, async (request, reply) => {
    const v = await t.versions.get(actorOf(request), param(request), versionOf(request));
    setEtag(reply, v.entityTag);
    return render(v);
  });

  app.post(`${base}/:${t.param}/versions/:version/commit`, { config, schema: { tags, params: VersionParams(t.param) } }, async (request, reply) => {
    await t.versions.commit(actorOf(request), param(request), versionOf(request), optionalIfMatchOf(request));
    return reply.status(204).send();
  });

  // ── Assignments ──────────────────────────────────────────────────────────────────────────────

  app.get(a, { config, schema: { tags, querystring: ListAssignmentsQuery(t.versionQuery) } }, async (request) => {
    const q = request.query as ListAssignmentsQuery;
    const limit = limitOf(q.limit, TEMPLATE_LIMITS);
    const start = after(q.start);
    const slice = await t.assignments.list(
      actorOf(request),
      {
        accountId: q.account_id,
        ...(q.template_id !== undefined ? { templateId: q.template_id } : {}),
        ...(q.template_version !== undefined ? { templateVersion: templateVersion(q.template_version, q.template_id ?? '') } : {}),
      },
      { limit, ...(start !== undefined ? { after: start } : {}) },
    );
    const last = slice.items[slice.items.length - 1];
    return { ...pageLinks(request, limit, slice.more && last ? encodeCursor(last.assignment.id) : undefined), assignments: slice.items.map(renderView) };
  });

  app.post(a, { config, schema: { tags, querystring: VersionQuery(t.versionQuery), body: CreateAssignmentBody } }, async (request, reply) => {
    const actor = actorOf(request);
    const body = request.body;
    const views: AssignmentView[] = [];
    for (const template of body.templates) {
      const started = await t.assignments.assign(actor, {
        templateId: template.id,
        templateVersion: templateVersion(template.version, template.id),
        targetType: body.target.type,
        target: body.target.id,
      });
      views.push(await started.settled);
    }
    setEtag(reply, views[0]!.assignment.entityTag);
    return reply.status(201).send({ assignments: views.map(renderView) });
  });

  app.get(`${a}/:assignment_id`, { config, schema: { tags, params: AssignmentParams, querystring: VersionQuery(t.versionQuery) } }, async (request, reply) => {
    const view = await t.assignments.get(actorOf(request), request.params.assignment_id);
    setEtag(reply, view.assignment.entityTag);
    return renderView(view);
  });

  app.patch(`${a}/:assignment_id`, { config, schema: { tags, params: AssignmentParams, querystring: VersionQuery(t.versionQuery), body: UpdateAssignmentBody } }, async (request, reply) => {
    const id = request.params.assignment_id;
    const started = await t.assignments.update(actorOf(request), id, ifMatchOf(request), templateVersion(request.body.template_version, id));
    const view = await started.settled;
    setEtag(reply, view.assignment.entityTag);
    return renderView(view);
  });

  app.delete(`${a}/:assignment_id`, { config, schema: { tags, params: AssignmentParams } }, async (request, reply) => {
    const started = await t.assignments.remove(actorOf(request), request.params.assignment_id);
    const left = await started.settled;
    if (left) {
      const failed = left.resources.filter((r) => r.status === 'failed').map((r) => `${r.accountId}: ${r.error?.message ?? 'failed'}`);
      throw new DomainError('conflict', 'request_not_processed', `The assignment could not be removed from every account (${failed.join('; ')}); it stays, failed.`);
    }
    return reply.status(204).send();
  });
}
