import type { LimitRange } from '../kernel/cursor.js';

/** Page sizes of enterprise listings. */
export const ENTERPRISE_LIMITS: LimitRange = { min: 1, max: 100, default: 100 };

/**
 * Enterprise Management pagination (conventions.md §3): `limit` + `next_docid`; responses carry
 * `rows_count`, `next_url` (path and query of the next page, null on the last) and `resources`.
 * The SDK's pager reads `next_docid` back out of `next_url`.
 */
export function docPage<T, W>(
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  page: { items: T[]; next?: string },
  wire: (item: T) => W,
) {
  let next: string | null = null;
  if (page.next !== undefined) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined && name !== 'next_docid') params.set(name, String(value));
    params.set('next_docid', page.next);
    next = `${path}?${params.toString()}`;
  }
  return { rows_count: page.items.length, next_url: next, resources: page.items.map(wire) };
}
