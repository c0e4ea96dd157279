import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { ErrorStyle } from './errors.js';

/**
 * What the OpenAPI document says of each operation, and the response schemas Fastify serializes
 * through (fast-json-stringify): a field a schema does not declare never reaches the wire, so
 * every response schema must be complete (the SDK's models are the contract).
 */

/** How an operation authenticates: a bearer token, a bearer token and the IAM-ApiKey header, or nothing. */
export type Security = 'bearer' | 'apikey' | 'none';

export interface Operation {
  /** The SDK's method name for the operation (camelCase; a clear one where the SDK has none). */
  operationId: string;
  summary: string;
  /** Schema of each success status; `null` for a status without a body (204, HEAD). */
  responses: Record<number, TSchema | null>;
  /** Default: bearer. */
  security?: Security;
}

/** Operations of a domain keyed by `METHOD /path` exactly as the route registers it (`:param` syntax). */
export type Operations = Record<string, Operation>;

export const securitySchemes = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  apikey: { type: 'apiKey', in: 'header', name: 'IAM-ApiKey' },
} as const;

const securityOf = (security: Security = 'bearer') =>
  security === 'none' ? [] : security === 'apikey' ? [{ bearer: [], apikey: [] }] : [{ bearer: [] }];

// ── Responses of an operation, by status ──────────────────────────────────────────────────────────

export const ok = (schema: TSchema) => ({ 200: schema });
export const created = (schema: TSchema) => ({ 201: schema });
export const noContent = { 204: null };

// ── Schema helpers shared by the domains' response schemas ──────────────────────────────────────

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A JSON value of any shape (free-form attributes, condition values). */
export const AnyValue = Type.Unknown();
/** An object whose members are free-form (the SDK types it as `JsonObject`). */
export const FreeForm = Type.Object({}, { additionalProperties: true });

// ── The error body of each API style (http/errors.ts renders them) ───────────────────────────────

const handbookItem = Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(AnyValue) });

export const errorSchemas: Record<ErrorStyle, TSchema> = {
  token: Type.Object(
    {
      errorCode: Type.String(),
      errorMessage: Type.String(),
      errorDetails: Type.Optional(Type.String()),
      /** What an MFA refusal asks for (IBM: "An MFA failure may also carry a requirements object"). */
      requirements: Type.Optional(FreeForm),
      context: Type.Object({ requestId: Type.String(), requestType: Type.String(), url: Type.String(), startTime: Type.String() }),
    },
    { title: 'IAM token error' },
  ),
  identity: Type.Object(
    {
      context: Type.Object({ transaction_id: Type.String() }),
      status_code: Type.String(),
      errors: Type.Array(
        Type.Object({ code: Type.String(), message_code: Type.String(), message: Type.String(), details: Type.Optional(Type.String()) }),
      ),
      trace: Type.String(),
    },
    { title: 'IAM Identity ExceptionResponse' },
  ),
  policy: Type.Object(
    { trace: Type.String(), errors: Type.Array(handbookItem), status_code: Type.Integer() },
    { title: 'IAM Policy Management error' },
  ),
  handbook: Type.Object(
    { trace: Type.String(), errors: Type.Array(handbookItem), status_code: Type.Integer() },
    { title: 'API handbook error container' },
  ),
  'resource-controller': Type.Object(
    { error_code: Type.String(), message: Type.String(), status_code: Type.Integer(), transaction_id: Type.String() },
    { title: 'Resource Controller error' },
  ),
};

/**
 * Describes the routes a plugin registers after this call: operationId, summary, security, tags
 * and response schemas (success statuses as given, 4xx/5xx in the API's error shape). A route with
 * no entry is left undescribed, which test/http/openapi.test.ts reports.
 */
export function describeOperations(app: FastifyInstance, style: ErrorStyle, tags: string[], operations: Operations) {
  const error = errorSchemas[style];
  app.addHook('onRoute', (route: RouteOptions) => {
    const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
    const operation = operations[`${method} ${route.url}`];
    if (!operation) return;
    const response: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(operation.responses)) {
      response[status] = schema ?? { type: 'null', description: 'No content' };
    }
    response['4xx'] = error;
    response['5xx'] = error;
    route.schema = {
      ...route.schema,
      operationId: operation.operationId,
      summary: operation.summary,
      tags,
      security: securityOf(operation.security),
      response,
    };
  });
}
