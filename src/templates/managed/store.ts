import type { Db } from '../../store/db.js';
import { conflictOnDuplicate } from '../../store/conflicts.js';
import type { IamManagedResourcesTable, IamTemplateAssignmentsTable, IamTemplatesTable } from '../../store/schema.js';
import type { Trx } from '../../store/unit-of-work.js';
import { templateErrors } from './errors.js';
import type { Assignment, KindName, ManagedResource, Slice, TemplateVersion } from './types.js';

type Executor = Db | Trx;

const toVersion = (row: IamTemplatesTable): TemplateVersion => ({
  kind: row.kind as KindName,
  id: row.id,
  version: Number(row.version),
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  committed: Number(row.committed) === 1,
  body: JSON.parse(row.body) as unknown,
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
  entityTag: row.entity_tag,
});

const toAssignment = (row: IamTemplateAssignmentsTable): Assignment => ({
  kind: row.kind as KindName,
  id: row.id,
  accountId: row.account_id,
  templateId: row.template_id,
  templateVersion: Number(row.template_version),
  targetType: row.target_type,
  target: row.target,
  operation: row.operation as Assignment['operation'],
  status: row.status as Assignment['status'],
  resources: JSON.parse(row.resources) as Assignment['resources'],
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
  entityTag: row.entity_tag,
});

const toManaged = (row: IamManagedResourcesTable): ManagedResource => ({
  kind: row.kind as KindName,
  resourceId: row.resource_id,
  accountId: row.account_id,
  assignmentId: row.assignment_id,
  templateId: row.template_id,
  templateVersion: Number(row.template_version),
  actionControls: JSON.parse(row.action_controls) as Record<string, unknown>,
});

export interface AssignmentFilter {
  accountId: string;
  templateId?: string;
  templateVersion?: number;
  target?: string;
  targetType?: string;
  status?: string;
}

/**
 * The template store, shared by every identity template kind (rows carry their kind). Contracts
 * (test/conformance/identity-templates.test.ts, both databases):
 * - versions of a template are numbered from 1 without reuse while the template exists: a new
 *   version takes the highest number + 1, and two concurrent creations cannot take the same one
 *   (primary key (id, version): the loser gets a 409);
 * - updates and commits are conditional on the entity tag read (false when it changed) and never
 *   touch a committed version;
 * - one assignment per template and target (unique index): a second one is a 409;
 * - a resource is managed by at most one assignment (primary key (kind, resource_id)).
 */
