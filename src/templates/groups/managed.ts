import type { Db } from '../../store/db.js';
import type { Trx } from '../../store/unit-of-work.js';

/** Which assignment manages a resource, read from the template core's resource rows (indexed by resource id, migration 020). */
export interface ManagedBy {
  assignmentId: string;
  templateId: string;
  templateVersion: number;
  kind: string;
  /** The resource's key in its assignment (`group`, `rule:0`, `profile` …: TemplateKind's keys). */
  key: string;
}

export function managedLookup(db: Db) {
  return async (resourceId: string, ex: Db | Trx = db): Promise<ManagedBy | undefined> => {
    const row = await ex
      .selectFrom('template_assignment_resources as r')
      .innerJoin('template_assignments as a', 'a.id', 'r.assignment_id')
      .select(['a.id', 'a.template_id', 'r.version', 'a.kind', 'r.resource_key'])
      .where('r.resource_id', '=', resourceId)
      .where('r.status', '=', 'succeeded')
      .executeTakeFirst();
    return row && { assignmentId: row.id, templateId: row.template_id, templateVersion: Number(row.version), kind: row.kind, key: row.resource_key };
  };
}

export type ManagedLookup = ReturnType<typeof managedLookup>;
