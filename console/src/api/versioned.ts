import { data } from './client.ts';
import { ApiError } from './errors.ts';

/**
 * Edits of versioned entities: the editor reads the entity with its ETag when it opens and sends
 * that ETag as If-Match, so a change someone made meanwhile is refused (412) rather than overwritten.
 */

/** The entity a GET returned, with the ETag header it came with. */
export async function tagged<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<{ value: T; etag: string }> {
  const result = await call;
  const value = await data(Promise.resolve(result));
  return { value, etag: result.response.headers.get('etag') ?? '' };
}

/** A 412 in words (what happened, what to do); any other failure as it is. `what`: "rule", "policy"… */
export function staleAs(failure: unknown, what: string): unknown {
  if (!(failure instanceof ApiError) || failure.status !== 412) return failure;
  return new ApiError(
    `Someone changed this ${what} after you opened it (its ETag no longer matches), so your edit was not saved. Cancel and open the ${what} again to edit its current version.`,
    412,
    failure.transactionId,
    failure.code,
  );
}
