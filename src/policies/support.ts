import { isAllowed as isAllowedFor, type AccessTarget, type Authorizer } from '../kernel/authorizer.js';
import { entityTag } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { policyErrors } from './errors.js';

/** The entity tag after `current` (`<rev>-<hex>` → `<rev+1>-<new hex>`); revision 1 for a new entity. */
export function nextTag(current?: string): string {
  const revision = current === undefined ? 0 : Number.parseInt(current, 10);
  return entityTag((Number.isFinite(revision) ? revision : 0) + 1);
}

/** Throws 412 unless `ifMatch` is `*` or the current tag. */
export function requireTag(ifMatch: string, current: string): void {
  if (ifMatch !== '*' && ifMatch !== current) throw policyErrors.staleEtag();
}

/** Whether the authorizer allows it (reads that narrow their result instead of failing). */
export const isAllowed = (authorizer: Authorizer, actor: Actor, action: string, target: AccessTarget) =>
  isAllowedFor(authorizer, actor.principal, action, target, actor.environment);
