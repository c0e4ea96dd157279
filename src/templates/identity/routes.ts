import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOf, requireBearer } from '../../http/auth.js';
import { ifMatchOf, sendTagged } from '../../http/etag.js';
import { describeOperations } from '../../http/openapi.js';
import { decodeCursor, encodeCursor, isString } from '../../kernel/cursor.js';
import { invalid } from '../../kernel/errors.js';
import type { Authenticator } from '../../kernel/principal.js';
import type { AssignmentOps } from '../assignments.js';
import type { Slice } from '../store.js';
import type { VersionOps } from '../versions.js';
import {
  AssignmentListQuery,
  AssignmentParams,
  CreateAssignmentBody,
  HistoryQuery,
  type IdentityOperationsSpec,
  identityTemplateOperations,
  templateBodies,
  TemplateListQuery,
  TemplateParams,
  UpdateAssignmentBody,
  VersionListQuery,
  VersionParams,
} from './schemas.js';
import { assignmentWire, templateWire, type IdentityWireSpec } from './wire.js';

/** One IAM Identity template kind's routes: its wire, its operation names and its content fields. */
export interface IdentityTemplateSpec<B> extends IdentityWireSpec<B>, IdentityOperationsSpec {
  /** Request schemas of the content fields (`account_settings`; `profile`, `policy_template_references`). */
  input: Record<string, TSchema>;
  tag: string;
}

export interface IdentityTemplateRoutesDeps<B> {
  kind: { versions: VersionOps<B>; assignments: AssignmentOps };
  authenticator: Authenticator;
  site: { url: string };
}

/** A version number of a path: a positive integer; 400 otherwise. */
function versionNumber(text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw invalid(`The version "${text}" is not a version number.`);
  return Number(text);
}

const DEFAULT_LIMIT = 20;
const badToken = () => invalid('The pagetoken is not one this listing issued.');
const isVersionCursor = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

/**
 * A keyset page as IBM's identity listings show it: `limit`, `first`, and `next` (the listing's URL
 * with a `pagetoken` holding the last item's key) when more follow.
 */
function pageOf<T, K>(request: FastifyRequest, siteUrl: string, limit: number, slice: Slice<T>, keyOf: (t: T) => K) {
  const [path, query = ''] = request.url.split('?', 2) as [string, string?];
  const href = (token?: string) => {
    const params = new URLSearchParams(query);
    params.delete('pagetoken');
    if (token !== undefined) params.set('pagetoken', token);
    const text = params.toString();
    return `${siteUrl}${path}${text ? `?${text}` : ''}`;
  };
  const last = slice.items[slice.items.length - 1];
  return { limit, first: href(), ...(slice.more && last !== undefined ? { next: href(encodeCursor(keyOf(last))) } : {}) };
}

/** A definition as sent: only the kind's content fields (the kind validates them). */
const contentOf = (fields: string[], b: Record<string, unknown>) => Object.fromEntries(fields.filter((f) => b[f] !== undefined).map((f) => [f, b[f]]));

const textOf = (b: { name?: string; description?: string }) => ({
  ...(b.name !== undefined ? { name: b.name } : {}),
  ...(b.description !== undefined ? { description: b.description } : {}),
});

/**
 * An IAM Identity template kind's routes (`/v1/<kind>_templates`, `/v1/<kind>_assignments`), in
 * the identity API's error shape: templates and versions with If-Match on update, commit,
 * `pagetoken` listings; assignments answered 202 while they run in the background.
 */
