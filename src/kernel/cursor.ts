import { invalid } from './errors.js';

/**
 * Page cursors and limits, written once. IBM's pagination shapes differ per API (`start` in
 * `next.href`, `pagetoken`, `next_docid`, `_start`, offset/limit links); the mechanics do not:
 * a cursor is opaque to clients (base64url JSON of whatever the listing needs to resume), a
 * cursor we did not issue is refused, and a limit is an integer in the API's range with the
 * API's default. Cursors are not secret: what they carry is re-validated and re-authorized.
 */

/**
 * The query parameters that carry a cursor in one API or another. An empty value of any of them
 * means "absent" (the SDK's pagers send `start: null` as `?_start=`): the HTTP layer drops them
 * before validation, so every listing starts at its first page.
 */
export const CURSOR_PARAMETERS: readonly string[] = ['start', '_start', 'next_docid', 'pagetoken'];

/** Removes cursor parameters with an empty value from a parsed query (in place). */
export function dropEmptyCursors(query: Record<string, unknown>): void {
  for (const name of CURSOR_PARAMETERS) {
    const value = query[name];
    if (value === '' || (Array.isArray(value) && value.every((v) => v === ''))) delete query[name];
  }
}

/** The opaque text of a cursor value. */
export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * The value a cursor text carries, when it is one `isCursor` accepts; otherwise throws
 * `refused()` (each API's own 400), so a tampered or foreign cursor never reaches a query.
 */
export function decodeCursor<T>(text: string, isCursor: (value: unknown) => value is T, refused: () => Error): T {
  let value: unknown;
  try {
    // base64url decoding skips characters outside its alphabet; a text that does not survive
    // a round trip is not one we issued.
    const bytes = Buffer.from(text, 'base64url');
    if (bytes.toString('base64url') !== text.replace(/=+$/, '')) throw refused();
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw refused();
  }
  if (!isCursor(value)) throw refused();
  return value;
}

/** An API's page sizes: the smallest and largest a request may ask for, and what it gets when it asks for none. */
export interface LimitRange {
  min: number;
  max: number;
  default: number;
}

/**
 * The page size of a request: `value` when it is an integer in range, the default when absent.
 * Route schemas declare the same range (so a bad query is refused before a service runs); this
 * check covers what arrives any other way, such as the parameters a page token carries.
 * Throws `refused(message)` otherwise (DomainError('invalid') unless the API has its own 400).
 */
export function limitOf(
  value: unknown,
  range: LimitRange,
  name = 'limit',
  refused: (message: string) => Error = invalid,
): number {
  if (value === undefined) return range.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw refused(`${name} must be an integer from ${range.min} to ${range.max}.`);
  }
  return value;
}

/** Guards for cursor values. */
export const isString = (value: unknown): value is string => typeof value === 'string';
export const isStringPair = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string');
