import type { LimitRange } from '../kernel/cursor.js';

/**
 * Limit/offset pagination of the access-groups lists (groups, members): `limit` 0–100, default
 * 50; links `first`, `previous`, `next`, `last` as `{href}`. The SDK pagers read `offset` from
 * `next.href` and stop when `next` is absent, so `next` is present exactly while items remain.
 */

/** Page sizes of group and member listings (limit 0 asks for the count only). */
export const PAGE_LIMITS: LimitRange = { min: 0, max: 100, default: 50 };

export interface PageLinks {
  first: { href: string };
  previous?: { href: string };
  next?: { href: string };
  last: { href: string };
}

/**
 * The links of a page. `hrefAt(offset)` makes the absolute URL of the same listing starting at
 * `offset`. With limit 0 (a count-only request) there is no next or previous page.
 */
export function pageLinks(page: { limit: number; offset: number; totalCount: number }, hrefAt: (offset: number) => string): PageLinks {
  const { limit, offset, totalCount } = page;
  const lastOffset = limit > 0 ? Math.floor(Math.max(totalCount - 1, 0) / limit) * limit : 0;
  const links: PageLinks = { first: { href: hrefAt(0) }, last: { href: hrefAt(lastOffset) } };
  if (limit > 0 && offset > 0) links.previous = { href: hrefAt(Math.max(0, offset - limit)) };
  if (limit > 0 && offset + limit < totalCount) links.next = { href: hrefAt(offset + limit) };
  return links;
}
