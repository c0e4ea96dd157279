import { randomUUID } from 'node:crypto';
import { DomainError } from '../../kernel/errors.js';
import { expectedTag, nextTag, staleTag } from '../../kernel/etag.js';
import type { Actor } from '../../kernel/principal.js';
import { auditOf, type Write } from '../../store/unit-of-work.js';
import type { TemplatesContext } from './context.js';
import { templateErrors as errors } from './errors.js';
import type { AccountResult, Assignment, AssignmentStatus, Slice, TargetType, TemplateVersion } from './types.js';
import type { AssignmentFilter } from './store.js';
import type { PageRequest } from './versions.js';

export interface NewAssignment {
  templateId: string;
  templateVersion: number;
  targetType: TargetType;
  target: string;
}

/**
 * Assignments of one kind. Create, update (to another committed version) and delete answer 202
 * at once with the assignment `accepted`; a run then applies it in the background: `in_progress`,
 * one write per target account (a failure in one account leaves nothing there and does not touch
 * the others), then `succeeded` when every account succeeded, else `failed`, with one result per
 * account. A removal run deletes what the assignment made and then the assignment itself. Runs of
 * one assignment never overlap in a process; a run whose assignment changed meanwhile leaves the
 * reporting to the run that change started.
 */
export function assignmentOperations<B>(ctx: TemplatesContext<B>) {
  const { deps, kind, now, audited, assignmentAction, target, authorize } = ctx;
  const { store, targets, writer } = deps;
  /** The tail of each assignment's chain of runs (this process). */
  const chains = new Map<string, Promise<void>>();

  async function visibleAssignment(actor: Actor, id: string, op: string): Promise<Assignment> {
    const found = await store.getAssignment(kind.name, id);
    if (!found || found.accountId !== actor.principal.accountId) throw errors.assignmentNotFound(id);
    await authorize(actor, assignmentAction(op), target(found.accountId, kind.assignmentResource, id));
    return found;
  }

  /** A committed version of a template of the actor's account, after checking what it grants. */
  async function assignableVersion(actor: Actor, templateId: string, version: number): Promise<TemplateVersion<B>> {
    const found = (await store.getVersion(kind.name, templateId, version)) as TemplateVersion<B> | undefined;
    if (!found || found.accountId !== actor.principal.accountId) {
      const latest = await store.getLatest(kind.name, templateId);
      if (!latest || latest.accountId !== actor.principal.accountId) throw errors.templateNotFound(kind.label, templateId);
      throw errors.versionNotFound(kind.label, templateId, version);
    }
    if (!found.committed) throw errors.notCommitted(kind.label, templateId, version);
    await kind.authorizeGrant(actor, found.accountId, found.body);
    return found;
  }

  const schedule = (actor: Actor, id: string) => {
    const previous = chains.get(id) ?? Promise.resolve();
    const next = previous.then(() => runOnce(actor, id)).catch((error: unknown) => deps.onRunError(error, id));
    chains.set(id, next);
    void next.finally(() => {
      if (chains.get(id) === next) chains.delete(id);
    });
  };

  async function setStatus(id: string, expected: string | undefined, status: AssignmentStatus, resources?: AccountResult[]) {
    const { value } = await writer.write(async (w) => {
      const current = await store.getAssignment(kind.name, id, w.trx);
      if (!current) return undefined;
      const tag = nextTag(current.entityTag);
      const changed = await store.updateAssignment(w.trx, kind.name, id, expected, {
        status,
        ...(resources ? { resources: JSON.stringify(resources) } : {}),
        last_modified_at: now(),
        last_modified_by_id: current.lastModifiedById,
        entity_tag: tag,
      });
      if (!changed) return undefined;
      w.changed({ entity: `${kind.name}_assignment`, entityId: id, accountId: current.accountId, op: 'update' });
      return tag;
    });
    return value;
  }

  const detailOfError = (error: unknown) =>
    error instanceof DomainError ? error : new DomainError('internal', 'internal_error', 'The resource could not be applied.');

  async function runOnce(actor: Actor, id: string): Promise<void> {
    const start = await store.getAssignment(kind.name, id);
    if (!start) return;
    const tag = await setStatus(id, start.entityTag, 'in_progress');
    if (tag === undefined) return;
    const results: AccountResult[] = [];
    const by = start.lastModifiedById;
    const event = (accountId: string, op: string) =>
      auditOf(actor, { action: assignmentAction(op), targetType: kind.assignmentResource, targetId: id, accountId, detail: { enterprise_account_id: start.accountId } });

    // Resources in accounts the target no longer reaches (or all of them, for a removal) go.
    const reached = start.operation === 'remove' ? [] : await targets.accountsOf(start.accountId, start.targetType, start.target);
    for (const managed of await store.managedBy(kind.name, id)) {
      if (reached.includes(managed.accountId)) continue;
      try {
        await writer.write(async (w) => {
          const detail = await kind.remove(w, managed, by);
          await store.deleteManaged(w.trx, kind.name, managed.resourceId);
          w.audit(event(managed.accountId, 'delete'));
          results.push({ target: managed.accountId, status: 'succeeded', detail });
        });
      } catch (error) {
        const failure = detailOfError(error);
        results.push({ target: managed.accountId, status: 'failed', detail: { message: failure.message, code: failure.code } });
      }
    }

    if (start.operation !== 'remove') {
      const version = (await store.getVersion(kind.name, start.templateId, start.templateVersion)) as TemplateVersion<B> | undefined;
      for (const accountId of reached) {
        const run = { accountId, version: version!, assignment: start, by, at: now() };
        try {
          if (!version) throw errors.versionNotFound(kind.label, start.templateId, start.templateVersion);
          await writer.write(async (w) => {
            const managed = await store.managedIn(w.trx, kind.name, id, accountId);
            const applied = await kind.apply(w, { ...run, ...(managed ? { managed } : {}) });
            await store.putManaged(w.trx, {
              kind: kind.name,
              resourceId: applied.resourceId,
              accountId,
              assignmentId: id,
              templateId: start.templateId,
              templateVersion: start.templateVersion,
              actionControls: kind.actionControls(version.body),
            });
            w.audit(event(accountId, managed ? 'update' : 'create'));
            results.push({ target: accountId, status: applied.failure === undefined ? 'succeeded' : 'failed', detail: applied.detail });
          });
        } catch (error) {
          results.push({ target: accountId, status: 'failed', detail: kind.failedDetail(run, detailOfError(error)) });
        }
      }
    }

    const ok = results.every((r) => r.status === 'succeeded');
    if (start.operation === 'remove' && ok) {
      await writer.write(async (w) => {
        const current = await store.getAssignment(kind.name, id, w.trx);
        if (!current || current.entityTag !== tag) return;
        await store.deleteAssignment(w.trx, kind.name, id);
        w.changed({ entity: `${kind.name}_assignment`, entityId: id, accountId: start.accountId, op: 'delete' });
      });
      return;
    }
    await setStatus(id, tag, ok ? 'succeeded' : 'failed', results);
  }

  const subjectOf = (op: string, id: string, accountId: string | null) => ({
    action: assignmentAction(op),
    targetType: kind.assignmentResource,
    targetId: id,
    accountId,
  });

  /** Marks an assignment for a new run (If-Match when given) and returns it as stored. */
  function restart(actor: Actor, id: string, ifMatch: string | undefined, changes: { operation: Assignment['operation']; templateVersion?: number }) {
    return async (w: Write) => {
      const current = await store.getAssignment(kind.name, id, w.trx);
      if (!current) throw errors.assignmentNotFound(id);
      const expected = expectedTag(ifMatch, current.entityTag);
      const changed = await store.updateAssignment(w.trx, kind.name, id, expected, {
        operation: changes.operation,
        status: 'accepted',
        ...(changes.templateVersion !== undefined ? { template_version: changes.templateVersion } : {}),
        last_modified_at: now(),
        last_modified_by_id: actor.principal.iamId,
        entity_tag: nextTag(current.entityTag),
      });
      if (!changed) throw staleTag();
      w.changed({ entity: `${kind.name}_assignment`, entityId: id, accountId: current.accountId, op: 'update' });
      return (await store.getAssignment(kind.name, id, w.trx))!;
    };
  }

  return {
    async create(actor: Actor, input: NewAssignment): Promise<Assignment> {
      const id = `${kind.assignmentIdPrefix}${randomUUID()}`;
      const subject = subjectOf('create', id, actor.principal.accountId);
      const created = await audited(actor, subject, async (commit) => {
        await authorize(actor, assignmentAction('create'), target(actor.principal.accountId, kind.assignmentResource));
        const version = await assignableVersion(actor, input.templateId, input.templateVersion);
        await deps.targets.check(version.accountId, input.targetType, input.target);
        const at = now();
        const assignment: Assignment = {
          kind: kind.name,
          id,
          accountId: version.accountId,
          templateId: input.templateId,
          templateVersion: input.templateVersion,
          targetType: input.targetType,
          target: input.target,
          operation: 'assign',
          status: 'accepted',
          resources: [],
          createdAt: at,
          createdById: actor.principal.iamId,
          lastModifiedAt: at,
          lastModifiedById: actor.principal.iamId,
          entityTag: nextTag(),
        };
        return commit(async (w) => {
          await store.insertAssignment(w.trx, assignment);
          w.changed({ entity: `${kind.name}_assignment`, entityId: id, accountId: assignment.accountId, op: 'create' });
          return assignment;
        }, { template_id: input.templateId, template_version: input.templateVersion, target_type: input.targetType, target: input.target });
      });
      schedule(actor, id);
      return created;
    },

    async list(actor: Actor, filter: AssignmentFilter, page: PageRequest): Promise<Slice<Assignment>> {
      await authorize(actor, assignmentAction('read'), target(filter.accountId, kind.assignmentResource));
      return store.listAssignments(kind.name, filter, page);
    },

    get: (actor: Actor, id: string) => visibleAssignment(actor, id, 'read'),

    /** Moves the assignment to another committed version of its template and runs it again. */
    async update(actor: Actor, id: string, ifMatch: string, templateVersion: number): Promise<Assignment> {
      const subject = subjectOf('update', id, null);
      const updated = await audited(actor, subject, async (commit) => {
        const found = await visibleAssignment(actor, id, 'update');
        subject.accountId = found.accountId;
        await assignableVersion(actor, found.templateId, templateVersion);
        return commit(restart(actor, id, ifMatch, { operation: 'update', templateVersion }), { template_version: templateVersion });
      });
      schedule(actor, id);
      return updated;
    },

    /** Starts the removal: the assignment's resources go, then the assignment (reads answer 404 afterwards). */
    async remove(actor: Actor, id: string): Promise<Assignment> {
      const subject = subjectOf('delete', id, null);
      const removing = await audited(actor, subject, async (commit) => {
        const found = await visibleAssignment(actor, id, 'delete');
        subject.accountId = found.accountId;
        return commit(restart(actor, id, undefined, { operation: 'remove' }));
      });
      schedule(actor, id);
      return removing;
    },

    /** Resolves once every run this process started has ended (tests, shutdown). */
    async settled(): Promise<void> {
      while (chains.size > 0) await Promise.all([...chains.values()]);
    },
  };
}
