import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { ifMatchOf, setEtag } from '../http/etag.js';
import type { Authenticator } from '../kernel/principal.js';
import type { SiteUrl } from './context.js';
import {
  AccountParams,
  ApiKeyDetailsHeaders,
  ApiKeyDetailsQuery,
  ApiKeyListQuery,
  CreateApiKeyBody,
  CreateApiKeyHeaders,
  CreateGroupBody,
  CreateServiceIdBody,
  CreateServiceIdHeaders,
  GroupListQuery,
  IdParams,
  ReadQuery,
  ServiceIdListQuery,
  SettingsQuery,
  ShowGroupQuery,
  UpdateApiKeyBody,
  UpdateGroupBody,
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
  settingsWire,
} from './wire.js';

export interface IdentityRoutesDeps {
  identity: IdentityService;
  authenticator: Authenticator;
  site: SiteUrl;
}

const isTrue = (flag: string | undefined) => flag?.toLowerCase() === 'true';

/** Sends an entity with its tag in the body (already) and in the ETag header. */
function sendTagged(reply: FastifyReply, status: number, entityTag: string, body: unknown) {
  setEtag(reply, entityTag);
  return reply.code(status).send(body);
}

/**
 * IAM Identity v1 routes: API keys, service IDs, service ID groups, account identity settings.
 * Each validates its input against the schemas (bodies strictly, no type coercion), calls one
 * service operation and shapes IBM's response. Errors use the identity ExceptionResponse shape.
 */
