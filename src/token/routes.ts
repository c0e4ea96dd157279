import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { clientAddressOf } from '../http/client-address.js';
import { describeOperations } from '../http/openapi.js';
import { profileWire } from '../identity/profiles/wire.js';
import { tokenErrors } from './errors.js';
import type { ProfileGrants } from './profile-grants.js';
import { operations, ProfilesForm, TokenForm, TokenQuery } from './schemas.js';
import type { TokenService } from './service.js';
import type { SigningKeys } from './signing-keys.js';
import { CLOUD_IAM, SUPPORTED_GRANTS, type ClientCredentials } from './types.js';

export interface TokenRoutesDeps {
  token: Pick<TokenService, 'grant'>;
  signingKeys: Pick<SigningKeys, 'jwks'>;
  issuer: () => string;
  /** Refuses a token scoped to an account from a client address it does not allow (allowed IP addresses). */
  admit: (accountId: string, clientAddress: string) => Promise<void>;
  /** `POST /identity/profiles`: the trusted profiles a token may assume. */
  profiles: Pick<ProfileGrants, 'assumable'>;
}

const isForm = (request: FastifyRequest) => /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');

/**
 * Before schema validation, so a JSON or text body is refused in the token shape; a request without
 * a body is an empty form (its grant then names the missing property).
 */
async function formOnly(request: FastifyRequest): Promise<void> {
  if (isForm(request)) return;
  const body: unknown = request.body;
  if (body !== undefined && body !== '') throw tokenErrors.notForm();
  request.body = {};
}

/** Optional `Authorization: Basic base64(client_id:client_secret)` of a token request. */
function clientOf(request: FastifyRequest): ClientCredentials | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw tokenErrors.invalidProperty('Authorization', 'Basic credentials must be base64(client_id:client_secret).');
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/**
 * `POST /identity/token` (grants), `GET /identity/keys` (JWKS) and OIDC discovery. Errors take the
 * token API's shape (`errorCode` = BXNIM code); every response carries `ibm-cloud-service-name`.
 */
export function tokenRoutes(deps: TokenRoutesDeps): FastifyPluginAsync {
  const { token, signingKeys, issuer, admit, profiles } = deps;
  const config = { errorStyle: 'token' as const };

  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    describeOperations(plugin, 'token', ['IAM token'], operations);
    // Any other body type reaches the route as text, so the grant answers with a token-API 400.
    app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    app.addHook('onSend', async (_request, reply) => {
      reply.header('ibm-cloud-service-name', 'iam-identity');
    });

    app.post(
      '/identity/token',
      {
        config,
        schema: {
          consumes: ['application/x-www-form-urlencoded'],
          querystring: TokenQuery,
          body: TokenForm,
        },
        preValidation: formOnly,
      },
      async (request, reply) => {
        const form: Record<string, unknown> = { ...(request.body ?? {}) };
        if (form.account === undefined && request.query.account) form.account = request.query.account;
        const address = clientAddressOf(request);
        const response = await token.grant(form, clientOf(request), (grant) => admit(grant.accountId, address), request.id, address);
        request.log.debug({ grantType: form.grant_type }, 'token granted');
        return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
      },
    );

    app.post(
      '/identity/profiles',
      {
        config,
        schema: { consumes: ['application/x-www-form-urlencoded'], body: ProfilesForm },
        preValidation: formOnly,
      },
      async (request, reply) => {
        const found = await profiles.assumable({ ...(request.body ?? {}) });
        return reply.header('cache-control', 'no-store').send({ count: found.count, profiles: found.profiles.map((entity) => profileWire({ entity })) });
      },
    );

    app.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'],
      url: '/identity/token',
      config,
      schema: { hide: true },
      handler: async (_request, reply) => {
        reply.header('allow', 'POST');
        throw tokenErrors.methodNotAllowed();
      },
    });

    app.get(
      '/identity/keys',
      { config, schema: {} },
      async () => signingKeys.jwks(),
    );

    app.get(
      '/identity/.well-known/openid-configuration',
      { config, schema: {} },
      async () => {
        const iss = issuer();
        return {
          issuer: iss,
          token_endpoint: `${iss}/token`,
          jwks_uri: `${iss}/keys`,
          grant_types_supported: [...SUPPORTED_GRANTS],
          response_types_supported: [CLOUD_IAM],
          subject_types_supported: ['public'],
          scopes_supported: ['openid', 'ibm'],
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
          claims_supported: ['iss', 'sub', 'exp', 'iat', 'iam_id', 'id', 'realmid', 'identifier', 'name', 'given_name', 'family_name', 'email', 'account', 'sub_type', 'authn'],
        };
      },
    );
  };
}
