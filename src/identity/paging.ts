import { decodeCursor, encodeCursor, limitOf, type LimitRange } from '../kernel/cursor.js';
import { invalid } from '../kernel/errors.js';
import { identityErrors } from './errors.js';
import type { Page } from './types.js';

/**
 * Identity list pagination (`pagesize`, `pagetoken`, `first`/`previous`/`next` links), shared by API
 * keys and service IDs. Pages are keyset windows over (sort value, id), so a token keeps pointing at
 * the same place while entities are added or removed elsewhere in the list. A token is opaque to
 * clients (kernel/cursor.ts) and holds the list's parameters and the cursor, so `pagetoken` alone
 * continues a listing. Tokens are not secret; everything in them is re-validated and re-authorized.
 */

export type SortOrder = 'asc' | 'desc';

/** Where a page starts: strictly after, or strictly before, an item's (sort value, id). */
export interface Cursor {
  direction: 'after' | 'before';
  key: [string, string];
  /** The position of the page's first item, reported as `offset`. */
  offset: number;
}

/** The parameters of a listing; values are what the client sent (re-validated on every use). */
export type ListParams = Record<string, string | number | boolean>;

export interface Window {
  sortColumn: string;
  order: SortOrder;
  size: number;
  cursor?: Cursor;
}

/** What the store returns for a window: its items in list order, and whether more lie beyond it. */
export interface Slice<T> {
  items: T[];
  keys: [string, string][];
  more: boolean;
}

/** `pagesize`: 1–100, default 20. */
export const PAGE_SIZES: LimitRange = { min: 1, max: 100, default: 20 };

/**
 * Reads list parameters with their rules (a pagetoken may carry anything, so they are checked on
 * every use, not only by the route schema). Each getter throws 400 naming the parameter.
 */
export function paramReader(params: ListParams) {
  const text = (name: string): string | undefined => {
    const value = params[name];
    if (value !== undefined && typeof value !== 'string') throw invalid(`${name} must be a string.`);
    return value;
  };
  return {
    text,
    oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
      const value = text(name);
      if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
        throw invalid(`${name} "${value}" is not one of ${allowed.join(', ')}.`);
      }
      return value as T | undefined;
    },
    flag: (name: string): boolean => params[name] === true,
    pageSize: (): number => limitOf(params.pagesize, PAGE_SIZES, 'pagesize'),
  };
}

/** What a page token carries: the listing's parameters and, past the first page, the cursor. */
interface PageToken {
  p: ListParams;
  c?: Cursor;
}

export const encodePageToken = (params: ListParams, cursor?: Cursor): string =>
  encodeCursor(cursor ? { p: params, c: cursor } : { p: params });

/** The parameters and cursor a token carries; throws 400 when the text is not a token of ours. */
export function decodePageToken(token: string): { params: ListParams; cursor?: Cursor } {
  const { p, c } = decodeCursor(token, isPageToken, identityErrors.badPageToken);
  return c === undefined ? { params: p } : { params: p, cursor: c };
}

const isPageToken = (value: unknown): value is PageToken => {
  if (typeof value !== 'object' || value === null) return false;
  const { p, c } = value as { p?: unknown; c?: unknown };
  return isListParams(p) && (c === undefined || isCursor(c));
};

const isListParams = (value: unknown): value is ListParams =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => ['string', 'number', 'boolean'].includes(typeof v));

const isCursor = (value: unknown): value is Cursor => {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<Cursor>;
  return (
    (c.direction === 'after' || c.direction === 'before') &&
    Array.isArray(c.key) &&
    c.key.length === 2 &&
    c.key.every((k) => typeof k === 'string') &&
    Number.isInteger(c.offset) &&
    (c.offset ?? -1) >= 0
  );
};

/** Turns a store slice into a page with the tokens of the first, next and previous pages. */
export function toPage<T>(slice: Slice<T>, params: ListParams, window: Window): Page<T> {
  const backwards = window.cursor?.direction === 'before';
  // A backward window with nothing before it is the start of the list, whatever the token said.
  const offset = backwards && !slice.more ? 0 : (window.cursor?.offset ?? 0);
  const firstKey = slice.keys[0];
  const lastKey = slice.keys[slice.keys.length - 1];
  const hasNext = backwards ? lastKey !== undefined : slice.more;
  const hasPrevious = backwards ? slice.more : offset > 0 && firstKey !== undefined;
  const page: Page<T> = { items: slice.items, offset, limit: window.size, first: encodePageToken(params) };
  if (hasNext && lastKey) {
    page.next = encodePageToken(params, { direction: 'after', key: lastKey, offset: offset + slice.items.length });
  }
  if (hasPrevious && firstKey) {
    page.previous = encodePageToken(params, { direction: 'before', key: firstKey, offset: Math.max(0, offset - window.size) });
  }
  return page;
}

export type ParamReader = ReturnType<typeof paramReader>;

/** A list request: fresh parameters, or a pagetoken that carries them (and a cursor). */
export interface ListRequest {
  params: ListParams;
  pagetoken?: string;
}

export const listingOf = (request: ListRequest): { params: ListParams; cursor?: Cursor } =>
  request.pagetoken ? decodePageToken(request.pagetoken) : { params: request.params };

/** The window a listing asks for: `sort` among the sortable columns (default created_at), `order`, `pagesize`. */
export function windowOf(read: ParamReader, sortable: readonly string[], cursor?: Cursor): Window {
  return {
    sortColumn: read.oneOf('sort', sortable) ?? 'created_at',
    order: read.oneOf('order', ['asc', 'desc'] as const) ?? 'asc',
    size: read.pageSize(),
    ...(cursor ? { cursor } : {}),
  };
}
