import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { ifMatchOf, sendTagged } from '../http/etag.js';
import { describeOperations } from '../http/openapi.js';
import type { Actor, Authenticator } from '../kernel/principal.js';
import { registerProfileRoutes } from './profiles/routes.js';
import type { ListParams } from './paging.js';
import {
  AccountParams,
  ApiKeyDetailsHeaders,
  ApiKeyDetailsQuery,
  ApiKeyListQuery,
  CreateApiKeyBody,
  CreateApiKeyHeaders,
  CreateGroupBody,
  CreateMfaReportQuery,
  CreateReportQuery,
  CreateServiceIdBody,
  CreateServiceIdHeaders,
  GroupListQuery,
  identityOperations,
  IdParams,
  LimitsBody,
  LimitsQuery,
  LimitsResponse,
  MfaStatusQuery,
  PreferenceOwnerParams,
  PreferenceParams,
  PreferenceResponse,
  PreferencesResponse,
  ReadQuery,
  ReportAccountParams,
  ReportParams,
  ReportReferenceResponse,
  ReportResponse,
  ServiceIdListQuery,
  SettingsQuery,
  ShowGroupQuery,
  UpdateApiKeyBody,
  UpdateGroupBody,
  UpdatePreferenceBody,
  UpdateServiceIdBody,
  UpdateSettingsBody,
} from './schemas.js';
import type { IdentityService } from './service.js';
import {
  apiKeyWire,
  createdApiKeyWire,
  effectiveSettingsWire,
  groupWire,
  pageWire,
  serviceIdWire,
  preferenceWire,
  settingsWire,
} from './wire.js';

/** Where clients reach this server; page links and Location headers are absolute URLs under it. */
export interface SiteUrl {
  url: string;
}

export interface IdentityRoutesDeps {
  identity: IdentityService;
  authenticator: Authenticator;
  site: SiteUrl;
}

const isTrue = (flag: string | undefined) => flag?.toLowerCase() === 'true';

/** A comma-separated id list of the limits query: trimmed, empty entries dropped. */
/** A limits request of the query or the body (see LimitsQuery, LimitsBody); `ids` reads one id list. */
function limitsRequestOf<L>(f: LimitsFields<L>, ids: (list: L | undefined) => string[] | undefined) {
  return {
    serviceidGroups: f.serviceid_groups,
    serviceidsPerGroup: ids(f.serviceids_per_group),
    profiles: f.profiles,
    apikeysPerIdentity: ids(f.apikeys_per_identity),
    templates: f.templates,
    templateVersionsPerTemplate: ids(f.template_versions_per_template),
    idps: f.idps,
    claimRulesPerGroup: ids(f.claim_rules_per_group),
    claimRulesPerProfile: ids(f.claim_rules_per_profile),
    crLinks: f.cr_links,
    crLinksPerProfile: ids(f.cr_links_per_profile),
    crRules: f.cr_rules,
    crRulesPerProfile: ids(f.cr_rules_per_profile),
  };
}

type Flag = boolean | undefined;
type LimitsFields<L> = {
  serviceid_groups?: Flag; serviceids_per_group?: L; profiles?: Flag; apikeys_per_identity?: L; templates?: Flag;
  template_versions_per_template?: L; idps?: Flag; claim_rules_per_group?: L; claim_rules_per_profile?: L; cr_links?: Flag;
  cr_links_per_profile?: L; cr_rules?: Flag; cr_rules_per_profile?: L;
};

const idListOf = (list: string | undefined): string[] | undefined =>
  list === undefined ? undefined : list.split(',').map((id) => id.trim()).filter((id) => id !== '');

/** The list parameters that were given (they travel inside page tokens, as JSON). */
const definedParams = (params: Record<string, string | number | boolean | undefined>): ListParams =>
  Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as ListParams;


/**
 * IAM Identity v1 routes: API keys, service IDs, service ID groups, trusted profiles
 * (profile-routes.ts), account identity settings.
 * Each validates its input against the schemas (bodies strictly, no type coercion), calls one
 * service operation and shapes IBM's response. Errors use the identity ExceptionResponse shape.
 */
