import type { Selectable } from 'kysely';
import { conflictOnDuplicate } from '../store/conflicts.js';
import type { Db } from '../store/db.js';
import type { TemplateAssignmentResourcesTable, TemplateAssignmentsTable, TemplateVersionsTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import type {
  Assignment,
  AssignmentOperation,
  AssignmentResource,
  AssignmentStatus,
  ResourceError,
  TargetType,
  TemplateVersion,
} from './types.js';

type Executor = Db | Trx;

/** A keyset window: up to `limit` rows after `after` (in the listing's order). */
export interface Window<K> {
  limit: number;
  after?: K;
}

export interface Slice<T> {
  items: T[];
  more: boolean;
}

export interface AssignmentFilter {
  kind: string;
  accountId: string;
  templateId?: string;
  templateVersion?: number;
  targetType?: TargetType;
  target?: string;
  status?: AssignmentStatus;
}

/** The columns an assignment change sets (with a new tag and modification stamp). */
export interface AssignmentChange {
  templateVersion?: number;
  status?: AssignmentStatus;
  operation?: AssignmentOperation;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
  /** A run starting: the process running it (its heartbeat starts at lastModifiedAt); null: no run (a final status). */
  runner?: string | null;
}

const versionOf = <B>(row: Selectable<TemplateVersionsTable> & { kind: string; account_id: string }): TemplateVersion<B> => ({
  id: row.template_id,
  version: Number(row.version),
  kind: row.kind,
  accountId: row.account_id,
  name: row.name,
  ...(row.description !== null ? { description: row.description } : {}),
  body: JSON.parse(row.body) as B,
  committed: Number(row.committed) === 1,
  state: 'active',
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
  entityTag: row.entity_tag,
});

const assignmentOf = (row: Selectable<TemplateAssignmentsTable>): Assignment => ({
  id: row.id,
  kind: row.kind,
  accountId: row.account_id,
  templateId: row.template_id,
  templateVersion: Number(row.template_version),
  targetType: row.target_type as TargetType,
  target: row.target,
  status: row.status as AssignmentStatus,
  operation: row.operation as AssignmentOperation,
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
  entityTag: row.entity_tag,
});

const resourceOf = (row: Selectable<TemplateAssignmentResourcesTable>): AssignmentResource => ({
  assignmentId: row.assignment_id,
  accountId: row.account_id,
  key: row.resource_key,
  ...(row.resource_id !== null ? { resourceId: row.resource_id } : {}),
  version: Number(row.version),
  status: row.status as AssignmentResource['status'],
  ...(row.error !== null ? { error: JSON.parse(row.error) as ResourceError } : {}),
});

const slice = <T>(rows: T[], limit: number): Slice<T> => ({ items: rows.slice(0, limit), more: rows.length > limit });

/**
 * Templates, their versions and assignments, for every kind. Reads take the database or a write's
 * transaction; writes take the transaction. Contracts (enforced by test/conformance/templates.test.ts
 * on both databases):
 * - a template's name is unique per (kind, account): insertTemplate and renameTemplate throw
 *   `conflict()` on a duplicate, whoever wins a race;
 * - allocateVersion hands every caller a distinct version number, however many race;
 * - updateVersion changes an uncommitted version only, and only when its tag is the expected one;
 * - one assignment per (kind, template, target type, target): insertAssignment throws `conflict()`.
 */
export function createTemplateStore(db: Db) {
  const versions = (ex: Executor) =>
    ex
      .selectFrom('template_versions')
      .innerJoin('templates', 'templates.id', 'template_versions.template_id')
      .selectAll('template_versions')
      .select(['templates.kind', 'templates.account_id']);

  return {
    /** Creates a template head; `conflict()` when the kind already has a template of that name in the account. */
    async insertTemplate(
      trx: Trx,
      row: { id: string; kind: string; accountId: string; name: string; createdAt: string; createdById: string },
      conflict: () => Error,
    ): Promise<void> {
      await conflictOnDuplicate(
        trx
          .insertInto('templates')
          .values({ id: row.id, kind: row.kind, account_id: row.accountId, name: row.name, next_version: 1, created_at: row.createdAt, created_by_id: row.createdById })
          .execute(),
        conflict,
      );
    },

    /** Renames a template (a version's new name); `conflict()` when the name is taken. */
    async renameTemplate(trx: Trx, id: string, name: string, conflict: () => Error): Promise<void> {
      await conflictOnDuplicate(trx.updateTable('templates').set({ name }).where('id', '=', id).execute(), conflict);
    },

    /** The template's kind and account, or undefined. */
    async getTemplate(id: string, ex: Executor = db): Promise<{ id: string; kind: string; accountId: string; name: string } | undefined> {
      const row = await ex.selectFrom('templates').select(['id', 'kind', 'account_id', 'name']).where('id', '=', id).executeTakeFirst();
      return row && { id: row.id, kind: row.kind, accountId: row.account_id, name: row.name };
    },

    /**
     * The next version number of the template, taken: a conditional increment retried on the value
     * it finds, so two racing writers never take the same number. Undefined when the template is gone.
     */
    async allocateVersion(trx: Trx, id: string): Promise<number | undefined> {
      for (;;) {
        const row = await trx.selectFrom('templates').select('next_version').where('id', '=', id).executeTakeFirst();
        if (!row) return undefined;
        const next = Number(row.next_version);
        const result = await trx
          .updateTable('templates')
          .set({ next_version: next + 1 })
          .where('id', '=', id)
          .where('next_version', '=', next)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) return next;
      }
    },

    async insertVersion(trx: Trx, v: TemplateVersion): Promise<void> {
      await trx
        .insertInto('template_versions')
        .values({
          template_id: v.id,
          version: v.version,
          name: v.name,
          description: v.description ?? null,
          body: JSON.stringify(v.body),
          committed: v.committed ? 1 : 0,
          created_at: v.createdAt,
          created_by_id: v.createdById,
          last_modified_at: v.lastModifiedAt,
          last_modified_by_id: v.lastModifiedById,
          entity_tag: v.entityTag,
        })
        .execute();
    },

    async getVersion<B>(id: string, version: number, ex: Executor = db): Promise<TemplateVersion<B> | undefined> {
      const row = await versions(ex).where('template_versions.template_id', '=', id).where('template_versions.version', '=', version).executeTakeFirst();
      return row && versionOf<B>(row);
    },

    /** The highest version of the template, or undefined when it has none (or is gone). */
    async latestVersion<B>(id: string, ex: Executor = db): Promise<TemplateVersion<B> | undefined> {
      const row = await versions(ex).where('template_versions.template_id', '=', id).orderBy('template_versions.version', 'desc').limit(1).executeTakeFirst();
      return row && versionOf<B>(row);
    },

    /**
     * Changes an uncommitted version whose tag is `expectedTag` (any tag when undefined). Returns
     * false, changing nothing, when the version is committed, gone or carries another tag.
     */
    async updateVersion(
      trx: Trx,
      id: string,
      version: number,
      expectedTag: string | undefined,
      changes: { name: string; description: string | null; body: unknown; committed: boolean; lastModifiedAt: string; lastModifiedById: string; entityTag: string },
    ): Promise<boolean> {
      let query = trx
        .updateTable('template_versions')
        .set({
          name: changes.name,
          description: changes.description,
          body: JSON.stringify(changes.body),
          committed: changes.committed ? 1 : 0,
          last_modified_at: changes.lastModifiedAt,
          last_modified_by_id: changes.lastModifiedById,
          entity_tag: changes.entityTag,
        })
        .where('template_id', '=', id)
        .where('version', '=', version)
        .where('committed', '=', 0);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      return Number((await query.executeTakeFirst()).numUpdatedRows) === 1;
    },

    /** Commits a version (idempotent); false when it is gone or its tag is not `expectedTag` (when given). */
    async commitVersion(trx: Trx, id: string, version: number, expectedTag: string | undefined, stamp: { at: string; by: string; entityTag: string }): Promise<boolean> {
      let query = trx
        .updateTable('template_versions')
        .set({ committed: 1, last_modified_at: stamp.at, last_modified_by_id: stamp.by, entity_tag: stamp.entityTag })
        .where('template_id', '=', id)
        .where('version', '=', version);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      return Number((await query.executeTakeFirst()).numUpdatedRows) === 1;
    },

    /** Deletes one version; a template left without versions goes too. False when the version was not there. */
    async deleteVersion(trx: Trx, id: string, version: number): Promise<boolean> {
      const result = await trx.deleteFrom('template_versions').where('template_id', '=', id).where('version', '=', version).executeTakeFirst();
      const left = await trx.selectFrom('template_versions').select('version').where('template_id', '=', id).limit(1).executeTakeFirst();
      if (!left) await trx.deleteFrom('templates').where('id', '=', id).execute();
      return Number(result.numDeletedRows) === 1;
    },

    /** Deletes the template and all its versions. */
    async deleteTemplate(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('template_versions').where('template_id', '=', id).execute();
      await trx.deleteFrom('templates').where('id', '=', id).execute();
    },

    /** The latest version of each template of the kind in the account, by template id. */
    async listLatest<B>(filter: { kind: string; accountId: string; name?: string }, window: Window<string>): Promise<Slice<TemplateVersion<B>>> {
      let query = versions(db)
        .where('templates.kind', '=', filter.kind)
        .where('templates.account_id', '=', filter.accountId)
        .where((eb) =>
          eb(
            'template_versions.version',
            '=',
            eb.selectFrom('template_versions as latest').select((e) => e.fn.max('latest.version').as('v')).whereRef('latest.template_id', '=', 'templates.id'),
          ),
        );
      if (filter.name !== undefined) query = query.where('templates.name', '=', filter.name);
      if (window.after !== undefined) query = query.where('templates.id', '>', window.after);
      const rows = await query.orderBy('templates.id').limit(window.limit + 1).execute();
      return slice(rows.map((r) => versionOf<B>(r)), window.limit);
    },

    /** The template's versions in version order. */
    async listVersions<B>(id: string, window: Window<number>): Promise<Slice<TemplateVersion<B>>> {
      let query = versions(db).where('template_versions.template_id', '=', id);
      if (window.after !== undefined) query = query.where('template_versions.version', '>', window.after);
      const rows = await query.orderBy('template_versions.version').limit(window.limit + 1).execute();
      return slice(rows.map((r) => versionOf<B>(r)), window.limit);
    },

    /** How many assignments use the template (any version, or the one given). */
    async countAssignments(templateId: string, version?: number, ex: Executor = db): Promise<number> {
      let query = ex.selectFrom('template_assignments').select((eb) => eb.fn.countAll<number>().as('n')).where('template_id', '=', templateId);
      if (version !== undefined) query = query.where('template_version', '=', version);
      return Number((await query.executeTakeFirstOrThrow()).n);
    },

    // ── Assignments ──────────────────────────────────────────────────────────────────────────

    /** Stores a new assignment (its run by `runner`, when in progress); `conflict()` when the template is already assigned to that target. */
    async insertAssignment(trx: Trx, a: Assignment, conflict: () => Error, runner?: string): Promise<void> {
      await conflictOnDuplicate(
        trx
          .insertInto('template_assignments')
          .values({
            id: a.id,
            kind: a.kind,
            account_id: a.accountId,
            template_id: a.templateId,
            template_version: a.templateVersion,
            target_type: a.targetType,
            target: a.target,
            status: a.status,
            operation: a.operation,
            created_at: a.createdAt,
            created_by_id: a.createdById,
            last_modified_at: a.lastModifiedAt,
            last_modified_by_id: a.lastModifiedById,
            entity_tag: a.entityTag,
            runner: runner ?? null,
            heartbeat_at: runner !== undefined ? a.lastModifiedAt : null,
          })
          .execute(),
        conflict,
      );
    },

    async getAssignment(id: string, ex: Executor = db): Promise<Assignment | undefined> {
      const row = await ex.selectFrom('template_assignments').selectAll().where('id', '=', id).executeTakeFirst();
      return row && assignmentOf(row);
    },

    /** Applies the change when the assignment's tag is `expectedTag` (any when undefined); false otherwise. */
    async updateAssignment(trx: Trx, id: string, expectedTag: string | undefined, change: AssignmentChange): Promise<boolean> {
      let query = trx
        .updateTable('template_assignments')
        .set({
          ...(change.templateVersion !== undefined ? { template_version: change.templateVersion } : {}),
          ...(change.status !== undefined ? { status: change.status } : {}),
          ...(change.operation !== undefined ? { operation: change.operation } : {}),
          last_modified_at: change.lastModifiedAt,
          last_modified_by_id: change.lastModifiedById,
          entity_tag: change.entityTag,
          ...(change.runner !== undefined ? { runner: change.runner, heartbeat_at: change.runner === null ? null : change.lastModifiedAt } : {}),
        })
        .where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      return Number((await query.executeTakeFirst()).numUpdatedRows) === 1;
    },

    /** Renews the heartbeat of every assignment `runner` has in progress. */
    async heartbeat(trx: Trx, runner: string, at: string): Promise<void> {
      await trx.updateTable('template_assignments').set({ heartbeat_at: at }).where('runner', '=', runner).where('status', '=', 'in_progress').execute();
    },

    /**
     * Assignments in progress whose run stopped: no heartbeat since `before` (or none at all). A
     * caller claims one with updateAssignment on its tag, so that one node alone acts on it.
     */
    async staleRuns(before: string, ex: Executor = db): Promise<Assignment[]> {
      const rows = await ex
        .selectFrom('template_assignments')
        .selectAll()
        .where('status', '=', 'in_progress')
        .where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', before)]))
        .orderBy('id')
        .execute();
      return rows.map(assignmentOf);
    },

    /** Deletes the assignment and its resource rows. */
    async deleteAssignment(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('template_assignment_resources').where('assignment_id', '=', id).execute();
      await trx.deleteFrom('template_assignments').where('id', '=', id).execute();
    },

    /** Assignments matching the filter, by id. */
    async listAssignments(filter: AssignmentFilter, window: Window<string>): Promise<Slice<Assignment>> {
      let query = db.selectFrom('template_assignments').selectAll().where('kind', '=', filter.kind).where('account_id', '=', filter.accountId);
      if (filter.templateId !== undefined) query = query.where('template_id', '=', filter.templateId);
      if (filter.templateVersion !== undefined) query = query.where('template_version', '=', filter.templateVersion);
      if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
      if (filter.target !== undefined) query = query.where('target', '=', filter.target);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (window.after !== undefined) query = query.where('id', '>', window.after);
      const rows = await query.orderBy('id').limit(window.limit + 1).execute();
      return slice(rows.map(assignmentOf), window.limit);
    },

    /** Assignments (any kind) whose target is one of these account groups. */
    async assignmentsToGroups(groupIds: readonly string[], ex: Executor = db): Promise<Assignment[]> {
      if (groupIds.length === 0) return [];
      const rows = await ex
        .selectFrom('template_assignments')
        .selectAll()
        .where('target_type', '=', 'AccountGroup')
        .where('target', 'in', [...groupIds])
        .orderBy('id')
        .execute();
      return rows.map(assignmentOf);
    },

    /** The resource rows of an assignment (in one account, when given), by account then key. */
    async resourcesOf(assignmentId: string, accountId?: string, ex: Executor = db): Promise<AssignmentResource[]> {
      let query = ex.selectFrom('template_assignment_resources').selectAll().where('assignment_id', '=', assignmentId);
      if (accountId !== undefined) query = query.where('account_id', '=', accountId);
      const rows = await query.orderBy('account_id').orderBy('resource_key').execute();
      return rows.map(resourceOf);
    },

    /** Replaces the assignment's resource rows in one account with these. */
    async putResources(trx: Trx, assignmentId: string, accountId: string, resources: readonly Omit<AssignmentResource, 'assignmentId' | 'accountId'>[]): Promise<void> {
      await trx.deleteFrom('template_assignment_resources').where('assignment_id', '=', assignmentId).where('account_id', '=', accountId).execute();
      if (resources.length === 0) return;
      await trx
        .insertInto('template_assignment_resources')
        .values(
          resources.map((r) => ({
            assignment_id: assignmentId,
            account_id: accountId,
            resource_key: r.key,
            resource_id: r.resourceId ?? null,
            version: r.version,
            status: r.status,
            error: r.error ? JSON.stringify(r.error) : null,
          })),
        )
        .execute();
    },
  };
}

export type TemplateStore = ReturnType<typeof createTemplateStore>;
