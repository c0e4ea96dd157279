import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import type { Actor } from '../kernel/principal.js';
import { ids } from '../kernel/ids.js';
import { createAudited, type Audited } from '../store/audited.js';
import type { Writer } from '../store/unit-of-work.js';
import type { TemplateStore } from './store.js';
import type { EnterpriseDirectory } from './targets.js';
import type { TemplateKind } from './types.js';

/** What the template mechanics depend on: the registry builds these once for every kind. */
export interface TemplatesDeps {
  store: TemplateStore;
  directory: EnterpriseDirectory;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  /** Unexpected failures of background runs go here (the process log); they are also recorded as failed resources. */
  log?: { error(object: unknown, message: string): void };
  /**
   * How long an assignment run may go without a heartbeat before another node (or this one, after
   * a restart) takes it for stopped (core.ts, recovery); default 30 s. Heartbeats come every third of it.
   */
  runLeaseMs?: number;
}

export interface TemplatesContext extends TemplatesDeps {
  audited: Audited;
  /** This process as the runner of assignment runs (their `runner` while in progress). */
  runnerId: string;
}

export const contextOf = (deps: TemplatesDeps): TemplatesContext => ({ ...deps, audited: createAudited(deps), runnerId: `runner-${ids.uuid()}` });

/**
 * The authorization target of a kind's template (with `templateId`) or of its templates in the
 * account (without): service and resource type from the kind (`iam-access-management`, `policy-template`).
 */
export const templateTarget = (kind: Pick<TemplateKind, 'actions'>, accountId: string, templateId?: string): AccessTarget => ({
  accountId,
  serviceName: kind.actions.serviceName,
  resourceType: kind.actions.resourceType,
  ...(templateId !== undefined ? { resource: templateId } : {}),
});

/** The authorization target of a kind's assignment (or of its assignments in the account). */
export const assignmentTarget = (kind: Pick<TemplateKind, 'actions'>, accountId: string, assignmentId?: string): AccessTarget => ({
  accountId,
  serviceName: kind.actions.serviceName,
  resourceType: kind.actions.assignmentType,
  ...(assignmentId !== undefined ? { resource: assignmentId } : {}),
});

/** Asks the authorizer, for the actor, `action` on `target`; a refusal is thrown. */
export const authorize = (ctx: TemplatesContext, actor: Actor, action: string, target: AccessTarget) =>
  ctx.authorizer.authorize(actor.principal, action, target, actor.environment);
