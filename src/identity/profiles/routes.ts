import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { ifMatchOf, sendTagged } from '../../http/etag.js';
import { describeOperations } from '../../http/openapi.js';
import type { ListParams } from '../paging.js';
import type { ClaimRuleInput } from './rules.js';
import {
  ClaimRuleBody,
  CreateLinkBody,
  CreateProfileBody,
  DeleteLinkQuery,
  IdentityParams,
  IdentityTypeParams,
  LinkParams,
  ProfileIdentitiesBody,
  ProfileIdentityBody,
  ProfileListQuery,
  ProfileParams,
  ProfileReadQuery,
  profileOperations,
  RuleParams,
  UpdateProfileBody,
} from './schemas.js';
import { claimRuleWire, identitiesWire, identityWire, linkWire, profileWire } from './wire.js';
import type { IdentityService } from '../service.js';
import { pageWire } from '../wire.js';

type RuleBody = (typeof ClaimRuleBody)['static'];

const ruleInputOf = (b: RuleBody): ClaimRuleInput => ({
  type: b.type,
  conditions: b.conditions,
  ...(b.name !== undefined ? { name: b.name } : {}),
  ...(b.realm_name !== undefined ? { realmName: b.realm_name } : {}),
  ...(b.cr_type !== undefined ? { crType: b.cr_type } : {}),
  ...(b.expiration !== undefined ? { expiration: b.expiration } : {}),
});

/** The list parameters that were given (they travel inside page tokens, as JSON). */
const definedParams = (params: Record<string, string | number | boolean | undefined>): ListParams =>
  Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as ListParams;

/**
 * Trusted-profile routes of IAM Identity v1: profiles, claim rules, links and identities. Registered
 * inside the identity plugin (its bearer authentication and identity error shape). Each validates
 * its input, calls one service operation and shapes IBM's response.
 */
