/**
 * The one mapping from a unique-index violation to a typed conflict. Uniqueness rules live in the
 * database as unique indexes (never check-then-insert): when two writers race, the index lets one
 * commit and the other's statement fails here, where it becomes the domain's own 409.
 */

/** A unique-constraint or primary-key violation, on either dialect (PostgreSQL 23505, SQLite's extended codes). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Awaits a write (one statement, or a whole transaction); a unique-index violation it raises is
 * replaced by `conflict()` (a DomainError of kind `conflict`), every other error passes unchanged.
 * Inside a transaction the thrown conflict rolls it back, as any error does (PostgreSQL aborts the
 * transaction at the violation anyway).
 */
export async function conflictOnDuplicate<T>(write: Promise<T>, conflict: () => Error | Promise<Error>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw await conflict();
    throw error;
  }
}