export function createTemplateStore(db: Db) {
  const versions = (ex: Executor, kind: KindName) => ex.selectFrom('iam_templates').selectAll().where('kind', '=', kind);

  return {
    async getVersion(kind: KindName, id: string, version: number, ex: Executor = db): Promise<TemplateVersion | undefined> {
      const row = await versions(ex, kind).where('id', '=', id).where('version', '=', version).executeTakeFirst();
      return row && toVersion(row);
    },

    /** The highest-numbered version of a template, or undefined when it has none. */
    async getLatest(kind: KindName, id: string, ex: Executor = db): Promise<TemplateVersion | undefined> {
      const row = await versions(ex, kind).where('id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst();
      return row && toVersion(row);
    },

    /** Every version of a template, oldest first, one page of them. */
    async listVersions(kind: KindName, id: string, page: { limit: number; offset: number }): Promise<Slice<TemplateVersion>> {
      const base = versions(db, kind).where('id', '=', id);
      const count = await base.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base.orderBy('version').limit(page.limit).offset(page.offset).execute();
      return { items: rows.map(toVersion), totalCount: Number(count.n), ...page };
    },

    /** The latest version of each template of an account, by template creation then id; one page. */
    async listLatest(kind: KindName, accountId: string, page: { limit: number; offset: number }): Promise<Slice<TemplateVersion>> {
      const latest = (ex: Executor) =>
        ex
          .selectFrom('iam_templates as t')
          .where('t.kind', '=', kind)
          .where('t.account_id', '=', accountId)
          .where(({ eb, selectFrom }) =>
            eb('t.version', '=', selectFrom('iam_templates as u').select((e) => e.fn.max('u.version').as('v')).whereRef('u.id', '=', 't.id')),
          );
      const count = await latest(db).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await latest(db).selectAll('t').orderBy('t.created_at').orderBy('t.id').limit(page.limit).offset(page.offset).execute();
      return { items: rows.map(toVersion), totalCount: Number(count.n), ...page };
    },

    /** Inserts a version; a concurrent insert of the same number is a 409. */
    async insertVersion(trx: Trx, v: TemplateVersion): Promise<void> {
      await conflictOnDuplicate(
        trx
          .insertInto('iam_templates')
          .values({
            kind: v.kind,
            id: v.id,
            version: v.version,
            account_id: v.accountId,
            name: v.name,
            description: v.description,
            committed: v.committed ? 1 : 0,
            body: JSON.stringify(v.body),
            created_at: v.createdAt,
            created_by_id: v.createdById,
            last_modified_at: v.lastModifiedAt,
            last_modified_by_id: v.lastModifiedById,
            entity_tag: v.entityTag,
          })
          .execute(),
        () => templateErrors.concurrentVersion(v.id),
      );
    },

    /** Changes an uncommitted version whose tag is still `expectedTag` (any when undefined); false otherwise. */
    async updateVersion(
      trx: Trx,
      kind: KindName,
      id: string,
      version: number,
      expectedTag: string | undefined,
      changes: Partial<Pick<IamTemplatesTable, 'name' | 'description' | 'body' | 'committed'>> &
        Pick<IamTemplatesTable, 'last_modified_at' | 'last_modified_by_id' | 'entity_tag'>,
    ): Promise<boolean> {
      let q = trx
        .updateTable('iam_templates')
        .set(changes)
        .where('kind', '=', kind)
        .where('id', '=', id)
        .where('version', '=', version)
        .where('committed', '=', 0);
      if (expectedTag !== undefined) q = q.where('entity_tag', '=', expectedTag);
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteVersion(trx: Trx, kind: KindName, id: string, version: number): Promise<boolean> {
      const result = await trx.deleteFrom('iam_templates').where('kind', '=', kind).where('id', '=', id).where('version', '=', version).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async deleteTemplate(trx: Trx, kind: KindName, id: string): Promise<number> {
      const result = await trx.deleteFrom('iam_templates').where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** How many versions of a template are there now (for the per-template limit). */
    async countVersions(trx: Trx, kind: KindName, id: string): Promise<number> {
      const row = await trx
        .selectFrom('iam_templates')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', kind)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    // ── Assignments ─────────────────────────────────────────────────────────────────────────

    async getAssignment(kind: KindName, id: string, ex: Executor = db): Promise<Assignment | undefined> {
      const row = await ex.selectFrom('iam_template_assignments').selectAll().where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
      return row && toAssignment(row);
    },

    async listAssignments(kind: KindName, filter: AssignmentFilter, page: { limit: number; offset: number }): Promise<Slice<Assignment>> {
      let q = db.selectFrom('iam_template_assignments').where('kind', '=', kind).where('account_id', '=', filter.accountId);
      if (filter.templateId !== undefined) q = q.where('template_id', '=', filter.templateId);
      if (filter.templateVersion !== undefined) q = q.where('template_version', '=', filter.templateVersion);
      if (filter.target !== undefined) q = q.where('target', '=', filter.target);
      if (filter.targetType !== undefined) q = q.where('target_type', '=', filter.targetType as 'Account');
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await q.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
      return { items: rows.map(toAssignment), totalCount: Number(count.n), ...page };
    },

    /** Whether any assignment uses this template (this version, when given): such versions stay. */
    async isAssigned(trx: Trx, kind: KindName, templateId: string, version?: number): Promise<boolean> {
      let q = trx.selectFrom('iam_template_assignments').select('id').where('kind', '=', kind).where('template_id', '=', templateId);
      if (version !== undefined) q = q.where('template_version', '=', version);
      return (await q.limit(1).executeTakeFirst()) !== undefined;
    },

    /** Inserts an assignment; one of the same template and target already there is a 409. */
    async insertAssignment(trx: Trx, a: Assignment): Promise<void> {
      await conflictOnDuplicate(
        trx
          .insertInto('iam_template_assignments')
          .values({
            kind: a.kind,
            id: a.id,
            account_id: a.accountId,
            template_id: a.templateId,
            template_version: a.templateVersion,
            target_type: a.targetType,
            target: a.target,
            operation: a.operation,
            status: a.status,
            resources: JSON.stringify(a.resources),
            created_at: a.createdAt,
            created_by_id: a.createdById,
            last_modified_at: a.lastModifiedAt,
            last_modified_by_id: a.lastModifiedById,
            entity_tag: a.entityTag,
          })
          .execute(),
        () => templateErrors.alreadyAssigned(a.templateId, a.target),
      );
    },

    /** Changes an assignment whose tag is still `expectedTag` (any when undefined); false otherwise. */
    async updateAssignment(
      trx: Trx,
      kind: KindName,
      id: string,
      expectedTag: string | undefined,
      changes: Partial<Pick<IamTemplateAssignmentsTable, 'template_version' | 'operation' | 'status' | 'resources'>> &
        Pick<IamTemplateAssignmentsTable, 'last_modified_at' | 'last_modified_by_id' | 'entity_tag'>,
    ): Promise<boolean> {
      let q = trx.updateTable('iam_template_assignments').set(changes).where('kind', '=', kind).where('id', '=', id);
      if (expectedTag !== undefined) q = q.where('entity_tag', '=', expectedTag);
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteAssignment(trx: Trx, kind: KindName, id: string): Promise<void> {
      await trx.deleteFrom('iam_template_assignments').where('kind', '=', kind).where('id', '=', id).execute();
    },

    // ── Managed resources ───────────────────────────────────────────────────────────────────

    async managedResource(kind: KindName, resourceId: string, ex: Executor = db): Promise<ManagedResource | undefined> {
      const row = await ex.selectFrom('iam_managed_resources').selectAll().where('kind', '=', kind).where('resource_id', '=', resourceId).executeTakeFirst();
      return row && toManaged(row);
    },

    /** What an assignment manages in one account, if anything yet. */
    async managedIn(trx: Executor, kind: KindName, assignmentId: string, accountId: string): Promise<ManagedResource | undefined> {
      const row = await trx
        .selectFrom('iam_managed_resources')
        .selectAll()
        .where('kind', '=', kind)
        .where('assignment_id', '=', assignmentId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return row && toManaged(row);
    },

    async managedBy(kind: KindName, assignmentId: string, ex: Executor = db): Promise<ManagedResource[]> {
      const rows = await ex.selectFrom('iam_managed_resources').selectAll().where('kind', '=', kind).where('assignment_id', '=', assignmentId).execute();
      return rows.map(toManaged);
    },

    async putManaged(trx: Trx, m: ManagedResource): Promise<void> {
      const row = {
        kind: m.kind,
        resource_id: m.resourceId,
        account_id: m.accountId,
        assignment_id: m.assignmentId,
        template_id: m.templateId,
        template_version: m.templateVersion,
        action_controls: JSON.stringify(m.actionControls),
      };
      await trx
        .insertInto('iam_managed_resources')
        .values(row)
        .onConflict((oc) => oc.columns(['kind', 'resource_id']).doUpdateSet({ template_version: row.template_version, action_controls: row.action_controls }))
        .execute();
    },

    async deleteManaged(trx: Trx, kind: KindName, resourceId: string): Promise<void> {
      await trx.deleteFrom('iam_managed_resources').where('kind', '=', kind).where('resource_id', '=', resourceId).execute();
    },
  };
}

export type TemplateStore = ReturnType<typeof createTemplateStore>;
