import type { FastifyPluginAsync } from 'fastify';
import type { AccessGroupsStore } from '../access-groups/store.js';
import type { IdentityDirectory } from '../identity/directory.js';
import type { Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import type { Authenticator } from '../kernel/principal.js';
import type { Db } from '../store/db.js';
import type { Writer } from '../store/unit-of-work.js';
import { groupTemplateKind } from './groups/kind.js';
import { groupTemplateRoutes } from './groups/routes.js';
import type { PolicyTemplateApplier } from './groups/types.js';
import { createTemplateService } from './managed/service.js';
import type { TemplateStore } from './managed/store.js';
import { createTargets } from './managed/targets.js';

export interface IdentityTemplatesDeps {
  db: Db;
  store: TemplateStore;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  groups: AccessGroupsStore;
  directory: IdentityDirectory;
  policyTemplates?: PolicyTemplateApplier;
  /** Where assignment runs report what failed unexpectedly (the process log). */
  onRunError(error: unknown, assignmentId: string): void;
}

/**
 * The enterprise-managed identity templates, wired once: access-group templates (and, as plug-ins
 * of the same mechanics, the other identity kinds), their routes, and a way to wait for the
 * assignment runs in flight (shutdown).
 */
export function createIdentityTemplates(deps: IdentityTemplatesDeps) {
  const common = { store: deps.store, targets: createTargets(deps.db), writer: deps.writer, clock: deps.clock, authorizer: deps.authorizer, onRunError: deps.onRunError };
  const groupTemplates = createTemplateService(
    common,
    groupTemplateKind({ groups: deps.groups, directory: deps.directory, templates: deps.store, ...(deps.policyTemplates ? { policyTemplates: deps.policyTemplates } : {}) }),
  );
  return {
    groupTemplates,
    routes: (authenticator: Authenticator, site: { url: string }): FastifyPluginAsync[] => [groupTemplateRoutes({ groupTemplates, authenticator, site })],
    /** Resolves once every assignment run of this process has ended. */
    settled: () => groupTemplates.assignments.settled(),
  };
}

export type IdentityTemplates = ReturnType<typeof createIdentityTemplates>;
