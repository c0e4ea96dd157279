import { isAllowed as isAllowedFor, type AccessTarget, type Authorizer } from '../kernel/authorizer.js';
import type { Actor } from '../kernel/principal.js';

/** Whether the authorizer allows it (reads that narrow their result instead of failing). */
export const isAllowed = (authorizer: Authorizer, actor: Actor, action: string, target: AccessTarget) =>
  isAllowedFor(authorizer, actor.principal, action, target, actor.environment);