export function registerProfileRoutes(plain: FastifyInstance, identity: IdentityService, siteUrl: string) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const config = { errorStyle: 'identity' as const };
  const tags = ['IAM Identity'];
  describeOperations(plain, 'identity', tags, profileOperations);
  const { profiles } = identity;

  // ── Profiles ────────────────────────────────────────────────────────────────────────────

  app.get('/v1/profiles', { config, schema: { tags, querystring: ProfileListQuery } }, async (request) => {
    const q = request.query;
    const page = await profiles.list(actorOf(request), {
      params: definedParams({
        accountId: q.account_id,
        name: q.name,
        sort: q.sort,
        order: q.order,
        pagesize: q.pagesize,
        includeHistory: q.include_history,
      }),
      ...(q.pagetoken ? { pagetoken: q.pagetoken } : {}),
    });
    return pageWire(page, 'profiles', profileWire, (token) => `${siteUrl}/v1/profiles?pagetoken=${token}`);
  });

  app.post('/v1/profiles', { config, schema: { tags, body: CreateProfileBody } }, async (request, reply) => {
    const b = request.body;
    const profile = await profiles.create(actorOf(request), { accountId: b.account_id, name: b.name, description: b.description, email: b.email });
    reply.header('Location', `${siteUrl}/v1/profiles/${profile.id}`);
    return sendTagged(reply, 201, profile.entityTag, profileWire({ entity: profile }));
  });

  app.get('/v1/profiles/:profile_id', { config, schema: { tags, params: ProfileParams, querystring: ProfileReadQuery } }, async (request, reply) => {
    const d = await profiles.get(actorOf(request), request.params.profile_id, {
      includeHistory: request.query.include_history ?? false,
      includeActivity: request.query.include_activity ?? false,
    });
    return sendTagged(reply, 200, d.entity.entityTag, profileWire(d));
  });

  app.put('/v1/profiles/:profile_id', { config, schema: { tags, params: ProfileParams, body: UpdateProfileBody } }, async (request, reply) => {
    const b = request.body;
    const profile = await profiles.update(actorOf(request), request.params.profile_id, ifMatchOf(request), {
      name: b.name,
      description: b.description,
      email: b.email,
    });
    return sendTagged(reply, 200, profile.entityTag, profileWire({ entity: profile }));
  });

  app.delete('/v1/profiles/:profile_id', { config, schema: { tags, params: ProfileParams } }, async (request, reply) => {
    await profiles.delete(actorOf(request), request.params.profile_id);
    return reply.code(204).send();
  });

  // ── Claim rules ─────────────────────────────────────────────────────────────────────────

  app.post('/v1/profiles/:profile_id/rules', { config, schema: { tags, params: ProfileParams, body: ClaimRuleBody } }, async (request, reply) => {
    const rule = await profiles.rules.create(actorOf(request), request.params.profile_id, ruleInputOf(request.body));
    return sendTagged(reply, 201, rule.entityTag, claimRuleWire(rule));
  });

  app.get('/v1/profiles/:profile_id/rules', { config, schema: { tags, params: ProfileParams } }, async (request) => {
    const rules = await profiles.rules.list(actorOf(request), request.params.profile_id);
    return { rules: rules.map(claimRuleWire) };
  });

  app.get('/v1/profiles/:profile_id/rules/:rule_id', { config, schema: { tags, params: RuleParams } }, async (request, reply) => {
    const rule = await profiles.rules.get(actorOf(request), request.params.profile_id, request.params.rule_id);
    return sendTagged(reply, 200, rule.entityTag, claimRuleWire(rule));
  });

  app.put('/v1/profiles/:profile_id/rules/:rule_id', { config, schema: { tags, params: RuleParams, body: ClaimRuleBody } }, async (request, reply) => {
    const { profile_id, rule_id } = request.params;
    const rule = await profiles.rules.update(actorOf(request), profile_id, rule_id, ifMatchOf(request), ruleInputOf(request.body));
    return sendTagged(reply, 200, rule.entityTag, claimRuleWire(rule));
  });

  app.delete('/v1/profiles/:profile_id/rules/:rule_id', { config, schema: { tags, params: RuleParams } }, async (request, reply) => {
    await profiles.rules.delete(actorOf(request), request.params.profile_id, request.params.rule_id);
    return reply.code(204).send();
  });

  // ── Links ───────────────────────────────────────────────────────────────────────────────

  app.post('/v1/profiles/:profile_id/links', { config, schema: { tags, params: ProfileParams, body: CreateLinkBody } }, async (request, reply) => {
    const b = request.body;
    const link = await profiles.links.create(actorOf(request), request.params.profile_id, {
      crType: b.cr_type,
      link: {
        crn: b.link.crn,
        ...(b.link.namespace !== undefined ? { namespace: b.link.namespace } : {}),
        ...(b.link.name !== undefined ? { name: b.link.name } : {}),
        ...(b.link.component_type !== undefined ? { componentType: b.link.component_type } : {}),
        ...(b.link.component_name !== undefined ? { componentName: b.link.component_name } : {}),
      },
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.is_cross_account !== undefined ? { isCrossAccount: b.is_cross_account } : {}),
    });
    return sendTagged(reply, 201, link.entityTag, linkWire(link));
  });

  app.get('/v1/profiles/:profile_id/links', { config, schema: { tags, params: ProfileParams } }, async (request) => {
    const links = await profiles.links.list(actorOf(request), request.params.profile_id);
    return { links: links.map(linkWire) };
  });

  app.delete('/v1/profiles/:profile_id/links', { config, schema: { tags, params: ProfileParams, querystring: DeleteLinkQuery } }, async (request, reply) => {
    const q = request.query;
    await profiles.links.deleteMatching(actorOf(request), request.params.profile_id, {
      crType: q.type,
      ...(q.crn !== undefined ? { crn: q.crn } : {}),
      ...(q.namespace !== undefined ? { namespace: q.namespace } : {}),
      ...(q.name !== undefined ? { name: q.name } : {}),
      ...(q.component_type !== undefined ? { componentType: q.component_type } : {}),
      ...(q.component_name !== undefined ? { componentName: q.component_name } : {}),
    });
    return reply.code(204).send();
  });

  app.get('/v1/profiles/:profile_id/links/:link_id', { config, schema: { tags, params: LinkParams } }, async (request, reply) => {
    const link = await profiles.links.get(actorOf(request), request.params.profile_id, request.params.link_id);
    return sendTagged(reply, 200, link.entityTag, linkWire(link));
  });

  app.delete('/v1/profiles/:profile_id/links/:link_id', { config, schema: { tags, params: LinkParams } }, async (request, reply) => {
    await profiles.links.delete(actorOf(request), request.params.profile_id, request.params.link_id);
    return reply.code(204).send();
  });

  // ── Identities that may assume the profile ──────────────────────────────────────────────

  app.get('/v1/profiles/:profile_id/identities', { config, schema: { tags, params: ProfileParams } }, async (request) =>
    identitiesWire(await profiles.identities.list(actorOf(request), request.params.profile_id)),
  );

  app.put(
    '/v1/profiles/:profile_id/identities',
    { config, schema: { tags, params: ProfileParams, body: ProfileIdentitiesBody } },
    async (request) =>
      identitiesWire(await profiles.identities.replace(actorOf(request), request.params.profile_id, ifMatchOf(request), request.body.identities ?? [])),
  );

  app.post(
    '/v1/profiles/:profile_id/identities/:identity_type',
    { config, schema: { tags, params: IdentityTypeParams, body: ProfileIdentityBody } },
    async (request) =>
      identityWire(await profiles.identities.put(actorOf(request), request.params.profile_id, request.params.identity_type, request.body)),
  );

  app.get('/v1/profiles/:profile_id/identities/:identity_type/:identifier_id', { config, schema: { tags, params: IdentityParams } }, async (request) => {
    const { profile_id, identity_type, identifier_id } = request.params;
    return identityWire(await profiles.identities.get(actorOf(request), profile_id, identity_type, identifier_id));
  });

  app.delete(
    '/v1/profiles/:profile_id/identities/:identity_type/:identifier_id',
    { config, schema: { tags, params: IdentityParams } },
    async (request, reply) => {
      const { profile_id, identity_type, identifier_id } = request.params;
      await profiles.identities.delete(actorOf(request), profile_id, identity_type, identifier_id);
      return reply.code(204).send();
    },
  );
}
