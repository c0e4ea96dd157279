import createClient, { type Middleware } from 'openapi-fetch';
import { accessToken, authState, signedOutBecause } from './auth.ts';
import { apiErrorOf } from './errors.ts';
import type { paths } from './schema';

/**
 * The console's one HTTP client: typed by the server's OpenAPI document (schema.d.ts, generated at
 * build time), with the signed-in identity's bearer token on every call.
 */
const bearer: Middleware = {
  async onRequest({ request }) {
    request.headers.set('authorization', `Bearer ${await accessToken()}`);
    return request;
  },
  async onResponse({ response }) {
    // A token the server no longer accepts (revoked key, ended session): back to the sign-in page.
    if (response.status === 401 && authState().status === 'signed-in') signedOutBecause('Your sign-in ended. Sign in again to continue.');
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(bearer);

/** The account the signed-in identity works in. */
export function accountId(): string {
  const current = authState();
  if (current.status !== 'signed-in') throw new Error('Not signed in.');
  return current.identity.accountId;
}

/**
 * The data of an openapi-fetch result, or the API's refusal as an ApiError (message and
 * transaction id). Use it around every call: `const page = await data(api.GET(...))`.
 */
export async function data<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const result = await call;
  if (!result.response.ok) throw apiErrorOf(result.response, result.error);
  return result.data as T;
}

/** The value of a paging parameter (`pagetoken`, `start`, …) in a `next` link, if there is one. */
export function cursorOf(next: string | { href?: string } | undefined, parameter = 'pagetoken'): string | undefined {
  const href = typeof next === 'string' ? next : next?.href;
  if (!href) return undefined;
  return new URL(href, location.origin).searchParams.get(parameter) ?? undefined;
}

/** Offset paging (`offset`, `limit`, `total_count`) as a cursor: the next page's offset, as text; absent on the last page. */
export const nextOffset = (page: { offset: number; limit: number; total_count: number }) =>
  page.offset + page.limit < page.total_count ? String(page.offset + page.limit) : undefined;
