import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../kernel/limits.js';
import { ISSUER_LIMITS, ISSUER_TYPES } from './types.js';
import { created, noContent, ok, type Operations } from '../http/openapi.js';

/** Request and response schemas of the trusted-issuer API (a Portcullis extension of IAM Identity). */

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const S = Type.String();
const Id = Type.String({ minLength: 1, maxLength: limits.id });

export const IssuerParams = Type.Object({ id: Id });
export const IssuerListQuery = Type.Object({ account_id: Id });

/** A public JSON Web Key (members beyond these pass through to the key import, which checks them). */
const Jwk = Type.Object({ kty: Type.String({ maxLength: 16 }), kid: opt(Type.String({ maxLength: limits.id })) }, { additionalProperties: true });
const Jwks = Type.Object({ keys: Type.Array(Jwk, { minItems: 1, maxItems: ISSUER_LIMITS.keys }) }, { additionalProperties: false });

const issuerFields = {
  name: Type.String({ minLength: 1, maxLength: ISSUER_LIMITS.name }),
  description: opt(Type.String({ maxLength: limits.text })),
  type: Type.Union(ISSUER_TYPES.map((t) => Type.Literal(t))),
  issuer: Type.String({ minLength: 1, maxLength: limits.id, description: 'The `iss` of the tokens (an http or https URL).' }),
  audiences: Type.Array(Type.String({ minLength: 1, maxLength: limits.id }), { minItems: 1, maxItems: ISSUER_LIMITS.audiences }),
  jwks_url: opt(Type.String({ minLength: 1, maxLength: limits.id, description: 'Where the public keys are fetched (https).' })),
  jwks: opt(Jwks),
  algorithms: opt(Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { minItems: 1, maxItems: ISSUER_LIMITS.algorithms })),
  max_clock_skew_seconds: opt(Type.Integer({ minimum: 0, maximum: ISSUER_LIMITS.maxClockSkewSeconds })),
  resource_crn: opt(Type.String({ minLength: 1, maxLength: limits.id, description: 'The CRN of the compute resource (e.g. cluster) the tokens come from.' })),
};

export const CreateIssuerBody = Type.Object({ account_id: Id, ...issuerFields }, { additionalProperties: false });
export const UpdateIssuerBody = Type.Object(issuerFields, { additionalProperties: false });

export const TrustedIssuerResponse = Type.Object(
  {
    id: S,
    entity_tag: S,
    crn: S,
    account_id: S,
    name: S,
    description: opt(S),
    type: S,
    issuer: S,
    audiences: Type.Array(S),
    jwks_url: opt(S),
    jwks: opt(Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) })),
    algorithms: Type.Array(S),
    max_clock_skew_seconds: Type.Integer(),
    resource_crn: opt(S),
    created_at: S,
    modified_at: S,
    created_by: S,
  },
  { title: 'TrustedIssuer' },
);

export const TrustedIssuerList = Type.Object({ trusted_issuers: Type.Array(TrustedIssuerResponse) }, { title: 'TrustedIssuerList' });

/** The trusted-issuer API has no SDK service: operation names are our own. */
export const operations: Operations = {
  'POST /v1/trusted_issuers': { operationId: 'createTrustedIssuer', summary: 'Trust an issuer of workload (compute resource) tokens', responses: created(TrustedIssuerResponse) },
  'GET /v1/trusted_issuers': { operationId: 'listTrustedIssuers', summary: 'List the trusted issuers of an account', responses: ok(TrustedIssuerList) },
  'GET /v1/trusted_issuers/:id': { operationId: 'getTrustedIssuer', summary: 'Get a trusted issuer', responses: ok(TrustedIssuerResponse) },
  'PUT /v1/trusted_issuers/:id': { operationId: 'updateTrustedIssuer', summary: 'Replace a trusted issuer (If-Match)', responses: ok(TrustedIssuerResponse) },
  'DELETE /v1/trusted_issuers/:id': { operationId: 'deleteTrustedIssuer', summary: 'Stop trusting an issuer', responses: noContent },
};
