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
 *
 * Runs outlive nothing: a process that stops mid-run leaves its assignment in progress. While this
 * process runs assignments it renews their heartbeat every third of the run lease; `start` sweeps
 * at once and then every third of the lease for assignments in progress whose heartbeat is older
 * than the lease, and fails each it claims (AssignmentOps.interrupted: a conditional update, so
 * of several nodes starting together one acts), retriable by an update or a removal.
 */
export interface TemplatesCore {
  register<B>(kind: TemplateKind<B>): { versions: VersionOps<B>; assignments: AssignmentOps };
  accountJoined(actor: Actor, accountId: string): Promise<void>;
  idle(): Promise<void>;
  /** One recovery sweep; the number of stopped runs this call claimed and failed. */
  recover(): Promise<number>;
  /** Starts heartbeats and recovery sweeps (the first one now); `stop` ends them. */
  start(): Promise<void>;
  stop(): void;
}

const DEFAULT_RUN_LEASE_MS = 30_000;

export function createTemplatesCore(deps: TemplatesDeps): TemplatesCore {
  const ctx = contextOf(deps);
  const runs = createRunTracker(deps.log);
  const kinds = new Map<string, AssignmentOps>();
  const lease = deps.runLeaseMs ?? DEFAULT_RUN_LEASE_MS;
  let timer: NodeJS.Timeout | undefined;

  async function recover(): Promise<number> {
    const before = new Date(deps.clock.now().getTime() - lease).toISOString();
    let claimed = 0;
    for (const assignment of await deps.store.staleRuns(before)) {
      const ops = kinds.get(assignment.kind);
      if (ops && (await ops.interrupted(assignment))) claimed++;
    }
    return claimed;
  }

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

    recover,

    async start() {
      if (timer) return;
      const tick = async () => {
        if (runs.busy()) await deps.writer.write((w) => deps.store.heartbeat(w.trx, ctx.runnerId, deps.clock.now().toISOString()));
        await recover();
      };
      timer = setInterval(() => void tick().catch((error: unknown) => deps.log?.error({ err: error }, 'template assignment recovery failed')), Math.max(1, Math.floor(lease / 3)));
      timer.unref();
      await recover();
    },

    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
