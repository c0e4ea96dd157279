import type { AccessTarget, Authorizer } from '../../kernel/authorizer.js';
import type { Clock } from '../../kernel/clock.js';
import type { Actor } from '../../kernel/principal.js';
import { createAudited } from '../../store/audited.js';
import type { Writer } from '../../store/unit-of-work.js';
import type { TemplateKind } from './kind.js';
import type { TemplateStore } from './store.js';
import type { Targets } from './targets.js';

/** What the template operations of every kind share. */
export interface TemplatesDeps {
  store: TemplateStore;
  targets: Targets;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  /** Hears what an assignment run could not do for reasons other than a DomainError (the log). */
  onRunError(error: unknown, assignmentId: string): void;
}

export function createContext<B>(deps: TemplatesDeps, kind: TemplateKind<B>) {
  const now = () => deps.clock.now().toISOString();
  const audited = createAudited(deps);
  const templateAction = (op: string) => `${kind.serviceName}.${kind.templateResource}.${op}`;
  const assignmentAction = (op: string) => `${kind.serviceName}.${kind.assignmentResource}.${op}`;
  const target = (accountId: string, resourceType: string, id?: string): AccessTarget => ({
    accountId,
    serviceName: kind.serviceName,
    resourceType,
    ...(id !== undefined ? { resource: id } : {}),
  });
  const authorize = (actor: Actor, action: string, on: AccessTarget) => deps.authorizer.authorize(actor.principal, action, on, actor.environment);
  return { deps, kind, now, audited, templateAction, assignmentAction, target, authorize };
}

export type TemplatesContext<B> = ReturnType<typeof createContext<B>>;
