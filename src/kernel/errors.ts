/**
 * Domain errors: what went wrong, in terms a service understands. The HTTP layer maps `kind` to a
 * status and `code` into each API's error body (src/http/errors.ts is the only place that does so).
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'precondition_required'
  | 'payload_too_large'
  | 'unprocessable'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'rate_limited'
  /** A dependency (the database) cannot be reached right now; the same request may succeed later. */
  | 'unavailable'
  | 'internal';

export interface ErrorDetails {
  /** IBM's message code (e.g. `BXNIM0415E`), where the API reports one. */
  messageCode?: string;
  /** Longer, optional explanation (token API `errorDetails`). */
  more?: string;
  /** Extra structured data an API places in its body (e.g. `conflicts_with`). */
  data?: Record<string, unknown>;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable, API-visible code, snake_case (e.g. `not_found`, `policy_conflict_error`). */
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string, details?: ErrorDetails) =>
  new DomainError('not_found', 'not_found', `${what} ${id} not found.`, details);

export const invalid = (message: string, details?: ErrorDetails) =>
  new DomainError('invalid', 'invalid_request', message, details);

export const forbidden = (message = 'You are not authorized to perform this action.', details?: ErrorDetails) =>
  new DomainError('forbidden', 'insufficent_permissions', message, details);
