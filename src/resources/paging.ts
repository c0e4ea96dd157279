import { decodeCursor, encodeCursor, type LimitRange } from '../kernel/cursor.js';
import { invalid } from '../kernel/errors.js';

/**
 * Resource Controller pagination (conventions.md §3): `limit` + an opaque `start` token; the
 * response carries `rows_count`, the page's `resources` and `next_url` — the path and query of the
 * next page, or null on the last one. The SDK's pager reads `start` back out of `next_url`.
 */
export const RESOURCE_LIMITS: LimitRange = { min: 1, max: 100, default: 100 };

const isStart = (value: unknown): value is { after: string } =>
  typeof value === 'object' && value !== null && typeof (value as { after?: unknown }).after === 'string';

/** The opaque `start` token for a page beginning after `key`. */
const startToken = (key: string) => encodeCursor({ after: key });

/** The key a `start` token resumes after; throws DomainError('invalid') on a token we did not issue. */
export const keyOfStart = (start: string): string =>
  decodeCursor(start, isStart, () => invalid(`The start token ${start} is not valid.`)).after;

/** `next_url` for the page after `lastKey`, keeping the caller's filters. */
export function nextUrl(path: string, query: Record<string, string | number | undefined>, limit: number, lastKey: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && name !== 'start' && name !== 'limit') params.set(name, String(value));
  }
  params.set('limit', String(limit));
  params.set('start', startToken(lastKey));
  return `${path}?${params.toString()}`;
}
