import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { ifMatchOf, sendTagged } from '../http/etag.js';
import { created, describeOperations, noContent, ok, type Operations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import { sendStartedSession } from '../signin/routes.js';
import { StartedSession } from '../signin/schemas.js';
import {
  AcsForm,
  CallbackQuery,
  ChooseBody,
  CreateIdpBody,
  FederationChoices,
  IdentityProviderList,
  IdentityProviderResponse,
  IdpListQuery,
  IdpParams,
  ProvidersQuery,
  SignInParams,
  SignInProviders,
  SpMetadata,
  TicketQuery,
  UpdateIdpBody,
} from './schemas.js';
import type { FederationService } from './service.js';
import type { IdpInput } from './types.js';
import { choicesWire, idpWire, providerWire } from './wire.js';

export interface FederationRoutesDeps {
  federation: FederationService;
  authenticator: Authenticator;
  site: { url: string };
}

/** The identity-provider API has no SDK service: operation names are our own. */
const management: Operations = {
  'POST /v1/identity_providers': { operationId: 'createIdentityProvider', summary: 'Register a SAML 2.0 or OIDC identity provider for sign-in to an account', responses: created(IdentityProviderResponse) },
  'GET /v1/identity_providers': { operationId: 'listIdentityProviders', summary: 'List the identity providers of an account', responses: ok(IdentityProviderList) },
  'GET /v1/identity_providers/:id': { operationId: 'getIdentityProvider', summary: 'Get an identity provider', responses: ok(IdentityProviderResponse) },
  'PUT /v1/identity_providers/:id': { operationId: 'updateIdentityProvider', summary: 'Replace an identity provider (If-Match)', responses: ok(IdentityProviderResponse) },
  'DELETE /v1/identity_providers/:id': { operationId: 'deleteIdentityProvider', summary: 'Remove an identity provider', responses: noContent },
};

/** The browser's steps of a federated sign-in: no bearer token (before one exists). */
const signIn: Operations = {
  'GET /federation/:idp_id/login': {
    operationId: 'startFederatedSignIn',
    summary: 'Redirect the browser to the identity provider (SAML AuthnRequest or OIDC authorization request)',
    responses: { 302: null },
    security: 'none',
  },
  'GET /federation/:idp_id/metadata': {
    operationId: 'getServiceProviderMetadata',
    summary: "Our SAML service-provider metadata for the identity provider (entity id, ACS, NameID format)",
    responses: ok(SpMetadata),
    security: 'none',
  },
  'POST /federation/:idp_id/acs': {
    operationId: 'receiveSamlResponse',
    summary: "SAML assertion consumer service (POST binding): checks the IdP's response and redirects to the sign-in choice with a ticket",
    responses: { 303: null },
    security: 'none',
  },
  'GET /federation/:idp_id/callback': {
    operationId: 'receiveOidcCallback',
    summary: "OIDC redirect URI: redeems the code, checks the ID token and redirects to the sign-in choice with a ticket",
    responses: { 303: null },
    security: 'none',
  },
  'GET /federation/providers': {
    operationId: 'listSignInIdentityProviders',
    summary: "The identity providers an account's sign-in page offers (name, protocol, login URL; an unknown account has none)",
    responses: ok(SignInProviders),
    security: 'none',
  },
  'GET /federation/choices': {
    operationId: 'getFederatedSignInChoices',
    summary: 'How a federated person may sign in with their ticket: as the account member, or as one of the trusted profiles listed',
    responses: ok(FederationChoices),
    security: 'none',
  },
  'POST /federation/choose': {
    operationId: 'chooseFederatedSignIn',
    summary: 'Spend the ticket: sign in as the member (no profile_id) or as the trusted profile; a session cookie and its CSRF token',
    responses: created(StartedSession),
    security: 'none',
  },
};

type IdpBody = {
  name: string;
  description?: string;
  protocol: string;
  metadata_xml?: string;
  issuer?: string;
  sso_url?: string;
  certificates?: string[];
  name_id_format?: string;
  client_id?: string;
  client_secret?: string;
  scopes?: string[];
  claim_mapping?: { email?: string; name?: string; mfa?: string };
};

const inputOf = (b: IdpBody): IdpInput => ({
  name: b.name,
  protocol: b.protocol,
  ...(b.description !== undefined ? { description: b.description } : {}),
  ...(b.metadata_xml !== undefined ? { metadataXml: b.metadata_xml } : {}),
  ...(b.issuer !== undefined ? { issuer: b.issuer } : {}),
  ...(b.sso_url !== undefined ? { ssoUrl: b.sso_url } : {}),
  ...(b.certificates !== undefined ? { certificates: b.certificates } : {}),
  ...(b.name_id_format !== undefined ? { nameIdFormat: b.name_id_format } : {}),
  ...(b.client_id !== undefined ? { clientId: b.client_id } : {}),
  ...(b.client_secret !== undefined ? { clientSecret: b.client_secret } : {}),
  ...(b.scopes !== undefined ? { scopes: b.scopes } : {}),
  ...(b.claim_mapping !== undefined ? { claimMapping: Object.fromEntries(Object.entries(b.claim_mapping).filter(([, v]) => v !== undefined)) } : {}),
});

/**
 * `/v1/identity_providers` (IAM Identity's error shape; ETag and If-Match as for the other identity
 * entities) and `/federation/...`, the browser's sign-in steps (handbook error shape).
 */
export function federationRoutes(deps: FederationRoutesDeps): FastifyPluginAsync {
  const { federation, site } = deps;
  return async (root) => {
    await root.register(async (plain) => {
      requireBearer(plain, deps.authenticator);
      const app = plain.withTypeProvider<TypeBoxTypeProvider>();
      const config = { errorStyle: 'identity' as const };
      const tags = ['IAM Identity: identity providers'];
      describeOperations(plain, 'identity', tags, management);
      const location = (reply: FastifyReply, id: string) => reply.header('Location', `${site.url}/v1/identity_providers/${id}`);

      app.post('/v1/identity_providers', { config, schema: { tags, body: CreateIdpBody } }, async (request, reply) => {
        const idp = await federation.idps.create(actorOf(request), request.body.account_id, inputOf(request.body));
        location(reply, idp.id);
        return sendTagged(reply, 201, idp.entityTag, idpWire(site, idp));
      });

      app.get('/v1/identity_providers', { config, schema: { tags, querystring: IdpListQuery } }, async (request) => ({
        identity_providers: (await federation.idps.list(actorOf(request), request.query.account_id)).map((i) => idpWire(site, i)),
      }));

      app.get('/v1/identity_providers/:id', { config, schema: { tags, params: IdpParams } }, async (request, reply) => {
        const idp = await federation.idps.get(actorOf(request), request.params.id);
        return sendTagged(reply, 200, idp.entityTag, idpWire(site, idp));
      });

      app.put('/v1/identity_providers/:id', { config, schema: { tags, params: IdpParams, body: UpdateIdpBody } }, async (request, reply) => {
        const idp = await federation.idps.update(actorOf(request), request.params.id, ifMatchOf(request), inputOf(request.body));
        return sendTagged(reply, 200, idp.entityTag, idpWire(site, idp));
      });

      app.delete('/v1/identity_providers/:id', { config, schema: { tags, params: IdpParams } }, async (request, reply) => {
        await federation.idps.delete(actorOf(request), request.params.id);
        return reply.code(204).send();
      });
    });

    await root.register(async (plain) => {
      const app = plain.withTypeProvider<TypeBoxTypeProvider>();
      const config = { errorStyle: 'handbook' as const };
      const tags = ['Federated sign-in'];
      describeOperations(plain, 'handbook', tags, signIn);
      const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

      app.get('/federation/:idp_id/login', { config, schema: { tags, params: SignInParams } }, async (request, reply) =>
        noStore(reply).redirect(await federation.loginUrl(request.params.idp_id), 302),
      );

      app.get('/federation/:idp_id/metadata', { config, schema: { tags, params: SignInParams } }, async (request, reply) =>
        reply.type('application/samlmetadata+xml').send(await federation.spMetadata(request.params.idp_id)),
      );

      app.post(
        '/federation/:idp_id/acs',
        { config, schema: { tags, params: SignInParams, body: AcsForm, consumes: ['application/x-www-form-urlencoded'] } },
        async (request, reply) => {
          const { ticket } = await federation.samlAnswer(request.params.idp_id, request.body.SAMLResponse, request.id);
          return noStore(reply).redirect(federation.landingUrlOf(ticket), 303);
        },
      );

      app.get('/federation/:idp_id/callback', { config, schema: { tags, params: SignInParams, querystring: CallbackQuery } }, async (request, reply) => {
        const query = Object.fromEntries(Object.entries(request.query).filter((e): e is [string, string] => typeof e[1] === 'string'));
        const { ticket } = await federation.oidcAnswer(request.params.idp_id, query, request.id);
        return noStore(reply).redirect(federation.landingUrlOf(ticket), 303);
      });

      app.get('/federation/providers', { config, schema: { tags, querystring: ProvidersQuery } }, async (request) => ({
        providers: (await federation.signInProviders(request.query.account_id)).map((i) => providerWire(site, i)),
      }));

      app.get('/federation/choices', { config, schema: { tags, querystring: TicketQuery } }, async (request, reply) =>
        noStore(reply).send(choicesWire(await federation.choices(request.query.ticket))),
      );

      app.post('/federation/choose', { config, schema: { tags, body: ChooseBody } }, async (request, reply) => {
        const started = await federation.choose(request.body.ticket, request.body.profile_id, request.id);
        return sendStartedSession(request, reply, started);
      });
    });
  };
}
