import { DomainError, type ErrorKind } from './errors.js';

/**
 * The result of one item of a bulk operation (a 207 body, a batch of decisions): its value, or
 * the domain error it failed with. Domains return outcomes; only src/http/ turns them into
 * status numbers.
 */
export type Outcome<T = void> = { ok: true; value: T } | { ok: false; error: DomainError };

export function succeeded(): Outcome<void>;
export function succeeded<T>(value: T): Outcome<T>;
export function succeeded<T>(value?: T): Outcome<T | undefined> {
  return { ok: true, value };
}

export const failed = (error: DomainError): { ok: false; error: DomainError } => ({ ok: false, error });

/**
 * The kinds of error that belong to one item (bad input, refused, unknown, conflicting): the item
 * fails alone. Any other error (the database down, a bug) fails the whole operation.
 */
const ITEM_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['invalid', 'forbidden', 'not_found', 'conflict']);

/** The item's failure from a thrown error; rethrows anything that is not an item's own failure. */
export function failedItem(error: unknown): { ok: false; error: DomainError } {
  if (error instanceof DomainError && ITEM_KINDS.has(error.kind)) return failed(error);
  throw error;
}
