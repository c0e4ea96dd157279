import { DomainError } from './errors.js';
import type { Actor, Principal, RequestEnvironment } from './principal.js';

/** The resource a management action is performed on, as the decision point sees it. */
export interface AccessTarget {
  accountId: string;
  serviceName: string;
  serviceInstance?: string;
  resourceType?: string;
  resource?: string;
  resourceGroupId?: string;
  /** Any other resource attribute the decision depends on (e.g. `serviceType` of a policy target). */
  attributes?: Record<string, string>;
  /**
   * The identity that owns the target (an API key's identity, a service ID's creator), for rules
   * that let owners manage their own things.
   */
  ownerIamId?: string;
}

/**
 * Decides whether a principal may perform a catalog action (e.g. `iam-identity.apikey.create`) on a
 * target. Every management operation asks it; it throws DomainError('forbidden') when not allowed.
 * `environment` is where the call comes from (`actor.environment`), for restrictions that decide
 * on the client address or endpoint (context-based restrictions); a call without one is one a
 * service makes on its own behalf.
 */
export interface Authorizer {
  authorize(principal: Principal, action: string, target: AccessTarget, environment?: RequestEnvironment): Promise<void>;
}

/**
 * Whether the actor may do `action` on `target`, asked as `authorize` would be (its principal, and
 * where it calls from, for restrictions): for reads that narrow their result instead of failing.
 */
export async function isAllowed(authorizer: Authorizer, actor: Actor, action: string, target: AccessTarget): Promise<boolean> {
  try {
    await authorizer.authorize(actor.principal, action, target, actor.environment);
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'forbidden') return false;
    throw error;
  }
}
