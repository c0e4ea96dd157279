import { invalid } from '../kernel/errors.js';
import { parseIdentityTimestamp } from '../kernel/time.js';

/** Input rules shared by the identity services. Each throws a 400 naming the offending field. */

/** A name that is present and not blank; returned trimmed. */
export function requireName(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw invalid(`${field} must not be empty.`);
  return trimmed;
}

/** An empty description clears it (stored as null). */
export const descriptionOf = (value: string | undefined) => (value === undefined || value === '' ? null : value);

/**
 * `expires_at` in `yyyy-MM-ddTHH:mm+0000`: returned as ISO-8601, or null for an empty value (no
 * expiry). A new key's time must be in the future (a key born expired is a mistake). An update
 * may set a time already past: the key stops working at once ("expire it now"; IBM's own SDK tests
 * update a key to a fixed date that has since passed and expect 200); it only ever takes access away.
 */
export function parseExpiry(value: string, now: Date, past: 'refused' | 'expires-now' = 'refused'): string | null {
  if (value === '') return null;
  const at = parseIdentityTimestamp(value);
  if (!at) throw invalid(`expires_at "${value}" is not a timestamp of the form yyyy-MM-ddTHH:mm+0000.`);
  if (past === 'refused' && at.getTime() <= now.getTime()) throw invalid(`expires_at "${value}" is not in the future.`);
  return at.toISOString();
}

/** Wire names (snake_case) of the fields present in a patch, for history `params` and audit detail. */
export const presentFields = (patch: object) =>
  Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
