import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { PAGE_LIMITS } from '../../access-groups/paging.js';
import { actorOf, requireBearer } from '../../http/auth.js';
import { ifMatchOf, sendTagged } from '../../http/etag.js';
import { describeOperations } from '../../http/openapi.js';
import { invalid } from '../../kernel/errors.js';
import type { Authenticator } from '../../kernel/principal.js';
import type { AssignmentOps, AssignmentView } from '../assignments.js';
import type { Slice } from '../store.js';
import type { TemplateVersion } from '../types.js';
import type { VersionOps } from '../versions.js';
import {
  AssignmentListQuery,
  AssignmentParams,
  CreateAssignmentBody,
  CreateTemplateBody,
  groupTemplateOperations,
  TemplateListQuery,
  TemplateParams,
  UpdateAssignmentBody,
  VerboseQuery,
  VersionBody,
  VersionListQuery,
  VersionParams,
} from './schemas.js';
import type { GroupTemplateBody } from './types.js';
import { assignmentViewWire, assignmentWire, offsetPageWire, templateWire } from './wire.js';

export interface GroupTemplateRoutesDeps {
  groupTemplates: { versions: VersionOps<GroupTemplateBody>; assignments: AssignmentOps };
  authenticator: Authenticator;
  site: { url: string };
}

/** The absolute URL of the requested listing at `offset`, other parameters as sent. */
function pageHref(siteUrl: string, request: FastifyRequest, limit: number) {
  const [path, query = ''] = request.url.split('?', 2) as [string, string?];
  return (offset: number) => {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    params.set('offset', String(offset));
    return `${siteUrl}${path}?${params.toString()}`;
  };
}

/** A version number of a path or body: a positive integer (`"2"`); 400 otherwise. */
function versionNumber(text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw invalid(`The version "${text}" is not a version number.`);
  return Number(text);
}

/** Every item of a keyset listing (the access-groups API pages by offset and reports the total). */
async function everything<T, K>(page: (after?: K) => Promise<Slice<T>>, keyOf: (item: T) => K): Promise<T[]> {
  const out: T[] = [];
  let after: K | undefined;
  for (;;) {
    const slice = await page(after);
    out.push(...slice.items);
    if (!slice.more || slice.items.length === 0) return out;
    after = keyOf(slice.items[slice.items.length - 1]!);
  }
}

const ALL = 500;

/** A definition as sent (the kind checks it). */
const bodyOf = (b: { group?: unknown; policy_template_references?: unknown }) => ({ group: b.group, policy_template_references: b.policy_template_references });

const textOf = <T extends { name?: string; description?: string }>(b: T) => ({
  ...(b.name !== undefined ? { name: b.name } : {}),
  ...(b.description !== undefined ? { description: b.description } : {}),
});

/**
 * Access-group templates and their assignments (IAM Access Groups `/v1/group_templates`,
 * `/v1/group_assignments`). Errors use the API handbook container, as the rest of the API does.
 */
