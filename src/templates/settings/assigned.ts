import type { Db } from '../../store/db.js';
import type { AccountSettingsBody } from './kind.js';
import { SETTINGS_KEY } from './kind.js';

/** An account-settings template in force in an account: the version its assignment last applied there. */
export interface AssignedSettings {
  templateId: string;
  templateVersion: number;
  templateName: string;
  settings: AccountSettingsBody;
}

/**
 * The account-settings templates applied to an account (IBM's `assigned_templates` of the
 * effective settings), oldest assignment first: read from the template core's resource rows
 * (succeeded ones) and the versions they applied.
 */
export function assignedSettingsLookup(db: Db) {
  return async (accountId: string): Promise<AssignedSettings[]> => {
    const rows = await db
      .selectFrom('template_assignment_resources as r')
      .innerJoin('template_assignments as a', 'a.id', 'r.assignment_id')
      .innerJoin('template_versions as v', (join) => join.onRef('v.template_id', '=', 'a.template_id').onRef('v.version', '=', 'r.version'))
      .select(['a.template_id', 'r.version', 'v.name', 'v.body', 'a.created_at', 'a.id'])
      .where('r.account_id', '=', accountId)
      .where('r.resource_key', '=', SETTINGS_KEY)
      .where('r.status', '=', 'succeeded')
      .where('a.kind', '=', 'account_settings')
      .orderBy('a.created_at')
      .orderBy('a.id')
      .execute();
    return rows.map((row) => ({
      templateId: row.template_id,
      templateVersion: Number(row.version),
      templateName: row.name,
      settings: JSON.parse(row.body) as AccountSettingsBody,
    }));
  };
}
