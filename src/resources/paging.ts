import { invalid } from '../kernel/errors.js';

/**
 * Resource Controller pagination (conventions.md §3): `limit` + an opaque `start` token; the
 * response carries `rows_count`, the page's `resources` and `next_url` — the path and query of the
 * next page, or null on the last one. The SDK's pager reads `start` back out of `next_url`.
 */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 100;

/** The opaque `start` token for a page beginning after `key`. */
export const startToken = (key: string) => Buffer.from(JSON.stringify({ after: key })).toString('base64url');

/** The key a `start` token resumes after; throws DomainError('invalid') on a token we did not issue. */
export function keyOfStart(start: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(start, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through: not one of ours
  }
  throw invalid(`The start token ${start} is not valid.`);
}

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
