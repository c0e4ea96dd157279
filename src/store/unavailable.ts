import { DomainError } from '../kernel/errors.js';

/**
 * The one place that knows which database failures mean "the database cannot be used right now"
 * (an outage, a restart, a failover, a lock held too long) rather than "this statement is wrong".
 * Those become the typed `unavailable` DomainError (503), which the caller may retry; every other
 * error is left alone (a constraint violation is mapped by its store, a bug stays a 500).
 */

/** Node socket errors: the server is down, unreachable or went away mid-conversation. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs of unavailability: class 08 (connection exception), 57P01–57P03
 * (administrator/crash shutdown, cannot connect now), 53300 (too many connections).
 */
const PG_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres reports a lost or never-made connection with these messages and no code. */
const PG_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /is not currently accepting connections/,
];

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || PG_STATES.has(code) || code.startsWith('08')) return true;
    // better-sqlite3: the write lock stayed taken past busy_timeout (another process holds it).
    if (code.startsWith('SQLITE_BUSY')) return true;
  }
  if (PG_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // Pools and drivers wrap the socket error they met (AggregateError for several addresses).
  if (error instanceof AggregateError && error.errors.some(isUnavailable)) return true;
  return error.cause !== undefined && error.cause !== error && isUnavailable(error.cause);
}

/** The `unavailable` DomainError for a database failure of that kind; undefined for any other error. */
export function asUnavailable(error: unknown): DomainError | undefined {
  if (!isUnavailable(error)) return undefined;
  return new DomainError('unavailable', 'service_unavailable', 'The service is temporarily unavailable. Try again later.');
}
