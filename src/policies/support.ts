import { isAllowed as isAllowedFor, type AccessTarget, type Authorizer } from '../kernel/authorizer.js';
import { DomainError } from '../kernel/errors.js';
import type { Actor } from '../kernel/principal.js';
import { auditOf, type AuditEvent, type Writer } from '../store/unit-of-work.js';
import { policyErrors } from './errors.js';

export type AuditFacts = Pick<AuditEvent, 'action' | 'targetType' | 'targetId' | 'accountId'> & { detail?: Record<string, unknown> };

/** The audit event of an action by `actor`. */
export const auditEvent = (actor: Actor, facts: AuditFacts): Omit<AuditEvent, 'outcome'> => auditOf(actor, facts);

/**
 * Asks the authorizer; a refusal is audited as a failed `facts.action` and rethrown in the policy
 * API's shape (403 `insufficent_permissions`).
 */
export async function authorizeAudited(
  deps: { authorizer: Authorizer; writer: Writer },
  actor: Actor,
  action: string,
  target: AccessTarget,
  facts: AuditFacts,
): Promise<void> {
  try {
    await deps.authorizer.authorize(actor.principal, action, target, actor.environment);
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'forbidden') {
      await deps.writer.auditFailure(auditEvent(actor, facts), `not authorized: ${action}`);
      throw policyErrors.forbidden(error.message);
    }
    throw error;
  }
}

/** Whether the authorizer allows it (reads that narrow their result instead of failing). */
export const isAllowed = (authorizer: Authorizer, actor: Actor, action: string, target: AccessTarget) =>
  isAllowedFor(authorizer, actor.principal, action, target, actor.environment);