export function identityTemplateRoutes<B>(spec: IdentityTemplateSpec<B>, deps: IdentityTemplateRoutesDeps<B>): FastifyPluginAsync {
  const { versions: templates, assignments } = deps.kind;
  const { site } = deps;
  const bodies = templateBodies(spec.input);
  const fields = Object.keys(spec.input);
  const t = `/v1/${spec.templates}`;
  const a = `/v1/${spec.assignments}`;
  return async (plain) => {
    requireBearer(plain, deps.authenticator);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const config = { errorStyle: 'identity' as const };
    const tags = [spec.tag];
    describeOperations(plain, 'identity', tags, identityTemplateOperations(spec));
    const tpl = (v: Parameters<typeof templateWire<B>>[1]) => templateWire(spec, v);
    const asg = (v: Parameters<typeof assignmentWire<B>>[2], resources?: Parameters<typeof assignmentWire<B>>[3]) => assignmentWire(spec, site.url, v, resources);

    app.post(t, { config, schema: { tags, body: bodies.create } }, async (request, reply) => {
      const b = request.body as Record<string, unknown> & { account_id: string; name: string; description?: string };
      const made = await templates.create(actorOf(request), { accountId: b.account_id, ...textOf(b), name: b.name, body: contentOf(fields, b) });
      return sendTagged(reply, 201, made.entityTag, tpl(made));
    });

    app.get(t, { config, schema: { tags, querystring: TemplateListQuery } }, async (request) => {
      const q = request.query;
      const actor = actorOf(request);
      const limit = q.limit !== undefined ? Number(q.limit) : DEFAULT_LIMIT;
      const after = q.pagetoken !== undefined ? decodeCursor(q.pagetoken, isString, badToken) : undefined;
      const slice = await templates.list(actor, q.account_id ?? actor.principal.accountId, { limit, ...(after !== undefined ? { after } : {}) });
      return { ...pageOf(request, site.url, limit, slice, (v) => v.id), [spec.listKey]: slice.items.map(tpl) };
    });

    app.get(`${t}/:template_id`, { config, schema: { tags, params: TemplateParams, querystring: HistoryQuery } }, async (request, reply) => {
      const found = await templates.get(actorOf(request), request.params.template_id);
      return sendTagged(reply, 200, found.entityTag, tpl(found));
    });

    app.delete(`${t}/:template_id`, { config, schema: { tags, params: TemplateParams } }, async (request, reply) => {
      await templates.deleteTemplate(actorOf(request), request.params.template_id);
      return reply.code(204).send();
    });

    app.get(`${t}/:template_id/versions`, { config, schema: { tags, params: TemplateParams, querystring: VersionListQuery } }, async (request) => {
      const q = request.query;
      const limit = q.limit !== undefined ? Number(q.limit) : DEFAULT_LIMIT;
      const after = q.pagetoken !== undefined ? decodeCursor(q.pagetoken, isVersionCursor, badToken) : undefined;
      const slice = await templates.listVersions(actorOf(request), request.params.template_id, { limit, ...(after !== undefined ? { after } : {}) });
      return { ...pageOf(request, site.url, limit, slice, (v) => v.version), [spec.listKey]: slice.items.map(tpl) };
    });

    app.post(`${t}/:template_id/versions`, { config, schema: { tags, params: TemplateParams, body: bodies.version } }, async (request, reply) => {
      const b = request.body as Record<string, unknown> & { name?: string; description?: string };
      const made = await templates.createVersion(actorOf(request), request.params.template_id, { ...textOf(b), body: contentOf(fields, b) });
      return sendTagged(reply, 201, made.entityTag, tpl(made));
    });

    app.get(`${t}/:template_id/versions/:version`, { config, schema: { tags, params: VersionParams, querystring: HistoryQuery } }, async (request, reply) => {
      const found = await templates.get(actorOf(request), request.params.template_id, versionNumber(request.params.version));
      return sendTagged(reply, 200, found.entityTag, tpl(found));
    });

    app.put(`${t}/:template_id/versions/:version`, { config, schema: { tags, params: VersionParams, body: bodies.version } }, async (request, reply) => {
      const { template_id, version } = request.params;
      const b = request.body as Record<string, unknown> & { name?: string; description?: string };
      const updated = await templates.update(actorOf(request), template_id, versionNumber(version), ifMatchOf(request), { ...textOf(b), body: contentOf(fields, b) });
      return sendTagged(reply, 200, updated.entityTag, tpl(updated));
    });

    app.delete(`${t}/:template_id/versions/:version`, { config, schema: { tags, params: VersionParams } }, async (request, reply) => {
      await templates.deleteVersion(actorOf(request), request.params.template_id, versionNumber(request.params.version));
      return reply.code(204).send();
    });

    app.post(`${t}/:template_id/versions/:version/commit`, { config, schema: { tags, params: VersionParams } }, async (request, reply) => {
      await templates.commit(actorOf(request), request.params.template_id, versionNumber(request.params.version));
      return reply.code(204).send();
    });

    // ── Assignments ───────────────────────────────────────────────────────────────────────

    app.post(a, { config, schema: { tags, body: CreateAssignmentBody } }, async (request, reply) => {
      const b = request.body;
      const { assignment } = await assignments.assign(actorOf(request), { templateId: b.template_id, templateVersion: b.template_version, targetType: b.target_type, target: b.target });
      return sendTagged(reply, 202, assignment.entityTag, asg(assignment));
    });

    app.get(a, { config, schema: { tags, querystring: AssignmentListQuery } }, async (request) => {
      const q = request.query;
      const actor = actorOf(request);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const after = q.pagetoken !== undefined ? decodeCursor(q.pagetoken, isString, badToken) : undefined;
      const filter = {
        accountId: q.account_id ?? actor.principal.accountId,
        ...(q.template_id !== undefined ? { templateId: q.template_id } : {}),
        ...(q.template_version !== undefined ? { templateVersion: versionNumber(q.template_version) } : {}),
        ...(q.target !== undefined ? { target: q.target } : {}),
        ...(q.target_type !== undefined ? { targetType: q.target_type } : {}),
      };
      const slice = await assignments.list(actor, filter, { limit, ...(after !== undefined ? { after } : {}) });
      return { ...pageOf(request, site.url, limit, slice, (v) => v.assignment.id), assignments: slice.items.map((v) => asg(v.assignment, v.resources)) };
    });

    app.get(`${a}/:assignment_id`, { config, schema: { tags, params: AssignmentParams, querystring: HistoryQuery } }, async (request, reply) => {
      const view = await assignments.get(actorOf(request), request.params.assignment_id);
      return sendTagged(reply, 200, view.assignment.entityTag, asg(view.assignment, view.resources));
    });

    app.patch(`${a}/:assignment_id`, { config, schema: { tags, params: AssignmentParams, body: UpdateAssignmentBody } }, async (request, reply) => {
      const { assignment } = await assignments.update(actorOf(request), request.params.assignment_id, ifMatchOf(request), request.body.template_version);
      return sendTagged(reply, 202, assignment.entityTag, asg(assignment));
    });

    app.delete(`${a}/:assignment_id`, { config, schema: { tags, params: AssignmentParams } }, async (request, reply) => {
      await assignments.remove(actorOf(request), request.params.assignment_id);
      return reply.code(202).send();
    });
  };
}
