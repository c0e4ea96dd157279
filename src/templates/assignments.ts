import { DomainError } from '../kernel/errors.js';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { auditOf } from '../store/unit-of-work.js';
import { assignmentTarget, authorize, type TemplatesContext } from './context.js';
import { INTERRUPTED_KEY, ResourceFailure, resourceErrorOf, templateErrors } from './errors.js';
import type { AssignmentFilter, Slice } from './store.js';
import type { Assignment, AssignmentResource, TargetContext, TargetType, TemplateKind, TemplateVersion } from './types.js';

/**
 * Assignments of one kind's committed template versions to child accounts or account groups, and
 * the runner that applies them. An assignment is stored first (`in_progress`), then applied to each
 * target account in its own write — so one child's failure (a name collision, a grant the assigner
 * does not administer there) is reported for that child's resource and leaves the other children
 * correct — and finally marked `succeeded` or `failed`. Every operation returns at once with a
 * `settled` promise: APIs that answer 202 (identity, access groups) return before it settles,
 * those that answer 201/200/204 (policy management) await it.
 *
 * - update: moves the assignment to another committed version (the same version re-applies it,
 *   repairing drift), applying it to the accounts the target reaches now and removing it from
 *   accounts the target no longer reaches;
 * - remove: removes the managed resources from every account, then the assignment; when a child
 *   refuses, the assignment stays, `failed`, with that child's resources;
 * - get: reports, per resource, whether the live resource still matches its version (`drifted`);
 * - an assignment to an account group reaches accounts that join the group later
 *   (TemplatesCore.accountJoined).
 *
 * Who may: `<kind.actions.assignment>.create|read|update|delete` in the template's (enterprise)
 * account; and what a kind grants in a child account is authorized for the assigner *in that
 * child account* (TargetContext.authorizeInTarget), so nobody grants there more than they could.
 */

export interface AssignInput {
  templateId: string;
  templateVersion: number;
  targetType: TargetType;
  target: string;
}

/** An assignment with what it made in each account. */
export interface AssignmentView {
  assignment: Assignment;
  resources: AssignmentResource[];
}

export interface Started<T> {
  /** The assignment as stored when the operation started (`in_progress`). */
  assignment: Assignment;
  /** Settles when every target account is done: the final view (undefined once a removal deleted it). */
  settled: Promise<T>;
}

export interface AssignmentOps {
  assign(actor: Actor, input: AssignInput): Promise<Started<AssignmentView>>;
  update(actor: Actor, id: string, ifMatch: string | undefined, templateVersion: number): Promise<Started<AssignmentView>>;
  remove(actor: Actor, id: string): Promise<Started<AssignmentView | undefined>>;
  get(actor: Actor, id: string): Promise<AssignmentView>;
  /** The account's assignments of this kind, with their resources (drift is reported by `get`). */
  list(actor: Actor, filter: Omit<AssignmentFilter, 'kind' | 'accountId'> & { accountId: string }, window: { limit: number; after?: string }): Promise<Slice<AssignmentView>>;
  /** Applies an existing assignment to one account that newly joined its target (an account group). */
  applyToJoined(actor: Actor, assignment: Assignment, accountId: string): Promise<void>;
  /**
   * Fails an assignment whose run stopped with its process (TemplateStore.staleRuns), if this call
   * claims it (a conditional update on its tag: of several nodes, one does): every target account
   * not known to be done gets a failed resource saying so; updating the assignment (or removing it
   * again) retries. False when another node claimed it first or it moved on.
   */
  interrupted(assignment: Assignment): Promise<boolean>;
}

/** Keeps background runs in view, so a shutdown can wait for them (TemplatesCore.idle). */
export interface RunTracker {
  track<T>(run: Promise<T>): Promise<T>;
  idle(): Promise<void>;
  /** Whether any run is going (its assignments need heartbeats). */
  busy(): boolean;
}

