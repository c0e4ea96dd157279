import type { Actor } from '../kernel/principal.js';
import { createAssignmentOps, createRunTracker, type AssignmentOps } from './assignments.js';
import { contextOf, type TemplatesDeps } from './context.js';
import type { TemplateKind } from './types.js';
import { createVersionOps, type VersionOps } from './versions.js';

/**
 * The template core every kind plugs into (policy, action-control and role templates here; access
 * group, trusted-profile and account-settings templates in their own domains):
 *
 *   const core = createTemplatesCore(deps);           // once, in the registry
 *   const policy = core.register(policyKind);         // { versions, assignments } for that kind
 *
 * `versions` (versions.ts) and `assignments` (assignments.ts) are the kind's operations, decided
 * by the PDP and audited; routes render their records in the kind's API shapes. `accountJoined`
 * is the enterprise domain's hook: an account that joins an account group (created in it, moved
 * or imported into it) receives the assignments made to that group and the groups above it.
 * `idle` waits for background runs (a server shutting down, tests).
 */
export interface TemplatesCore {
  register<B>(kind: TemplateKind<B>): { versions: VersionOps<B>; assignments: AssignmentOps };
  accountJoined(actor: Actor, accountId: string): Promise<void>;
  idle(): Promise<void>;
}

export function createTemplatesCore(deps: TemplatesDeps): TemplatesCore {
  const ctx = contextOf(deps);
  const runs = createRunTracker(deps.log);
  const kinds = new Map<string, AssignmentOps>();
  return {
    register(kind) {
      if (kinds.has(kind.name)) throw new Error(`template kind ${kind.name} registered twice`);
      const assignments = createAssignmentOps(ctx, kind, runs);
      kinds.set(kind.name, assignments);
      return { versions: createVersionOps(ctx, kind), assignments };
    },

    /**
     * Applies to `accountId` every assignment whose target is an account group it now sits in
     * (directly or below), in the same enterprise. The grants are authorized for the actor who
     * made the account join (authorizeInTarget): the one who adds an account to a managed group
     * is the one who brings its templates there.
     */
    async accountJoined(actor, accountId) {
      const where = await deps.directory.groupsAbove(accountId);
      if (!where || where.groupIds.length === 0) return;
      for (const assignment of await deps.store.assignmentsToGroups(where.groupIds)) {
        if ((await deps.directory.enterpriseOfAccount(assignment.accountId)) !== where.enterpriseId) continue;
        const ops = kinds.get(assignment.kind);
        if (ops) await runs.track(ops.applyToJoined(actor, assignment, accountId));
      }
    },

    idle: () => runs.idle(),
  };
}