export function groupTemplateRoutes(deps: GroupTemplateRoutesDeps): FastifyPluginAsync {
  const { versions: templates, assignments } = deps.groupTemplates;
  const { site } = deps;
  return async (plain) => {
    requireBearer(plain, deps.authenticator);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const config = { errorStyle: 'handbook' as const };
    const tags = ['IAM Access Groups templates'];
    describeOperations(plain, 'handbook', tags, groupTemplateOperations);
    const tpl = (t: Parameters<typeof templateWire>[0]) => templateWire(t, site.url);

    app.post('/v1/group_templates', { config, schema: { tags, body: CreateTemplateBody } }, async (request, reply) => {
      const b = request.body;
      const created = await templates.create(actorOf(request), { accountId: b.account_id, name: b.name, ...textOf(b), body: bodyOf(b) });
      return sendTagged(reply, 201, created.entityTag, tpl(created));
    });

    app.get('/v1/group_templates', { config, schema: { tags, querystring: TemplateListQuery } }, async (request) => {
      const q = request.query;
      const limit = q.limit ?? PAGE_LIMITS.default;
      const actor = actorOf(request);
      const all = await everything<TemplateVersion<GroupTemplateBody>, string>((after) => templates.list(actor, q.account_id, { limit: ALL, ...(after !== undefined ? { after } : {}) }), (t) => t.id);
      return offsetPageWire(all, limit, q.offset ?? 0, 'group_templates', tpl, pageHref(site.url, request, limit));
    });

    app.post('/v1/group_templates/:template_id/versions', { config, schema: { tags, params: TemplateParams, body: VersionBody } }, async (request, reply) => {
      const b = request.body;
      const created = await templates.createVersion(actorOf(request), request.params.template_id, { ...textOf(b), body: bodyOf(b) });
      return sendTagged(reply, 201, created.entityTag, tpl(created));
    });

    app.get('/v1/group_templates/:template_id/versions', { config, schema: { tags, params: TemplateParams, querystring: VersionListQuery } }, async (request) => {
      const limit = request.query.limit ?? PAGE_LIMITS.default;
      const actor = actorOf(request);
      const all = await everything<TemplateVersion<GroupTemplateBody>, number>((after) => templates.listVersions(actor, request.params.template_id, { limit: ALL, ...(after !== undefined ? { after } : {}) }), (t) => t.version);
      return offsetPageWire(all, limit, request.query.offset ?? 0, 'group_template_versions', tpl, pageHref(site.url, request, limit));
    });

    app.get('/v1/group_templates/:template_id/versions/:version_num', { config, schema: { tags, params: VersionParams, querystring: VerboseQuery } }, async (request, reply) => {
      const found = await templates.get(actorOf(request), request.params.template_id, versionNumber(request.params.version_num));
      return sendTagged(reply, 200, found.entityTag, tpl(found));
    });

    app.put('/v1/group_templates/:template_id/versions/:version_num', { config, schema: { tags, params: VersionParams, body: VersionBody } }, async (request, reply) => {
      const { template_id, version_num } = request.params;
      const b = request.body;
      const updated = await templates.update(actorOf(request), template_id, versionNumber(version_num), ifMatchOf(request), { ...textOf(b), body: bodyOf(b) });
      return sendTagged(reply, 201, updated.entityTag, tpl(updated));
    });

    app.delete('/v1/group_templates/:template_id/versions/:version_num', { config, schema: { tags, params: VersionParams } }, async (request, reply) => {
      await templates.deleteVersion(actorOf(request), request.params.template_id, versionNumber(request.params.version_num));
      return reply.code(204).send();
    });

    app.post('/v1/group_templates/:template_id/versions/:version_num/commit', { config, schema: { tags, params: VersionParams } }, async (request, reply) => {
      const { template_id, version_num } = request.params;
      await templates.commit(actorOf(request), template_id, versionNumber(version_num), ifMatchOf(request));
      return reply.code(204).send();
    });

    app.get('/v1/group_templates/:template_id', { config, schema: { tags, params: TemplateParams, querystring: VerboseQuery } }, async (request, reply) => {
      const found = await templates.get(actorOf(request), request.params.template_id);
      return sendTagged(reply, 200, found.entityTag, tpl(found));
    });

    app.delete('/v1/group_templates/:template_id', { config, schema: { tags, params: TemplateParams } }, async (request, reply) => {
      await templates.deleteTemplate(actorOf(request), request.params.template_id);
      return reply.code(204).send();
    });

    // ── Assignments ───────────────────────────────────────────────────────────────────────

    app.post('/v1/group_assignments', { config, schema: { tags, body: CreateAssignmentBody } }, async (request, reply) => {
      const b = request.body;
      const { assignment: created } = await assignments.assign(actorOf(request), {
        templateId: b.template_id,
        templateVersion: versionNumber(b.template_version),
        targetType: b.target_type,
        target: b.target,
      });
      return sendTagged(reply, 202, created.entityTag, assignmentWire(created, site.url));
    });

    app.get('/v1/group_assignments', { config, schema: { tags, querystring: AssignmentListQuery } }, async (request) => {
      const q = request.query;
      const limit = q.limit ?? PAGE_LIMITS.default;
      const actor = actorOf(request);
      const filter = {
        accountId: q.account_id,
        ...(q.template_id !== undefined ? { templateId: q.template_id } : {}),
        ...(q.template_version !== undefined ? { templateVersion: versionNumber(q.template_version) } : {}),
        ...(q.target !== undefined ? { target: q.target } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
      };
      const all = await everything<AssignmentView, string>((after) => assignments.list(actor, filter, { limit: ALL, ...(after !== undefined ? { after } : {}) }), (v) => v.assignment.id);
      return offsetPageWire(all, limit, q.offset ?? 0, 'assignments', (v) => assignmentWire(v.assignment, site.url), pageHref(site.url, request, limit));
    });

    app.get('/v1/group_assignments/:assignment_id', { config, schema: { tags, params: AssignmentParams, querystring: VerboseQuery } }, async (request, reply) => {
      const view = await assignments.get(actorOf(request), request.params.assignment_id);
      return sendTagged(reply, 200, view.assignment.entityTag, assignmentViewWire(view, site.url));
    });

    app.patch('/v1/group_assignments/:assignment_id', { config, schema: { tags, params: AssignmentParams, body: UpdateAssignmentBody } }, async (request, reply) => {
      const { assignment: updated } = await assignments.update(actorOf(request), request.params.assignment_id, ifMatchOf(request), versionNumber(request.body.template_version));
      return sendTagged(reply, 202, updated.entityTag, assignmentWire(updated, site.url, []));
    });

    app.delete('/v1/group_assignments/:assignment_id', { config, schema: { tags, params: AssignmentParams } }, async (request, reply) => {
      await assignments.remove(actorOf(request), request.params.assignment_id);
      return reply.code(202).send();
    });
  };
}