export function identityRoutes(deps: IdentityRoutesDeps): FastifyPluginAsync {
  const { identity, site } = deps;
  return async (plain) => {
    requireBearer(plain, deps.authenticator);
    plain.setValidatorCompiler(TypeBoxValidatorCompiler);
    // The SDK sends `Content-Type: application/json` with no body on lock/unlock/disable/enable;
    // an empty body is "no body" here (routes that need one then fail their schema with 400).
    const json = plain.getDefaultJsonParser('error', 'error');
    plain.removeContentTypeParser('application/json');
    plain.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
      body === '' ? done(null, undefined) : json(request, body as string, done),
    );
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const config = { errorStyle: 'identity' as const };
    const tags = ['IAM Identity'];
    const location = (reply: FastifyReply, path: string) => reply.header('Location', `${site.url}${path}`);

    // ── API keys ──────────────────────────────────────────────────────────────────────────

    app.get('/v1/apikeys', { config, schema: { tags, querystring: ApiKeyListQuery } }, async (request) => {
      const q = request.query;
      const page = await identity.apiKeys.list(actorOf(request), {
        params: {
          ...(q.account_id !== undefined ? { accountId: q.account_id } : {}),
          ...(q.iam_id !== undefined ? { iamId: q.iam_id } : {}),
          ...(q.scope !== undefined ? { scope: q.scope } : {}),
          ...(q.type !== undefined ? { type: q.type } : {}),
          ...(q.sort !== undefined ? { sort: q.sort } : {}),
          ...(q.order !== undefined ? { order: q.order } : {}),
          ...(q.pagesize !== undefined ? { pagesize: q.pagesize } : {}),
          ...(q.include_history !== undefined ? { includeHistory: q.include_history } : {}),
        },
        ...(q.pagetoken ? { pagetoken: q.pagetoken } : {}),
      });
      return pageWire(page, 'apikeys', (d) => apiKeyWire(d));
    });

    app.post('/v1/apikeys', { config, schema: { tags, body: CreateApiKeyBody, headers: CreateApiKeyHeaders } }, async (request, reply) => {
      const b = request.body;
      const created = await identity.apiKeys.create(actorOf(request), {
        name: b.name,
        iamId: b.iam_id,
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.account_id !== undefined ? { accountId: b.account_id } : {}),
        ...(b.apikey !== undefined ? { apikey: b.apikey } : {}),
        ...(b.store_value !== undefined ? { storeValue: b.store_value } : {}),
        ...(b.support_sessions !== undefined ? { supportSessions: b.support_sessions } : {}),
        ...(b.action_when_leaked !== undefined ? { actionWhenLeaked: b.action_when_leaked } : {}),
        ...(b.expires_at !== undefined ? { expiresAt: b.expires_at } : {}),
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
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.support_sessions !== undefined ? { supportSessions: b.support_sessions } : {}),
        ...(b.action_when_leaked !== undefined ? { actionWhenLeaked: b.action_when_leaked } : {}),
        ...(b.expires_at !== undefined ? { expiresAt: b.expires_at } : {}),
      });
      return sendTagged(reply, 200, key.entityTag, apiKeyWire({ entity: key }));
    });

    const noContent = (operation: (actor: ReturnType<typeof actorOf>, id: string) => Promise<void>) =>
      async (request: { params: { id: string } } & Parameters<typeof actorOf>[0], reply: FastifyReply) => {
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
        params: {
          ...(q.account_id !== undefined ? { accountId: q.account_id } : {}),
          ...(q.group_id !== undefined ? { groupId: q.group_id } : {}),
          ...(q.name !== undefined ? { name: q.name } : {}),
          ...(q.sort !== undefined ? { sort: q.sort } : {}),
          ...(q.order !== undefined ? { order: q.order } : {}),
          ...(q.pagesize !== undefined ? { pagesize: q.pagesize } : {}),
          ...(q.include_history !== undefined ? { includeHistory: q.include_history } : {}),
        },
        ...(q.pagetoken ? { pagetoken: q.pagetoken } : {}),
      });
      return pageWire(page, 'serviceids', (d) => serviceIdWire(d, { showGroupId: q.show_group_id ?? false }));
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
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.group_id !== undefined ? { groupId: b.group_id } : {}),
          ...(b.unique_instance_crns !== undefined ? { uniqueInstanceCrns: b.unique_instance_crns } : {}),
          ...(k
            ? {
                apikey: {
                  name: k.name,
                  ...(k.description !== undefined ? { description: k.description } : {}),
                  ...(k.apikey !== undefined ? { apikey: k.apikey } : {}),
                  ...(k.store_value !== undefined ? { storeValue: k.store_value } : {}),
                  ...(k.action_when_leaked !== undefined ? { actionWhenLeaked: k.action_when_leaked } : {}),
                  ...(k.expires_at !== undefined ? { expiresAt: k.expires_at } : {}),
                },
              }
            : {}),
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
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.unique_instance_crns !== undefined ? { uniqueInstanceCrns: b.unique_instance_crns } : {}),
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
        ...(b.description !== undefined ? { description: b.description } : {}),
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
        ...(b.description !== undefined ? { description: b.description } : {}),
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
        const defined = <T>(value: T | undefined, key: string) => (value !== undefined ? { [key]: value } : {});
        const settings = await identity.settings.update(actorOf(request), request.params.account_id, ifMatchOf(request), {
          ...defined(b.restrict_create_service_id, 'restrictCreateServiceId'),
          ...defined(b.restrict_create_platform_apikey, 'restrictCreatePlatformApikey'),
          ...defined(b.restrict_user_list_visibility, 'restrictUserListVisibility'),
          ...defined(b.allowed_ip_addresses, 'allowedIpAddresses'),
          ...defined(b.mfa, 'mfa'),
          ...defined(b.session_expiration_in_seconds, 'sessionExpirationInSeconds'),
          ...defined(b.session_invalidation_in_seconds, 'sessionInvalidationInSeconds'),
          ...defined(b.max_sessions_per_identity, 'maxSessionsPerIdentity'),
          ...defined(b.system_access_token_expiration_in_seconds, 'systemAccessTokenExpirationInSeconds'),
          ...defined(b.system_refresh_token_expiration_in_seconds, 'systemRefreshTokenExpirationInSeconds'),
          ...defined(
            b.user_mfa?.map((u) => ({ ...defined(u.iam_id, 'iamId'), ...defined(u.mfa, 'mfa') })),
            'userMfa',
          ),
          ...defined(
            b.restrict_user_domains?.map((r) => ({
              realmId: r.realm_id,
              ...defined(r.invitation_email_allow_patterns, 'invitationEmailAllowPatterns'),
              ...defined(r.restrict_invitation, 'restrictInvitation'),
            })),
            'restrictUserDomains',
          ),
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
  };
}
