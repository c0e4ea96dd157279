import type { Selectable } from 'kysely';
import type { Db } from '../store/db.js';
import type { IdentityPreferencesTable, IdentityReportsTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';

/**
 * SQL of the identity extras: preferences (upserted on their unique key, never check-then-insert),
 * the counts behind account limits, and activity-report jobs with the authentication records they
 * are computed from. Reads take the database; writes take the transaction, except a report job's
 * completion, which is the computing node's own bookkeeping (no entity change, no feed entry).
 */

export type PreferenceRow = Selectable<IdentityPreferencesTable>;
export type ReportRow = Selectable<IdentityReportsTable>;

export interface PreferenceKey {
  accountId: string;
  iamId: string;
  service: string;
  preferenceId: string;
}

/** A member of an account as an activity report lists it. */
export interface MemberActivityRow {
  iamId: string;
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** An API key as an activity report lists it. */
export interface KeyActivityRow {
  id: string;
  name: string;
  iamId: string;
  ownerType: string;
  lastAuthn: string | null;
}

const byKey = (key: PreferenceKey) =>
  ({ account_id: key.accountId, iam_id: key.iamId, service: key.service, preference_id: key.preferenceId }) as const;

/** Counts rows per value of one column, for the values asked about (absent values count 0). */
function countsOf(rows: Array<{ key: string | null; n: number | string | bigint }>, wanted: string[]): Map<string, number> {
  const counts = new Map(wanted.map((w) => [w, 0]));
  for (const row of rows) if (row.key !== null && counts.has(row.key)) counts.set(row.key, Number(row.n));
  return counts;
}

export function createExtrasStore(db: Db) {
  return {
    // ── Preferences ───────────────────────────────────────────────────────────────────────

    async getPreference(key: PreferenceKey): Promise<PreferenceRow | undefined> {
      const k = byKey(key);
      return db
        .selectFrom('identity_preferences')
        .selectAll()
        .where('account_id', '=', k.account_id)
        .where('iam_id', '=', k.iam_id)
        .where('service', '=', k.service)
        .where('preference_id', '=', k.preference_id)
        .executeTakeFirst();
    },

    async listPreferences(accountId: string, iamId: string): Promise<PreferenceRow[]> {
      return db
        .selectFrom('identity_preferences')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('iam_id', '=', iamId)
        .orderBy('service')
        .orderBy('preference_id')
        .execute();
    },

    /** Inserts the preference, or replaces its value when it exists (one statement). */
    async upsertPreference(trx: Trx, row: PreferenceRow): Promise<void> {
      await trx
        .insertInto('identity_preferences')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['account_id', 'iam_id', 'service', 'preference_id']).doUpdateSet({
            value_string: row.value_string,
            value_list: row.value_list,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
          }),
        )
        .execute();
    },

    /** Whether a preference was there to delete. */
    async deletePreference(trx: Trx, key: PreferenceKey): Promise<boolean> {
      const k = byKey(key);
      const result = await trx
        .deleteFrom('identity_preferences')
        .where('account_id', '=', k.account_id)
        .where('iam_id', '=', k.iam_id)
        .where('service', '=', k.service)
        .where('preference_id', '=', k.preference_id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    // ── Consumption counts ────────────────────────────────────────────────────────────────

    async countServiceIdGroups(accountId: string): Promise<number> {
      const row = await db.selectFrom('service_id_groups').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** Service IDs per group of the account; groups of other accounts (or none) count 0. */
    /** The account's trusted profiles. */
    async countProfiles(accountId: string): Promise<number> {
      const row = await db
        .selectFrom('trusted_profiles')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Claim rules of one type (`Profile-SAML`, `Profile-CR`) of the account's profiles: in all, and per profile asked about (another account's profile counts 0). */
    async countClaimRules(accountId: string, type: string, profileIds: string[]): Promise<{ total: number; per: Map<string, number> }> {
      const rows = await db
        .selectFrom('profile_claim_rules')
        .innerJoin('trusted_profiles', 'trusted_profiles.id', 'profile_claim_rules.profile_id')
        .select((eb) => ['profile_claim_rules.profile_id as key', eb.fn.countAll().as('n')])
        .where('trusted_profiles.account_id', '=', accountId)
        .where('profile_claim_rules.type', '=', type)
        .groupBy('profile_claim_rules.profile_id')
        .execute();
      return { total: rows.reduce((sum, r) => sum + Number(r.n), 0), per: countsOf(rows, profileIds) };
    },

    /** Compute-resource links of the account's profiles: in all, and per profile asked about (another account's profile counts 0). */
    async countLinks(accountId: string, profileIds: string[]): Promise<{ total: number; per: Map<string, number> }> {
      const rows = await db
        .selectFrom('profile_links')
        .innerJoin('trusted_profiles', 'trusted_profiles.id', 'profile_links.profile_id')
        .select((eb) => ['profile_links.profile_id as key', eb.fn.countAll().as('n')])
        .where('trusted_profiles.account_id', '=', accountId)
        .groupBy('profile_links.profile_id')
        .execute();
      return { total: rows.reduce((sum, r) => sum + Number(r.n), 0), per: countsOf(rows, profileIds) };
    },

    async countServiceIdsPerGroup(accountId: string, groupIds: string[]): Promise<Map<string, number>> {
      if (groupIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('service_ids')
        .select((eb) => ['group_id as key', eb.fn.countAll().as('n')])
        .where('account_id', '=', accountId)
        .where('group_id', 'in', groupIds)
        .groupBy('group_id')
        .execute();
      return countsOf(rows, groupIds);
    },

    /** API keys per identity, counting the keys held in this account only. */
    async countApiKeysPerIdentity(accountId: string, iamIds: string[]): Promise<Map<string, number>> {
      if (iamIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('api_keys')
        .select((eb) => ['iam_id as key', eb.fn.countAll().as('n')])
        .where('account_id', '=', accountId)
        .where('iam_id', 'in', iamIds)
        .groupBy('iam_id')
        .execute();
      return countsOf(rows, iamIds);
    },

    // ── Activity reports ──────────────────────────────────────────────────────────────────

    async insertReport(trx: Trx, row: ReportRow): Promise<void> {
      await trx.insertInto('identity_reports').values(row).execute();
    },

    /** Drops the account's reports created before `before` (ISO-8601). */
    async deleteReportsBefore(trx: Trx, accountId: string, before: string): Promise<void> {
      await trx.deleteFrom('identity_reports').where('account_id', '=', accountId).where('created_at', '<', before).execute();
    },

    async getReport(accountId: string, reference: string): Promise<ReportRow | undefined> {
      return db.selectFrom('identity_reports').selectAll().where('account_id', '=', accountId).where('reference', '=', reference).executeTakeFirst();
    },

    /** The account's newest report of that type. */
    async latestReport(accountId: string, type: string): Promise<ReportRow | undefined> {
      return db
        .selectFrom('identity_reports')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('type', '=', type)
        .orderBy('created_at', 'desc')
        .orderBy('reference', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    /** Stores a running job's outcome; a job already settled (or deleted) stays as it is. */
    async settleReport(reference: string, status: 'done' | 'failed', result: string | null, at: string): Promise<void> {
      await db
        .updateTable('identity_reports')
        .set({ status, result, completed_at: at })
        .where('reference', '=', reference)
        .where('status', '=', 'running')
        .execute();
    },

    /** The account's users who can authenticate (invitations not yet accepted excluded). */
    async membersOf(accountId: string): Promise<MemberActivityRow[]> {
      return db
        .selectFrom('account_users as m')
        .innerJoin('users as u', 'u.iam_id', 'm.iam_id')
        .select(['u.iam_id as iamId', 'u.user_id as userId', 'u.email as email', 'u.first_name as firstName', 'u.last_name as lastName'])
        .where('m.account_id', '=', accountId)
        .where('m.state', '!=', 'PENDING')
        .orderBy('u.iam_id')
        .execute();
    },

    async serviceIdsOf(accountId: string): Promise<Array<{ id: string; iamId: string; name: string }>> {
      return db.selectFrom('service_ids').select(['id', 'iam_id as iamId', 'name']).where('account_id', '=', accountId).orderBy('id').execute();
    },

    /** Every API key of the account with its last authentication (null: never). */
    async apiKeysOf(accountId: string): Promise<KeyActivityRow[]> {
      return db
        .selectFrom('api_keys')
        .select(['id', 'name', 'iam_id as iamId', 'owner_type as ownerType', 'last_authn as lastAuthn'])
        .where('account_id', '=', accountId)
        .orderBy('id')
        .execute();
    },
  };
}

export type ExtrasStore = ReturnType<typeof createExtrasStore>;