export function identityRoutes(deps: IdentityRoutesDeps): FastifyPluginAsync {
  const { identity, site } = deps;
  return async (plain) => {
    requireBearer(plain, deps.authenticator);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const config = { errorStyle: 'identity' as const };
    const tags = ['IAM Identity'];
    describeOperations(plain, 'identity', tags, identityOperations);
    const location = (reply: FastifyReply, path: string) => reply.header('Location', `${site.url}${path}`);
    registerProfileRoutes(plain, identity, site.url);

    // ── API keys ──────────────────────────────────────────────────────────────────────────

    app.get('/v1/apikeys', { config, schema: { tags, querystring: ApiKeyListQuery } }, async (request) => {
      const q = request.query;
      const page = await identity.apiKeys.list(actorOf(request), {
        params: definedParams({
          accountId: q.account_id,
          iamId: q.iam_id,
          scope: q.scope,
          type: q.type,
          sort: q.sort,
          order: q.order,
          pagesize: q.pagesize,
          includeHistory: q.include_history,
        }),
        ...(q.pagetoken ? { pagetoken: q.pagetoken } : {}),
      });
      return pageWire(page, 'apikeys', (d) => apiKeyWire(d), (token) => `${site.url}/v1/apikeys?pagetoken=${token}`);
    });

    app.post('/v1/apikeys', { config, schema: { tags, body: CreateApiKeyBody, headers: CreateApiKeyHeaders } }, async (request, reply) => {
      const b = request.body;
      const created = await identity.apiKeys.create(actorOf(request), {
        name: b.name,
        iamId: b.iam_id,
        description: b.description,
        accountId: b.account_id,
        apikey: b.apikey,
        storeValue: b.store_value,
        supportSessions: b.support_sessions,
        actionWhenLeaked: b.action_when_leaked,
        expiresAt: b.expires_at,
        locked: isTrue(request.headers['entity-lock']),
        disabled: isTrue(request.headers['entity-disable']),
      });
      location(reply, `/v1/apikeys/${created.apiKey.id}`);
      return sendTagged(reply, 201, created.apiKey.entityTag, createdApiKeyWire(created));
    });

    app.get(
      '/v1/apikeys/details',
      { config, schema: { tags, headers: ApiKeyDetailsHeaders, querystring: ApiKeyDetailsQuery } },
      async (request, reply) => {
        const d = await identity.apiKeys.getByValue(actorOf(request), request.headers['iam-apikey'], {
          includeHistory: request.query.include_history ?? false,
        });
        return sendTagged(reply, 200, d.entity.entityTag, apiKeyWire(d));
      },
    );

    app.get('/v1/apikeys/:id', { config, schema: { tags, params: IdParams, querystring: ReadQuery } }, async (request, reply) => {
      const d = await identity.apiKeys.get(actorOf(request), request.params.id, {
        includeHistory: request.query.include_history ?? false,
        includeActivity: request.query.include_activity ?? false,
      });
      return sendTagged(reply, 200, d.entity.entityTag, apiKeyWire(d));
    });

    app.put('/v1/apikeys/:id', { config, schema: { tags, params: IdParams, body: UpdateApiKeyBody } }, async (request, reply) => {
      const b = request.body;
      const key = await identity.apiKeys.update(actorOf(request), request.params.id, ifMatchOf(request), {
        name: b.name,
        description: b.description,
        supportSessions: b.support_sessions,
        actionWhenLeaked: b.action_when_leaked,
        expiresAt: b.expires_at,
      });
      return sendTagged(reply, 200, key.entityTag, apiKeyWire({ entity: key }));
    });

    /** A by-id operation without a response body: 204. */
    const noContent =
      (operation: (actor: Actor, id: string) => Promise<void>) =>
      async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
        await operation(actorOf(request), request.params.id);
        return reply.code(204).send();
      };
    const byId = { config, schema: { tags, params: IdParams } };

    app.delete('/v1/apikeys/:id', byId, noContent(identity.apiKeys.delete));
    app.post('/v1/apikeys/:id/lock', byId, noContent(identity.apiKeys.lock));
    app.delete('/v1/apikeys/:id/lock', byId, noContent(identity.apiKeys.unlock));
    app.post('/v1/apikeys/:id/disable', byId, noContent(identity.apiKeys.disable));
    app.delete('/v1/apikeys/:id/disable', byId, noContent(identity.apiKeys.enable));

    // ── Service IDs ───────────────────────────────────────────────────────────────────────

    app.get('/v1/serviceids', { config, schema: { tags, querystring: ServiceIdListQuery } }, async (request) => {
      const q = request.query;
      const page = await identity.serviceIds.list(actorOf(request), {
        params: definedParams({
          accountId: q.account_id,
          groupId: q.group_id,
          name: q.name,
          sort: q.sort,
          order: q.order,
          pagesize: q.pagesize,
          includeHistory: q.include_history,
        }),
        ...(q.pagetoken ? { pagetoken: q.pagetoken } : {}),
      });
      return pageWire(page, 'serviceids', (d) => serviceIdWire(d, { showGroupId: q.show_group_id ?? false }), (token) => `${site.url}/v1/serviceids?pagetoken=${token}`);
    });

    app.post(
      '/v1/serviceids',
      { config, schema: { tags, body: CreateServiceIdBody, headers: CreateServiceIdHeaders, querystring: ShowGroupQuery } },
      async (request, reply) => {
        const b = request.body;
        const k = b.apikey;
        const { serviceId, apiKey } = await identity.serviceIds.create(actorOf(request), {
          accountId: b.account_id,
          name: b.name,
          description: b.description,
          groupId: b.group_id,
          uniqueInstanceCrns: b.unique_instance_crns,
          apikey: k && {
            name: k.name,
            description: k.description,
            apikey: k.apikey,
            storeValue: k.store_value,
            actionWhenLeaked: k.action_when_leaked,
            expiresAt: k.expires_at,
          },
          locked: isTrue(request.headers['entity-lock']),
        });
        location(reply, `/v1/serviceids/${serviceId.id}`);
        const body = serviceIdWire({ entity: serviceId }, { showGroupId: request.query.show_group_id ?? false, ...(apiKey ? { apiKey } : {}) });
        return sendTagged(reply, 201, serviceId.entityTag, body);
      },
    );

    app.get('/v1/serviceids/:id', { config, schema: { tags, params: IdParams, querystring: ReadQuery } }, async (request, reply) => {
      const q = request.query;
      const d = await identity.serviceIds.get(actorOf(request), request.params.id, {
        includeHistory: q.include_history ?? false,
        includeActivity: q.include_activity ?? false,
      });
      return sendTagged(reply, 200, d.entity.entityTag, serviceIdWire(d, { showGroupId: q.show_group_id ?? false }));
    });

    app.put(
      '/v1/serviceids/:id',
      { config, schema: { tags, params: IdParams, body: UpdateServiceIdBody, querystring: ShowGroupQuery } },
      async (request, reply) => {
        const b = request.body;
        const serviceId = await identity.serviceIds.update(actorOf(request), request.params.id, ifMatchOf(request), {
          name: b.name,
          description: b.description,
          uniqueInstanceCrns: b.unique_instance_crns,
        });
        const body = serviceIdWire({ entity: serviceId }, { showGroupId: request.query.show_group_id ?? false });
        return sendTagged(reply, 200, serviceId.entityTag, body);
      },
    );

    app.delete('/v1/serviceids/:id', byId, noContent(identity.serviceIds.delete));
    app.post('/v1/serviceids/:id/lock', byId, noContent(identity.serviceIds.lock));
    app.delete('/v1/serviceids/:id/lock', byId, noContent(identity.serviceIds.unlock));

    // ── Service ID groups ─────────────────────────────────────────────────────────────────

    app.get('/v1/serviceid_groups', { config, schema: { tags, querystring: GroupListQuery } }, async (request) => {
      const actor = actorOf(request);
      const groups = await identity.groups.list(actor, request.query.account_id ?? actor.principal.accountId);
      return { serviceid_groups: groups.map(groupWire) };
    });

    app.post('/v1/serviceid_groups', { config, schema: { tags, body: CreateGroupBody } }, async (request, reply) => {
      const b = request.body;
      const group = await identity.groups.create(actorOf(request), b.account_id, {
        name: b.name,
        description: b.description,
      });
      location(reply, `/v1/serviceid_groups/${group.id}`);
      return sendTagged(reply, 201, group.entityTag, groupWire(group));
    });

    app.get('/v1/serviceid_groups/:id', byId, async (request, reply) => {
      const group = await identity.groups.get(actorOf(request), request.params.id);
      return sendTagged(reply, 200, group.entityTag, groupWire(group));
    });

    app.put('/v1/serviceid_groups/:id', { config, schema: { tags, params: IdParams, body: UpdateGroupBody } }, async (request, reply) => {
      const b = request.body;
      const group = await identity.groups.update(actorOf(request), request.params.id, ifMatchOf(request), {
        name: b.name,
        description: b.description,
      });
      return sendTagged(reply, 200, group.entityTag, groupWire(group));
    });

    app.delete('/v1/serviceid_groups/:id', byId, noContent(identity.groups.delete));

    // ── Account identity settings ─────────────────────────────────────────────────────────

    const settingsRoute = { config, schema: { tags, params: AccountParams, querystring: SettingsQuery } };

    app.get('/v1/accounts/:account_id/settings/identity', settingsRoute, async (request, reply) => {
      const view = await identity.settings.get(actorOf(request), request.params.account_id, {
        includeHistory: request.query.include_history ?? false,
        resolveUserMfa: request.query.resolve_user_mfa ?? false,
      });
      return sendTagged(reply, 200, view.entity.entityTag, settingsWire(view));
    });

    app.put(
      '/v1/accounts/:account_id/settings/identity',
      { config, schema: { tags, params: AccountParams, body: UpdateSettingsBody } },
      async (request, reply) => {
        const b = request.body;
        const settings = await identity.settings.update(actorOf(request), request.params.account_id, ifMatchOf(request), {
          restrictCreateServiceId: b.restrict_create_service_id,
          restrictCreatePlatformApikey: b.restrict_create_platform_apikey,
          restrictUserListVisibility: b.restrict_user_list_visibility,
          allowedIpAddresses: b.allowed_ip_addresses,
          mfa: b.mfa,
          sessionExpirationInSeconds: b.session_expiration_in_seconds,
          sessionInvalidationInSeconds: b.session_invalidation_in_seconds,
          maxSessionsPerIdentity: b.max_sessions_per_identity,
          systemAccessTokenExpirationInSeconds: b.system_access_token_expiration_in_seconds,
          systemRefreshTokenExpirationInSeconds: b.system_refresh_token_expiration_in_seconds,
          userMfa: b.user_mfa?.map((u) => ({ iamId: u.iam_id, mfa: u.mfa })),
          restrictUserDomains: b.restrict_user_domains?.map((r) => ({
            realmId: r.realm_id,
            invitationEmailAllowPatterns: r.invitation_email_allow_patterns,
            restrictInvitation: r.restrict_invitation,
          })),
        });
        return sendTagged(reply, 200, settings.entityTag, settingsWire({ entity: settings }));
      },
    );

    app.get('/v1/accounts/:account_id/effective_settings/identity', settingsRoute, async (request) => {
      const view = await identity.settings.getEffective(actorOf(request), request.params.account_id, {
        includeHistory: request.query.include_history ?? false,
        resolveUserMfa: request.query.resolve_user_mfa ?? false,
      });
      return effectiveSettingsWire(view);
    });

    // ── Identity preferences (scope account) ──────────────────────────────────────────────

    const preferenceKeyOf = (p: { account_id: string; iam_id: string; service: string; preference_id: string }) => ({
      accountId: p.account_id,
      iamId: p.iam_id,
      service: p.service,
      preferenceId: p.preference_id,
    });
    const preferencePath = '/v1/preferences/accounts/:account_id/identities/:iam_id/:service/:preference_id';

    app.put(
      preferencePath,
      {
        config,
        schema: {
          tags,
          params: PreferenceParams,
          body: UpdatePreferenceBody,
        },
      },
      async (request) => {
        const preference = await identity.preferences.update(actorOf(request), preferenceKeyOf(request.params), {
          valueString: request.body.value_string,
          valueListOfStrings: request.body.value_list_of_strings,
        });
        return preferenceWire(preference);
      },
    );

    app.get(
      preferencePath,
      {
        config,
        schema: {
          tags,
          params: PreferenceParams,
        },
      },
      async (request) => preferenceWire(await identity.preferences.get(actorOf(request), preferenceKeyOf(request.params))),
    );

    app.delete(
      preferencePath,
      {
        config,
        schema: {
          tags,
          params: PreferenceParams,
        },
      },
      async (request, reply) => {
        await identity.preferences.delete(actorOf(request), preferenceKeyOf(request.params));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/preferences/accounts/:account_id/identities/:iam_id',
      {
        config,
        schema: {
          tags,
          params: PreferenceOwnerParams,
        },
      },
      async (request) => {
        const preferences = await identity.preferences.list(actorOf(request), request.params.account_id, request.params.iam_id);
        return { preferences: preferences.map(preferenceWire) };
      },
    );

    // ── Account limits and entity consumption ─────────────────────────────────────────────

    const limitsPath = '/v1/accounts/:account_id/limits/identity';

    app.get(
      limitsPath,
      {
        config,
        schema: {
          tags,
          params: ReportAccountParams,
          querystring: LimitsQuery,
        },
      },
      async (request) => {
        return identity.limits.get(actorOf(request), request.params.account_id, limitsRequestOf(request.query, idListOf));
      },
    );

    app.post(
      limitsPath,
      {
        config,
        schema: {
          tags,
          params: ReportAccountParams,
          body: LimitsBody,
        },
      },
      async (request) => {
        return identity.limits.get(actorOf(request), request.params.account_id, limitsRequestOf(request.body, (ids) => ids));
      },
    );

    // ── Activity reports ──────────────────────────────────────────────────────────────────

    app.post(
      '/v1/activity/accounts/:account_id/report',
      {
        config,
        schema: {
          tags,
          params: ReportAccountParams,
          querystring: CreateReportQuery,
        },
      },
      async (request, reply) => {
        const created = await identity.reports.create(actorOf(request), request.params.account_id, {
          type: request.query.type,
          duration: request.query.duration,
        });
        return reply.code(202).send(created);
      },
    );

    app.get(
      '/v1/activity/accounts/:account_id/report/:reference',
      {
        config,
        schema: {
          tags,
          params: ReportParams,
        },
      },
      async (request, reply) => {
        const state = await identity.reports.get(actorOf(request), request.params.account_id, request.params.reference);
        if (state.running) return reply.code(204).send(null);
        return state.report;
      },
    );

    // ── MFA status and reports ────────────────────────────────────────────────────────────

    app.get(
      '/v1/mfa/accounts/:account_id/status',
      { config, schema: { tags, params: ReportAccountParams, querystring: MfaStatusQuery } },
      async (request) => identity.mfa.status(actorOf(request), request.params.account_id, request.query.iam_id),
    );

    app.post(
      '/v1/mfa/accounts/:account_id/report',
      { config, schema: { tags, params: ReportAccountParams, querystring: CreateMfaReportQuery } },
      async (request, reply) => reply.code(202).send(await identity.mfa.create(actorOf(request), request.params.account_id, request.query.type)),
    );

    app.get(
      '/v1/mfa/accounts/:account_id/report/:reference',
      { config, schema: { tags, params: ReportParams } },
      async (request) => identity.mfa.get(actorOf(request), request.params.account_id, request.params.reference),
    );
  };
}
