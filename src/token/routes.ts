import { describeOperations, type Operations } from '../http/openapi.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { clientAddressOf } from '../http/client-address.js';
import { tokenErrors } from './errors.js';
import type { TokenService } from './service.js';
import type { SigningKeys } from './signing-keys.js';
import type { ProfileGrants } from './profile-grants.js';
import { ProfileResponse } from '../identity/profiles/schemas.js';
import { profileWire } from '../identity/profiles/wire.js';
import { APIKEY_GRANT, ASSUME_GRANT, CLOUD_IAM, CR_TOKEN_GRANT, PASSWORD_GRANT, REFRESH_TOKEN_GRANT, SUPPORTED_GRANTS, type ClientCredentials } from './types.js';
import { limits } from '../kernel/limits.js';

export interface TokenRoutesDeps {
  token: Pick<TokenService, 'grant'>;
  signingKeys: Pick<SigningKeys, 'jwks'>;
  issuer: () => string;
  /** Refuses a token scoped to an account from a client address it does not allow (allowed IP addresses). */
  admit: (accountId: string, clientAddress: string) => Promise<void>;
  /** `POST /identity/profiles`: the trusted profiles a token may assume. */
  profiles: Pick<ProfileGrants, 'assumable'>;
}

const TokenForm = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ maxLength: limits.opaque, description: SUPPORTED_GRANTS.join(', ') })),
    apikey: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'The API key (apikey grant).' })),
    refresh_token: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'A refresh token from an earlier grant (refresh_token grant).' })),
    username: Type.Optional(Type.String({ maxLength: limits.text, description: 'The user\'s login (password grant).' })),
    password: Type.Optional(Type.String({ maxLength: 1024, description: 'The user\'s password (password grant).' })),
    passcode: Type.Optional(Type.String({ maxLength: limits.text, description: 'A one-time code (TOTP or recovery code) when the account requires MFA (password grant).' })),
    response_type: Type.Optional(Type.String({ maxLength: limits.opaque, description: `Only ${CLOUD_IAM} (the default).` })),
    scope: Type.Optional(Type.String({ maxLength: limits.opaque })),
    account: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'Account to scope the token to (default: the API key\'s account).' })),
    cr_token: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'A compute resource\'s token from a trusted issuer (cr-token grant).' })),
    access_token: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'The caller\'s access token (assume grant).' })),
    profile_id: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'The trusted profile to assume, by id (cr-token and assume grants).' })),
    profile_name: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'The trusted profile to assume, by name.' })),
    profile_crn: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'The trusted profile to assume, by CRN.' })),
  },
  { additionalProperties: true },
);

const ProfilesForm = Type.Object(
  {
    cr_token: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'A compute resource\'s token from a trusted issuer.' })),
    access_token: Type.Optional(Type.String({ maxLength: limits.opaque, description: 'An access token of a user or service ID.' })),
  },
  { additionalProperties: true },
);

const AssumableProfilesSchema = Type.Object({ count: Type.Integer(), profiles: Type.Array(ProfileResponse) });

const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  expiration: Type.Integer(),
  scope: Type.String(),
});

const JwksSchema = Type.Object({
  keys: Type.Array(Type.Object({ kty: Type.String(), n: Type.String(), e: Type.String(), alg: Type.String(), kid: Type.String() })),
});

const DiscoverySchema = Type.Object(
  {
    issuer: Type.String(),
    token_endpoint: Type.String(),
    jwks_uri: Type.String(),
    grant_types_supported: Type.Array(Type.String()),
    response_types_supported: Type.Array(Type.String()),
    subject_types_supported: Type.Array(Type.String()),
    scopes_supported: Type.Array(Type.String()),
    id_token_signing_alg_values_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Array(Type.String()),
    claims_supported: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

/** The token API has no SDK service (IamAuthenticator calls it): operation names are our own. */
const operations: Operations = {
  'POST /identity/token': {
    operationId: 'createIamToken',
    summary: 'Create an IAM access token (API key, refresh token, password, compute-resource token or assume grant)',
    responses: { 200: TokenResponseSchema },
    security: 'none',
  },
  'POST /identity/profiles': {
    operationId: 'listAssumableProfiles',
    summary: 'The trusted profiles a compute resource token or an access token may assume',
    responses: { 200: AssumableProfilesSchema },
    security: 'none',
  },
  'GET /identity/keys': { operationId: 'getIamJwks', summary: 'Public keys that verify access tokens (JWKS)', responses: { 200: JwksSchema }, security: 'none' },
  'GET /identity/.well-known/openid-configuration': {
    operationId: 'getOpenIdConfiguration',
    summary: 'OpenID Connect discovery document',
    responses: { 200: DiscoverySchema },
    security: 'none',
  },
};

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
          querystring: Type.Object({ account: Type.Optional(Type.String()) }),
          body: Type.Optional(TokenForm),
        },
        preValidation: formOnly,
      },
      async (request, reply) => {
        const form: Record<string, unknown> = { ...(request.body ?? {}) };
        if (form.account === undefined && request.query.account) form.account = request.query.account;
        const address = clientAddressOf(request);
        const response = await token.grant(form, clientOf(request), (grant) => admit(grant.accountId, address), request.id);
        request.log.debug({ grantType: form.grant_type }, 'token granted');
        return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
      },
    );

    app.post(
      '/identity/profiles',
      {
        config,
        schema: { consumes: ['application/x-www-form-urlencoded'], body: Type.Optional(ProfilesForm) },
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
