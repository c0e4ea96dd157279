import { randomBytes } from 'node:crypto';
import { DomainError } from './errors.js';

/**
 * Entity tags and If-Match, written once for every API. A tag is IBM's `<revision>-<32 hex>`: the
 * revision counts the entity's versions, the hex makes two tags of one revision differ.
 */

/** The tag of revision `revision`. */
export const entityTag = (revision: number) => `${revision}-${randomBytes(16).toString('hex')}`;

/** The tag after `current`: its revision plus one, with fresh hex; revision 1 for a new entity. */
export function nextTag(current?: string): string {
  const revision = current === undefined ? 0 : Number.parseInt(current, 10);
  return entityTag((Number.isFinite(revision) && revision >= 0 ? revision : 0) + 1);
}

/**
 * The error of an If-Match that names another version (412). One kind and code for every API;
 * src/http/errors.ts renders it in each API's own code where that differs.
 */
export const staleTag = () =>
  new DomainError('precondition_failed', 'precondition_failed', 'The If-Match value does not match the current entity tag.');

/**
 * Checks an If-Match value against the entity's current tag and returns the tag a conditional
 * store update must still find (so a concurrent change in between is caught too), or undefined
 * when any version will do: no If-Match, or `*`. Throws staleTag() when the value names another
 * version, or any version of an entity that does not exist (`current` undefined).
 */
export function expectedTag(ifMatch: string | undefined, current: string | undefined): string | undefined {
  if (ifMatch === undefined || ifMatch === '*') return undefined;
  if (ifMatch !== current) throw staleTag();
  return current;
}

/**
 * Runs a read-check-write whose write is conditional on the tag it read. With `If-Match: *` the
 * caller asked for whatever version is current, so a concurrent change between the read and the
 * write is not their conflict: the whole step (read, checks, authorization, write) runs again on
 * the version that is current now, up to `attempts` times. With a named tag a change is a 412.
 */
export async function onCurrentVersion<T>(ifMatch: string | undefined, step: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const stale = error instanceof DomainError && error.kind === 'precondition_failed';
      if (!stale || ifMatch !== '*' || attempt >= attempts) throw error;
    }
  }
}