export function createRunTracker(log?: TemplatesContext['log']): RunTracker {
  const running = new Set<Promise<unknown>>();
  return {
    track(run) {
      const watched = run.finally(() => running.delete(watched));
      running.add(watched);
      // A run nobody awaits (a 202 answered already) must not become an unhandled rejection.
      watched.catch((error: unknown) => log?.error({ err: error }, 'template assignment run failed'));
      return run;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    busy: () => running.size > 0,
  };
}

export function createAssignmentOps<B>(ctx: TemplatesContext, kind: TemplateKind<B>, runs: RunTracker): AssignmentOps {
  const { store, clock, writer, directory } = ctx;
  const action = (verb: string) => `${kind.actions.assignment}.${verb}`;
  const subject = (verb: string, id: string, accountId: string | null, detail?: Record<string, unknown>) => ({
    action: action(verb),
    targetType: kind.actions.assignmentType,
    targetId: id,
    accountId,
    ...(detail ? { detail } : {}),
  });

  async function visible(actor: Actor, id: string): Promise<Assignment> {
    const assignment = await store.getAssignment(id);
    if (!assignment || assignment.kind !== kind.name || assignment.accountId !== actor.principal.accountId) throw kind.assignmentNotFoundError(id);
    return assignment;
  }

  /** A committed version of a template of this kind in the actor's account. */
  async function committedVersion(actor: Actor, templateId: string, version: number): Promise<TemplateVersion<B>> {
    const template = await store.getTemplate(templateId);
    if (!template || template.kind !== kind.name || template.accountId !== actor.principal.accountId) throw kind.notFoundError(templateId, version);
    const found = await store.getVersion<B>(templateId, version);
    if (!found) throw kind.notFoundError(templateId, version);
    if (!found.committed) throw templateErrors.notCommitted(templateId, version);
    return found;
  }

  /** The accounts the assignment's target reaches now (none when the target is gone). */
  async function reached(a: Pick<Assignment, 'accountId' | 'targetType' | 'target'>): Promise<string[] | undefined> {
    const enterpriseId = await directory.enterpriseOfAccount(a.accountId);
    if (enterpriseId === undefined) return undefined;
    return directory.accountsOf(enterpriseId, a.targetType, a.target);
  }

  function targetContext(actor: Actor, a: Assignment, version: TemplateVersion<B>, accountId: string, previous: AssignmentResource[]): TargetContext<B> {
    return {
      assignment: a,
      version,
      accountId,
      previous,
      metadata: { templateId: a.templateId, version: version.version, assignmentId: a.id },
      principal: actor.principal,
      authorizeInTarget: (act, target) =>
        ctx.authorizer.authorize({ ...actor.principal, accountId }, act, { ...target, accountId }, actor.environment),
    };
  }

  const auditApply = (actor: Actor, a: Assignment, accountId: string, verb: string, detail: Record<string, unknown>) =>
    auditOf(actor, { accountId, action: action(verb), targetType: kind.actions.assignmentType, targetId: a.id, detail: { template_id: a.templateId, ...detail } });

  /** Records a failure of `error` for the account: the failed resource's row replaces its old one; the rest stay as they were. */
  async function recordFailure(actor: Actor, a: Assignment, accountId: string, version: number, previous: AssignmentResource[], error: unknown, verb: string) {
    if (!(error instanceof ResourceFailure && error.cause instanceof DomainError) && !(error instanceof DomainError)) {
      ctx.log?.error({ err: error }, 'template assignment: unexpected failure in a target account');
    }
    const key = error instanceof ResourceFailure ? error.key : kind.name;
    const failed = previous.find((r) => r.key === key);
    const rows = [
      ...previous.filter((r) => r.key !== key && r.key !== INTERRUPTED_KEY),
      { key, ...(failed?.resourceId !== undefined ? { resourceId: failed.resourceId } : {}), version, status: 'failed' as const, error: resourceErrorOf(error) },
    ];
    await writer.write(async (w) => {
      await store.putResources(w.trx, a.id, accountId, rows);
      w.audit(auditApply(actor, a, accountId, verb, { failed: key, reason: resourceErrorOf(error).message }));
    });
  }

  /** Applies the version in one account, in one write; true when it did. */
  async function applyIn(actor: Actor, a: Assignment, version: TemplateVersion<B>, accountId: string): Promise<boolean> {
    const previous = await store.resourcesOf(a.id, accountId);
    try {
      await kind.authorize?.(targetContext(actor, a, version, accountId, previous), false);
      await writer.write(async (w) => {
        const applied = await kind.apply(w, targetContext(actor, a, version, accountId, previous));
        await store.putResources(w.trx, a.id, accountId, applied.map((r) => ({ key: r.key, resourceId: r.resourceId, version: version.version, status: 'succeeded' as const })));
        w.changed({ entity: 'template_assignment', entityId: a.id, accountId, op: 'update' });
        w.audit(auditApply(actor, a, accountId, 'update', { version: version.version, resources: applied.map((r) => r.resourceId) }));
      });
      return true;
    } catch (error) {
      await recordFailure(actor, a, accountId, version.version, previous, error, 'update');
      return false;
    }
  }

  /** Removes the assignment's resources from one account, in one write; true when it did. */
  async function removeIn(actor: Actor, a: Assignment, version: TemplateVersion<B>, accountId: string): Promise<boolean> {
    const previous = await store.resourcesOf(a.id, accountId);
    try {
      await kind.authorize?.(targetContext(actor, a, version, accountId, previous), true);
      await writer.write(async (w) => {
        await kind.remove(w, targetContext(actor, a, version, accountId, previous));
        await store.putResources(w.trx, a.id, accountId, []);
        w.changed({ entity: 'template_assignment', entityId: a.id, accountId, op: 'update' });
        w.audit(auditApply(actor, a, accountId, 'delete', { resources: previous.flatMap((r) => (r.resourceId ? [r.resourceId] : [])) }));
      });
      return true;
    } catch (error) {
      await recordFailure(actor, a, accountId, version.version, previous, error, 'delete');
      return false;
    }
  }

  /** Sets the final status (new tag) and returns the view. */
  async function finish(actor: Actor, a: Assignment, ok: boolean): Promise<AssignmentView> {
    await writer.write(async (w) => {
      await store.updateAssignment(w.trx, a.id, undefined, {
        status: ok ? 'succeeded' : 'failed',
        lastModifiedAt: clock.now().toISOString(),
        lastModifiedById: actor.principal.iamId,
        entityTag: nextTag(a.entityTag),
        runner: null,
      });
      w.changed({ entity: 'template_assignment', entityId: a.id, accountId: a.accountId, op: 'update' });
    });
    return view(a.id);
  }

  async function view(id: string): Promise<AssignmentView> {
    const assignment = (await store.getAssignment(id))!;
    return { assignment, resources: await store.resourcesOf(id) };
  }

  /** Applies to every account reached now; removes from accounts that hold resources but are no longer reached. */
  async function run(actor: Actor, a: Assignment, version: TemplateVersion<B>): Promise<AssignmentView> {
    const accounts = (await reached(a)) ?? [];
    const held = [...new Set((await store.resourcesOf(a.id)).map((r) => r.accountId))];
    let ok = true;
    for (const accountId of accounts) ok = (await applyIn(actor, a, version, accountId)) && ok;
    for (const accountId of held.filter((h) => !accounts.includes(h))) ok = (await removeIn(actor, a, version, accountId)) && ok;
    return finish(actor, a, ok);
  }

  /** Marks the assignment in progress for `operation` (conditional on its tag), refusing one already in progress. */
  async function begin(actor: Actor, current: Assignment, expected: string | undefined, operation: Assignment['operation'], templateVersion?: number): Promise<Assignment> {
    if (current.status === 'in_progress') throw templateErrors.inProgress(current.id);
    const change = {
      ...(templateVersion !== undefined ? { templateVersion } : {}),
      status: 'in_progress' as const,
      operation,
      lastModifiedAt: clock.now().toISOString(),
      lastModifiedById: actor.principal.iamId,
      entityTag: nextTag(current.entityTag),
      runner: ctx.runnerId,
    };
    await writer.write(async (w) => {
      if (!(await store.updateAssignment(w.trx, current.id, expected ?? current.entityTag, change))) {
        const now = await store.getAssignment(current.id, w.trx);
        if (!now) throw kind.assignmentNotFoundError(current.id);
        if (now.status === 'in_progress') throw templateErrors.inProgress(current.id);
        throw staleTag();
      }
      w.changed({ entity: 'template_assignment', entityId: current.id, accountId: current.accountId, op: 'update' });
      w.audit(auditOf(actor, { ...subject(operation === 'remove' ? 'delete' : 'update', current.id, current.accountId), detail: { template_version: templateVersion ?? current.templateVersion } }));
    });
    return (await store.getAssignment(current.id))!;
  }

  return {
    async assign(actor, input) {
      const id = ids.uuid();
      const audit = subject('create', id, actor.principal.accountId, { template_id: input.templateId, target_type: input.targetType, target: input.target });
      return ctx.audited(actor, audit, async (commit) => {
        await authorize(ctx, actor, action('create'), assignmentTarget(kind, actor.principal.accountId, id));
        const version = await committedVersion(actor, input.templateId, input.templateVersion);
        if ((await directory.enterpriseOfAccount(version.accountId)) === undefined) throw templateErrors.notEnterprise(version.accountId);
        if (!(await reached({ accountId: version.accountId, targetType: input.targetType, target: input.target }))) throw templateErrors.badTarget(input.targetType, input.target);
        const at = clock.now().toISOString();
        const assignment: Assignment = {
          id,
          kind: kind.name,
          accountId: version.accountId,
          templateId: input.templateId,
          templateVersion: version.version,
          targetType: input.targetType,
          target: input.target,
          status: 'in_progress',
          operation: 'create',
          createdAt: at,
          createdById: actor.principal.iamId,
          lastModifiedAt: at,
          lastModifiedById: actor.principal.iamId,
          entityTag: nextTag(),
        };
        await commit(async (w) => {
          // The version must still be there (a concurrent delete of it counts assignments in its own write).
          if (!(await store.getVersion(input.templateId, version.version, w.trx))) throw kind.notFoundError(input.templateId, version.version);
          await store.insertAssignment(w.trx, assignment, () => templateErrors.alreadyAssigned(input.templateId, input.targetType, input.target), ctx.runnerId);
          w.changed({ entity: 'template_assignment', entityId: id, accountId: assignment.accountId, op: 'create' });
        });
        return { assignment, settled: runs.track(run(actor, assignment, version)) };
      });
    },

    async update(actor, id, ifMatch, templateVersion) {
      const audit = subject('update', id, null, { template_version: templateVersion });
      return ctx.audited(actor, audit, async () => {
        const current = await visible(actor, id);
        audit.accountId = current.accountId;
        await authorize(ctx, actor, action('update'), assignmentTarget(kind, current.accountId, id));
        const version = await committedVersion(actor, current.templateId, templateVersion);
        const started = await begin(actor, current, expectedTag(ifMatch, current.entityTag), 'update', version.version);
        return { assignment: started, settled: runs.track(run(actor, started, version)) };
      });
    },

    async remove(actor, id) {
      const audit = subject('delete', id, null);
      return ctx.audited(actor, audit, async () => {
        const current = await visible(actor, id);
        audit.accountId = current.accountId;
        await authorize(ctx, actor, action('delete'), assignmentTarget(kind, current.accountId, id));
        const version = (await store.getVersion<B>(current.templateId, current.templateVersion))!;
        const started = await begin(actor, current, undefined, 'remove');
        const settle = async (): Promise<AssignmentView | undefined> => {
          const accounts = [...new Set((await store.resourcesOf(id)).map((r) => r.accountId))];
          let ok = true;
          for (const accountId of accounts) ok = (await removeIn(actor, started, version, accountId)) && ok;
          if (!ok) return finish(actor, started, false);
          await writer.write(async (w) => {
            await store.deleteAssignment(w.trx, id);
            w.changed({ entity: 'template_assignment', entityId: id, accountId: current.accountId, op: 'delete' });
          });
          return undefined;
        };
        return { assignment: started, settled: runs.track(settle()) };
      });
    },

    async get(actor, id) {
      const assignment = await visible(actor, id);
      await authorize(ctx, actor, action('read'), assignmentTarget(kind, assignment.accountId, id));
      const resources = await store.resourcesOf(id);
      if (assignment.status === 'in_progress') return { assignment, resources };
      const version = await store.getVersion<B>(assignment.templateId, assignment.templateVersion);
      if (!version) return { assignment, resources };
      const accounts = [...new Set(resources.map((r) => r.accountId))];
      for (const accountId of accounts) {
        const held = resources.filter((r) => r.accountId === accountId && r.status === 'succeeded');
        const drifted = new Set(await kind.drift(targetContext(actor, assignment, version, accountId, held)));
        for (const r of held) if (drifted.has(r.key)) r.drifted = true;
      }
      return { assignment, resources };
    },

    async list(actor, filter, window) {
      if (filter.accountId !== actor.principal.accountId) return { items: [], more: false };
      await authorize(ctx, actor, action('read'), assignmentTarget(kind, filter.accountId));
      const slice = await store.listAssignments({ ...filter, kind: kind.name }, window);
      const items = await Promise.all(slice.items.map(async (assignment) => ({ assignment, resources: await store.resourcesOf(assignment.id) })));
      return { items, more: slice.more };
    },

    async interrupted(a) {
      const version = await store.getVersion<B>(a.templateId, a.templateVersion);
      const held = await store.resourcesOf(a.id);
      const targets = a.operation === 'remove' ? [] : ((await reached(a)) ?? []);
      const accounts = [...new Set([...targets, ...held.map((r) => r.accountId)])].sort();
      /** An account is done when the operation finished there: every resource applied at the version (or, removing, none left). */
      const done = (accountId: string) => {
        const mine = held.filter((r) => r.accountId === accountId);
        if (a.operation === 'remove') return mine.length === 0;
        return mine.length > 0 && mine.every((r) => r.status === 'succeeded' && r.version === a.templateVersion) && targets.includes(accountId);
      };
      const error = templateErrors.interrupted(a.id, a.operation);
      const at = clock.now().toISOString();
      const { value } = await writer.write(async (w) => {
        const claimed = await store.updateAssignment(w.trx, a.id, a.entityTag, {
          status: 'failed',
          lastModifiedAt: at,
          lastModifiedById: a.lastModifiedById,
          entityTag: nextTag(a.entityTag),
          runner: null,
        });
        if (!claimed) return false;
        // Re-applying the version it had, every account looks done: then none is known to be, and each is marked.
        const unfinished = accounts.filter((id) => !done(id));
        for (const accountId of unfinished.length > 0 ? unfinished : accounts) {
          const previous = held.filter((r) => r.accountId === accountId && r.key !== INTERRUPTED_KEY);
          await store.putResources(w.trx, a.id, accountId, [...previous, { key: INTERRUPTED_KEY, version: version?.version ?? a.templateVersion, status: 'failed', error: resourceErrorOf(error) }]);
        }
        w.changed({ entity: 'template_assignment', entityId: a.id, accountId: a.accountId, op: 'update' });
        w.audit({
          requestId: `recovery-${ids.uuid()}`,
          initiatorIamId: 'system',
          initiatorAccountId: null,
          accountId: a.accountId,
          action: action(a.operation === 'remove' ? 'delete' : 'update'),
          targetType: kind.actions.assignmentType,
          targetId: a.id,
          detail: { template_id: a.templateId, interrupted: a.operation, reason: error.message },
        });
        return true;
      });
      return value;
    },

    async applyToJoined(actor, assignment, accountId) {
      const version = await store.getVersion<B>(assignment.templateId, assignment.templateVersion);
      if (!version) return;
      const ok = await applyIn(actor, assignment, version, accountId);
      const current = await store.getAssignment(assignment.id);
      if (current && current.status !== 'in_progress') await finish(actor, current, ok && current.status === 'succeeded');
    },
  };
}
