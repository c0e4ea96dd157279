import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { PAGE_LIMITS } from '../../access-groups/paging.js';
import { actorOf, requireBearer } from '../../http/auth.js';
import { ifMatchOf, sendTagged } from '../../http/etag.js';
import { describeOperations } from '../../http/openapi.js';
import type { Authenticator } from '../../kernel/principal.js';
import type { TemplateService } from '../managed/service.js';
import { versionNumber } from '../managed/versions.js';
import { groupTemplateOperations } from './operations.js';
import {
  AssignmentListQuery,
  AssignmentParams,
  CreateAssignmentBody,
  CreateTemplateBody,
  TemplateListQuery,
  TemplateParams,
  UpdateAssignmentBody,
  VerboseQuery,
  VersionBody,
  VersionListQuery,
  VersionParams,
} from './schemas.js';
import type { GroupTemplateBody, GroupDefinition, PolicyTemplateRef } from './types.js';
import { assignmentWire, pageWire, templateWire } from './wire.js';

export interface GroupTemplateRoutesDeps {
  groupTemplates: TemplateService<GroupTemplateBody>;
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

/** A definition as sent; a template without a group is refused by the kind's check. */
const bodyOf = (b: { group?: GroupDefinition; policy_template_references?: PolicyTemplateRef[] }): GroupTemplateBody => ({
  group: b.group ?? { name: '' },
  policy_template_references: b.policy_template_references ?? [],
});

const textOf = <T extends { name?: string; description?: string }>(b: T) => ({
  ...(b.name !== undefined ? { name: b.name } : {}),
  ...(b.description !== undefined ? { description: b.description } : {}),
});

/**
 * Access-group templates and their assignments (IAM Access Groups `/v1/group_templates`,
 * `/v1/group_assignments`). Errors use the API handbook container, as the rest of the API does.
 */
export function groupTemplateRoutes(deps: GroupTemplateRoutesDeps): FastifyPluginAsync {
  const { templates, assignments } = deps.groupTemplates;
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
      const created = await templates.create(actorOf(request), b.account_id, { ...textOf(b), body: bodyOf(b) });
      return sendTagged(reply, 201, created.entityTag, tpl(created));
    });

    app.get('/v1/group_templates', { config, schema: { tags, querystring: TemplateListQuery } }, async (request) => {
      const q = request.query;
      const limit = q.limit ?? PAGE_LIMITS.default;
      const page = await templates.list(actorOf(request), q.account_id, { limit, offset: q.offset ?? 0 });
      return pageWire(page, 'group_templates', tpl, pageHref(site.url, request, limit));
    });

    app.post('/v1/group_templates/:template_id/versions', { config, schema: { tags, params: TemplateParams, body: VersionBody } }, async (request, reply) => {
      const b = request.body;
      const created = await templates.createVersion(actorOf(request), request.params.template_id, { ...textOf(b), body: bodyOf(b) });
      return sendTagged(reply, 201, created.entityTag, tpl(created));
    });

    app.get('/v1/group_templates/:template_id/versions', { config, schema: { tags, params: TemplateParams, querystring: VersionListQuery } }, async (request) => {
      const limit = request.query.limit ?? PAGE_LIMITS.default;
      const page = await templates.listVersions(actorOf(request), request.params.template_id, { limit, offset: request.query.offset ?? 0 });
      return pageWire(page, 'group_template_versions', tpl, pageHref(site.url, request, limit));
    });

    app.get('/v1/group_templates/:template_id/versions/:version_num', { config, schema: { tags, params: VersionParams, querystring: VerboseQuery } }, async (request, reply) => {
      const found = await templates.getVersion(actorOf(request), request.params.template_id, versionNumber(request.params.version_num));
      return sendTagged(reply, 200, found.entityTag, tpl(found));
    });

    app.put('/v1/group_templates/:template_id/versions/:version_num', { config, schema: { tags, params: VersionParams, body: VersionBody } }, async (request, reply) => {
      const { template_id, version_num } = request.params;
      const b = request.body;
      const updated = await templates.updateVersion(actorOf(request), template_id, versionNumber(version_num), ifMatchOf(request), { ...textOf(b), body: bodyOf(b) });
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
      const found = await templates.getLatest(actorOf(request), request.params.template_id);
      return sendTagged(reply, 200, found.entityTag, tpl(found));
    });

    app.delete('/v1/group_templates/:template_id', { config, schema: { tags, params: TemplateParams } }, async (request, reply) => {
      await templates.deleteTemplate(actorOf(request), request.params.template_id);
      return reply.code(204).send();
    });

    // ── Assignments ───────────────────────────────────────────────────────────────────────

    app.post('/v1/group_assignments', { config, schema: { tags, body: CreateAssignmentBody } }, async (request, reply) => {
      const b = request.body;
      const created = await assignments.create(actorOf(request), {
        templateId: b.template_id,
        templateVersion: versionNumber(b.template_version),
        targetType: b.target_type,
        target: b.target,
      });
      return sendTagged(reply, 202, created.entityTag, assignmentWire(created, site.url, false));
    });

    app.get('/v1/group_assignments', { config, schema: { tags, querystring: AssignmentListQuery } }, async (request) => {
      const q = request.query;
      const limit = q.limit ?? PAGE_LIMITS.default;
      const page = await assignments.list(
        actorOf(request),
        {
          accountId: q.account_id,
          ...(q.template_id !== undefined ? { templateId: q.template_id } : {}),
          ...(q.template_version !== undefined ? { templateVersion: versionNumber(q.template_version) } : {}),
          ...(q.target !== undefined ? { target: q.target } : {}),
          ...(q.status !== undefined ? { status: q.status } : {}),
        },
        { limit, offset: q.offset ?? 0 },
      );
      return pageWire(page, 'assignments', (a) => assignmentWire(a, site.url, false), pageHref(site.url, request, limit));
    });

    app.get('/v1/group_assignments/:assignment_id', { config, schema: { tags, params: AssignmentParams, querystring: VerboseQuery } }, async (request, reply) => {
      const found = await assignments.get(actorOf(request), request.params.assignment_id);
      return sendTagged(reply, 200, found.entityTag, assignmentWire(found, site.url, true));
    });

    app.patch('/v1/group_assignments/:assignment_id', { config, schema: { tags, params: AssignmentParams, body: UpdateAssignmentBody } }, async (request, reply) => {
      const updated = await assignments.update(actorOf(request), request.params.assignment_id, ifMatchOf(request), versionNumber(request.body.template_version));
      return sendTagged(reply, 202, updated.entityTag, assignmentWire(updated, site.url, true));
    });

    app.delete('/v1/group_assignments/:assignment_id', { config, schema: { tags, params: AssignmentParams } }, async (request, reply) => {
      await assignments.remove(actorOf(request), request.params.assignment_id);
      return reply.code(202).send();
    });
  };
}
