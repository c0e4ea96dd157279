import { Type } from '@sinclair/typebox';
import { type Operations } from '../http/openapi.js';
import { ProfileResponse } from '../identity/profiles/schemas.js';
import { limits } from '../kernel/limits.js';
import { CLOUD_IAM, SUPPORTED_GRANTS } from './types.js';

/** Request and response schemas of the token service (`/identity/token`, `/identity/profiles`, keys, discovery). */

export const TokenQuery = Type.Object({ account: Type.Optional(Type.String()) });

const TokenFormFields = Type.Object(
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

const ProfilesFormFields = Type.Object(
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
export const operations: Operations = {
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

/** Form bodies are optional: a grant without one is refused by the service with IBM's error, not by the schema. */
export const TokenForm = Type.Optional(TokenFormFields);
export const ProfilesForm = Type.Optional(ProfilesFormFields);
