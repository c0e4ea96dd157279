import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorKind } from '../kernel/errors.js';
import { randomBytes } from 'node:crypto';
import { asUnavailable } from '../store/unavailable.js';

/**
 * The only place where domain errors become HTTP: status by kind, body by the API's style
 * (shared/reference/conventions.md §2). A route declares its style through `config.errorStyle`;
 * unknown routes take the style of the API their path belongs to.
 */
export type ErrorStyle = 'token' | 'identity' | 'policy' | 'handbook' | 'resource-controller';

declare module 'fastify' {
  interface FastifyContextConfig {
    errorStyle?: ErrorStyle;
  }
}

export const statusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  precondition_required: 428,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/** The HTTP status of a domain error. */
export const statusOfError = (error: DomainError): number => statusOf[error.kind];

/** Codes of errors raised by the HTTP framework itself (parsing, validation, limits). */
function fromFrameworkError(error: FastifyError): DomainError | undefined {
  if (error.validation) {
    return new DomainError('invalid', 'invalid_body', describeValidation(error));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError('unsupported_media_type', 'unsupported_content_type', 'Unsupported Content-Type.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('payload_too_large', 'request_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('invalid', 'invalid_body', 'The request body must not be empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new DomainError('invalid', 'invalid_body', 'The request body is not valid JSON.');
    case 'FST_ERR_BAD_URL':
      return new DomainError('invalid', 'invalid_url', 'The URL is not valid: malformed percent-encoding or invalid UTF-8.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new DomainError('invalid', 'invalid_url', 'A path parameter is too long.');
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new DomainError('invalid', 'invalid_body', 'The request body is not valid JSON.');
  }
  return undefined;
}

function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return 'The request is invalid.';
  const where = error.validationContext ?? 'body';
  const path = first.instancePath ? first.instancePath.slice(1).replace(/\//g, '.') : '';
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperty?: string }).additionalProperty;
    return `Unknown ${where} field ${path ? `${path}.` : ''}${extra}.`;
  }
  if (first.keyword === 'required') {
    const missing = (first.params as { missingProperty?: string }).missingProperty;
    return `Missing required ${where} field ${path ? `${path}.` : ''}${missing}.`;
  }
  // A union of literals fails once per literal, then as a whole: name the values it accepts.
  const allowed = (error.validation ?? [])
    .filter((e) => e.keyword === 'const' && e.instancePath === first.instancePath)
    .map((e) => JSON.stringify((e.params as { allowedValue?: unknown }).allowedValue));
  if (allowed.length > 1) return `Invalid ${where}${path ? ` field ${path}` : ''}: must be one of ${allowed.join(', ')}.`;
  return `Invalid ${where}${path ? ` field ${path}` : ''}: ${first.message ?? 'invalid value'}.`;
}

const trace = () => randomBytes(16).toString('hex');

/**
 * Codes the policy API spells its own way: its ErrorObject.Code enum has no `precondition_failed`,
 * so a stale If-Match (kernel/etag.ts staleTag) is `request_not_processed` there.
 */
const POLICY_CODES: Readonly<Record<string, string>> = { precondition_failed: 'request_not_processed' };

/** Renders an error body in the style of the API; `requestId` is the Transaction-Id of the call. */
export function errorBody(style: ErrorStyle, error: DomainError, status: number, requestId: string, url: string): unknown {
  switch (style) {
    case 'token':
      return {
        errorCode: error.details.messageCode ?? error.code,
        errorMessage: error.message,
        ...(error.details.more ? { errorDetails: error.details.more } : {}),
        ...(error.details.data?.requirements ? { requirements: error.details.data.requirements } : {}),
        context: { requestId, requestType: 'incoming.Identity_Token', url, startTime: new Date().toISOString() },
      };
    case 'identity':
      return {
        context: { transaction_id: requestId },
        status_code: String(status),
        errors: [
          {
            code: error.code,
            message_code: error.details.messageCode ?? error.code,
            message: error.message,
            ...(error.details.more ? { details: error.details.more } : {}),
          },
        ],
        trace: requestId,
      };
    case 'policy':
      return {
        trace: trace(),
        errors: [
          { code: POLICY_CODES[error.code] ?? error.code, message: error.message, ...(error.details.data ? { details: error.details.data } : {}) },
        ],
        status_code: status,
      };
    case 'resource-controller':
      return { error_code: error.code, message: error.message, status_code: status, transaction_id: requestId };
    case 'handbook':
      return {
        trace: requestId,
        errors: [{ code: error.code, message: error.message, ...(error.details.data ? { details: error.details.data } : {}) }],
        status_code: status,
      };
  }
}

/** The API a path belongs to, for requests that reach no route. */
export function styleOfPath(path: string): ErrorStyle {
  if (path.startsWith('/identity/')) return 'token';
  if (/^\/v1\/(apikeys|serviceids|serviceid_groups|profiles|trusted_issuers|identity_providers|preferences|activity|mfa|profile_templates|profile_assignments|account_settings_templates|account_settings_assignments|accounts\/[^/]+\/(settings\/identity|effective_settings|limits\/identity))/.test(path)) {
    return 'identity';
  }
  if (/^\/v[12]\/(policies|roles)|^\/v2\/authz|^\/v1\/(policy|action_control|role)_(templates|assignments)/.test(path)) return 'policy';
  if (/^\/v2\/(resource_instances|resource_groups|quota_definitions)|^\/v1\/reclamations/.test(path)) return 'resource-controller';
  return 'handbook';
}

function styleOf(request: FastifyRequest): ErrorStyle {
  return request.routeOptions?.config?.errorStyle ?? styleOfPath(request.url.split('?')[0] ?? '/');
}

function send(request: FastifyRequest, reply: FastifyReply, error: DomainError) {
  const status = statusOf[error.kind];
  const url = `${request.protocol}://${request.host}`;
  return reply.status(status).type('application/json').send(errorBody(styleOf(request), error, status, request.id, url));
}

/** Answers any error in the API's shape (also used for the router's own errors: bad URLs, over-long path values). */
export function replyWithError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const domain = error instanceof DomainError ? error : (fromFrameworkError(error) ?? asUnavailable(error));
  if (domain) {
    // An outage is worth one line per failed request: the cause stays out of the response.
    if (domain.kind === 'unavailable' && !(error instanceof DomainError)) request.log.warn({ err: error }, 'database unavailable');
    return send(request, reply, domain);
  }
  // An unexpected error is opaque to the caller; its cause goes to the log only.
  request.log.error({ err: error }, 'unexpected error');
  return send(request, reply, new DomainError('internal', 'internal_error', 'Internal error.'));
}

export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler(replyWithError);
  app.setNotFoundHandler((request, reply) =>
    send(request, reply, new DomainError('not_found', 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
