import type { Selectable } from 'kysely';
import { conflictOnDuplicate } from '../../store/conflicts.js';
import type { Db } from '../../store/db.js';
import type { ProfileClaimRulesTable, ProfileIdentitiesTable, ProfileLinksTable, TrustedProfilesTable } from '../../store/schema.js';
import type { Trx } from '../../store/unit-of-work.js';
import { identityErrors } from '../errors.js';
import type { Slice, Window } from '../paging.js';
import { readWindow } from '../store.js';
import type {
  ClaimCondition,
  ClaimRule,
  ClaimRuleType,
  ComputeResourceType,
  LinkTarget,
  ProfileIdentity,
  ProfileIdentityType,
  ProfileLink,
  TrustedProfile,
} from '../types.js';

/**
 * SQL of trusted profiles: profiles, their claim rules, compute-resource links and the identities
 * that may assume them. Reads take the database, or the write transaction when a rule must see the
 * state it is about to change; writes take the transaction. Uniqueness (profile names per account,
 * one link per target, one identity entry per type and identifier) is a unique index, mapped to a
 * 409 here. Conditional updates compare the entity tag in the same statement.
 *
 * This store is also what the token grants (cr-token, assume) read: the lookups by id, IAM id,
 * name and CRN, the rules, links and identities of a profile, and the profiles an identity or a
 * compute resource may assume. A profile that a lookup returns exists, and so is active (profiles
 * have no lock or disable in the v1 API); once deleted, every lookup answers undefined / empty.
 */

type Executor = Db | Trx;

type Stamp = Pick<TrustedProfilesTable, 'modified_at' | 'entity_tag'>;

/** Columns a profile update may change. */
export type ProfileChanges = Partial<Pick<TrustedProfilesTable, 'name' | 'description' | 'email'>>;

/** Columns a claim rule update may change (IBM's update replaces the whole rule). */
export type ClaimRuleChanges = Pick<ProfileClaimRulesTable, 'name' | 'type' | 'realm_name' | 'cr_type' | 'expiration' | 'conditions'>;

export interface ProfileFilter {
  accountId: string;
  name?: string;
  /** Only profiles created by this identity. */
  createdBy?: string;
}

/** deleteLinkByTarget's match: the type and the target parts given; an omitted part matches any value. */
export interface LinkMatch {
  crType: string;
  crn?: string;
  namespace?: string;
  name?: string;
  componentType?: string;
  componentName?: string;
}

const toProfile = (row: Selectable<TrustedProfilesTable>): TrustedProfile => ({
  id: row.id,
  iamId: row.iam_id,
  crn: row.crn,
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  email: row.email,
  createdBy: row.created_by,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  entityTag: row.entity_tag,
  identitiesTag: row.identities_tag,
});

const toRule = (row: Selectable<ProfileClaimRulesTable>): ClaimRule => ({
  id: row.id,
  profileId: row.profile_id,
  name: row.name,
  type: row.type as ClaimRuleType,
  realmName: row.realm_name,
  crType: row.cr_type as ComputeResourceType | null,
  expiration: Number(row.expiration),
  conditions: JSON.parse(row.conditions) as ClaimCondition[],
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  entityTag: row.entity_tag,
});

/** '' (stored for an absent target part) reads back as absent. */
function targetOf(row: Selectable<ProfileLinksTable>): LinkTarget {
  const target: LinkTarget = { crn: row.crn };
  if (row.namespace !== '') target.namespace = row.namespace;
  if (row.link_name !== '') target.name = row.link_name;
  if (row.component_type !== '') target.componentType = row.component_type;
  if (row.component_name !== '') target.componentName = row.component_name;
  return target;
}

const toLink = (row: Selectable<ProfileLinksTable>): ProfileLink => ({
  id: row.id,
  profileId: row.profile_id,
  name: row.name,
  crType: row.cr_type as ComputeResourceType,
  isCrossAccount: row.is_cross_account === 1,
  target: targetOf(row),
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  entityTag: row.entity_tag,
});

const toIdentity = (row: Selectable<ProfileIdentitiesTable>): ProfileIdentity => ({
  type: row.type as ProfileIdentityType,
  identifier: row.identifier,
  iamId: row.iam_id,
  accounts: JSON.parse(row.accounts) as string[],
  description: row.description,
});

const identityRow = (profileId: string, identity: ProfileIdentity): Selectable<ProfileIdentitiesTable> => ({
  profile_id: profileId,
  type: identity.type,
  identifier: identity.identifier,
  iam_id: identity.iamId,
  accounts: JSON.stringify(identity.accounts),
  description: identity.description,
});

export function createProfileStore(db: Db) {
  /** Moves the identity-list tag from `expectedTag` (any when undefined) to `nextTag`; false when the profile is gone or the tag differs. */
  async function moveIdentitiesTag(trx: Trx, profileId: string, expectedTag: string | undefined, nextTag: string): Promise<boolean> {
    let query = trx.updateTable('trusted_profiles').set({ identities_tag: nextTag }).where('id', '=', profileId);
    if (expectedTag !== undefined) query = query.where('identities_tag', '=', expectedTag);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  return {
    // ── Profiles ────────────────────────────────────────────────────────────────────────────

    /** Inserts a profile. Throws the 409 profileNameTaken when the account has a profile of that name (a unique index). */
    async insertProfile(trx: Trx, profile: TrustedProfile): Promise<void> {
      const insert = trx
        .insertInto('trusted_profiles')
        .values({
          id: profile.id,
          iam_id: profile.iamId,
          crn: profile.crn,
          account_id: profile.accountId,
          name: profile.name,
          description: profile.description,
          email: profile.email,
          created_by: profile.createdBy,
          created_at: profile.createdAt,
          modified_at: profile.modifiedAt,
          entity_tag: profile.entityTag,
          identities_tag: profile.identitiesTag,
        })
        .execute();
      await conflictOnDuplicate(insert, () => identityErrors.profileNameTaken(profile.name));
    },

    /** The profile with that id (`Profile-…`), of any account; undefined when there is none. */
    async getProfile(id: string, executor: Executor = db): Promise<TrustedProfile | undefined> {
      const row = await executor.selectFrom('trusted_profiles').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toProfile(row);
    },

    /** The profile with that IAM id (`iam-Profile-…`), of any account; undefined when there is none. */
    async getProfileByIamId(iamId: string, executor: Executor = db): Promise<TrustedProfile | undefined> {
      const row = await executor.selectFrom('trusted_profiles').selectAll().where('iam_id', '=', iamId).executeTakeFirst();
      return row && toProfile(row);
    },

    /** The profile of that exact name in the account (names are unique per account); undefined when there is none. */
    async getProfileByName(accountId: string, name: string, executor: Executor = db): Promise<TrustedProfile | undefined> {
      const row = await executor
        .selectFrom('trusted_profiles')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toProfile(row);
    },

    /** The profile with that CRN (exactly as the profile reports it); undefined when there is none. */
    async getProfileByCrn(crn: string, executor: Executor = db): Promise<TrustedProfile | undefined> {
      const row = await executor.selectFrom('trusted_profiles').selectAll().where('crn', '=', crn).executeTakeFirst();
      return row && toProfile(row);
    },

    /** One window of the account's profiles (keyset paging, see paging.ts). */
    async listProfiles(filter: ProfileFilter, window: Window): Promise<Slice<TrustedProfile>> {
      let query = db.selectFrom('trusted_profiles').selectAll().where('account_id', '=', filter.accountId);
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      if (filter.createdBy !== undefined) query = query.where('created_by', '=', filter.createdBy);
      const slice = await readWindow(query, window);
      return { ...slice, items: slice.items.map(toProfile) };
    },

    async countProfiles(accountId: string): Promise<number> {
      const row = await db
        .selectFrom('trusted_profiles')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * Applies the changes when the profile's tag is `expectedTag` (any when undefined). Returns
     * false, changing nothing, when the profile is gone or its tag differs. Throws the 409
     * profileNameTaken when renaming to the name of another profile of the account.
     */
    async updateProfile(trx: Trx, id: string, expectedTag: string | undefined, changes: ProfileChanges & Stamp): Promise<boolean> {
      let query = trx.updateTable('trusted_profiles').set(changes).where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await conflictOnDuplicate(query.executeTakeFirst(), () => identityErrors.profileNameTaken(changes.name ?? ''));
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Locks the profile for the rest of the transaction (PostgreSQL: its row lock; SQLite has one
     * writer at a time), so per-profile limits are counted and children are added only while no
     * concurrent write changes or deletes the profile. False when the profile does not exist.
     */
    async lockProfile(trx: Trx, id: string): Promise<boolean> {
      const result = await trx
        .updateTable('trusted_profiles')
        .set((eb) => ({ entity_tag: eb.ref('entity_tag') }))
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Deletes the profile with its claim rules, links and identity list. */
    async deleteProfile(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('profile_claim_rules').where('profile_id', '=', id).execute();
      await trx.deleteFrom('profile_links').where('profile_id', '=', id).execute();
      await trx.deleteFrom('profile_identities').where('profile_id', '=', id).execute();
      await trx.deleteFrom('trusted_profiles').where('id', '=', id).execute();
    },

    // ── Claim rules ─────────────────────────────────────────────────────────────────────────

    async insertClaimRule(trx: Trx, rule: ClaimRule): Promise<void> {
      await trx
        .insertInto('profile_claim_rules')
        .values({
          id: rule.id,
          profile_id: rule.profileId,
          name: rule.name,
          type: rule.type,
          realm_name: rule.realmName,
          cr_type: rule.crType,
          expiration: rule.expiration,
          conditions: JSON.stringify(rule.conditions),
          created_at: rule.createdAt,
          modified_at: rule.modifiedAt,
          entity_tag: rule.entityTag,
        })
        .execute();
    },

    /** The rule with that id when it belongs to the profile; undefined otherwise. */
    async getClaimRule(profileId: string, id: string, executor: Executor = db): Promise<ClaimRule | undefined> {
      const row = await executor
        .selectFrom('profile_claim_rules')
        .selectAll()
        .where('id', '=', id)
        .where('profile_id', '=', profileId)
        .executeTakeFirst();
      return row && toRule(row);
    },

    /** Every claim rule of the profile, oldest first (empty when the profile has none or is gone). */
    async claimRulesOf(profileId: string, executor: Executor = db): Promise<ClaimRule[]> {
      const rows = await executor
        .selectFrom('profile_claim_rules')
        .selectAll()
        .where('profile_id', '=', profileId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRule);
    },

    /** How many claim rules of each type the profile has. */
    async countClaimRules(trx: Trx, profileId: string, type: ClaimRuleType): Promise<number> {
      const row = await trx
        .selectFrom('profile_claim_rules')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('profile_id', '=', profileId)
        .where('type', '=', type)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Replaces the rule's fields when its tag is `expectedTag` (any when undefined); false when it is gone or the tag differs. */
    async updateClaimRule(
      trx: Trx,
      profileId: string,
      id: string,
      expectedTag: string | undefined,
      changes: ClaimRuleChanges & Stamp,
    ): Promise<boolean> {
      let query = trx.updateTable('profile_claim_rules').set(changes).where('id', '=', id).where('profile_id', '=', profileId);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Deletes the rule when it belongs to the profile; false when there was none. */
    async deleteClaimRule(trx: Trx, profileId: string, id: string): Promise<boolean> {
      const result = await trx.deleteFrom('profile_claim_rules').where('id', '=', id).where('profile_id', '=', profileId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    // ── Links ───────────────────────────────────────────────────────────────────────────────

    /** Inserts a link. Throws the 409 linkExists when the profile already links that exact target (a unique index). */
    async insertLink(trx: Trx, link: ProfileLink): Promise<void> {
      const insert = trx
        .insertInto('profile_links')
        .values({
          id: link.id,
          profile_id: link.profileId,
          name: link.name,
          cr_type: link.crType,
          is_cross_account: link.isCrossAccount ? 1 : 0,
          crn: link.target.crn,
          namespace: link.target.namespace ?? '',
          link_name: link.target.name ?? '',
          component_type: link.target.componentType ?? '',
          component_name: link.target.componentName ?? '',
          created_at: link.createdAt,
          modified_at: link.modifiedAt,
          entity_tag: link.entityTag,
        })
        .execute();
      await conflictOnDuplicate(insert, () => identityErrors.linkExists());
    },

    /** The link with that id when it belongs to the profile; undefined otherwise. */
    async getLink(profileId: string, id: string, executor: Executor = db): Promise<ProfileLink | undefined> {
      const row = await executor.selectFrom('profile_links').selectAll().where('id', '=', id).where('profile_id', '=', profileId).executeTakeFirst();
      return row && toLink(row);
    },

    /** Every link of the profile, oldest first (empty when it has none or is gone). */
    async linksOf(profileId: string, executor: Executor = db): Promise<ProfileLink[]> {
      const rows = await executor
        .selectFrom('profile_links')
        .selectAll()
        .where('profile_id', '=', profileId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toLink);
    },

    /** Every link, of any profile and account, whose target CRN is exactly `crn`: the profiles a compute resource may assume. */
    async linksToCrn(crn: string, executor: Executor = db): Promise<ProfileLink[]> {
      const rows = await executor.selectFrom('profile_links').selectAll().where('crn', '=', crn).orderBy('created_at').orderBy('id').execute();
      return rows.map(toLink);
    },

    async countLinks(trx: Trx, profileId: string): Promise<number> {
      const row = await trx
        .selectFrom('profile_links')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('profile_id', '=', profileId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Deletes the link when it belongs to the profile; false when there was none. */
    async deleteLink(trx: Trx, profileId: string, id: string): Promise<boolean> {
      const result = await trx.deleteFrom('profile_links').where('id', '=', id).where('profile_id', '=', profileId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Deletes the profile's links that match (see LinkMatch); returns the ids deleted (empty when none matched). */
    async deleteLinksMatching(trx: Trx, profileId: string, match: LinkMatch): Promise<string[]> {
      let query = trx.selectFrom('profile_links').select('id').where('profile_id', '=', profileId).where('cr_type', '=', match.crType);
      if (match.crn !== undefined) query = query.where('crn', '=', match.crn);
      if (match.namespace !== undefined) query = query.where('namespace', '=', match.namespace);
      if (match.name !== undefined) query = query.where('link_name', '=', match.name);
      if (match.componentType !== undefined) query = query.where('component_type', '=', match.componentType);
      if (match.componentName !== undefined) query = query.where('component_name', '=', match.componentName);
      const ids = (await query.execute()).map((row) => row.id);
      if (ids.length > 0) await trx.deleteFrom('profile_links').where('id', 'in', ids).execute();
      return ids;
    },

    // ── Identities that may assume a profile ───────────────────────────────────────────────

    /** The profile's identity list, ordered by type and identifier (empty when none or gone). */
    async identitiesOf(profileId: string, executor: Executor = db): Promise<ProfileIdentity[]> {
      const rows = await executor
        .selectFrom('profile_identities')
        .selectAll()
        .where('profile_id', '=', profileId)
        .orderBy('type')
        .orderBy('identifier')
        .execute();
      return rows.map(toIdentity);
    },

    /** One entry of the profile's identity list; undefined when the list has none of that type and identifier. */
    async getIdentity(profileId: string, type: ProfileIdentityType, identifier: string, executor: Executor = db): Promise<ProfileIdentity | undefined> {
      const row = await executor
        .selectFrom('profile_identities')
        .selectAll()
        .where('profile_id', '=', profileId)
        .where('type', '=', type)
        .where('identifier', '=', identifier)
        .executeTakeFirst();
      return row && toIdentity(row);
    },

    /** The ids of the profiles whose identity lists name `iamId` (any type), of any account. */
    async profilesAssumableBy(iamId: string, executor: Executor = db): Promise<string[]> {
      const rows = await executor.selectFrom('profile_identities').select('profile_id').where('iam_id', '=', iamId).orderBy('profile_id').execute();
      return [...new Set(rows.map((row) => row.profile_id))];
    },

    /**
     * Replaces the whole list when the list's tag is `expectedTag` (any when undefined), moving the
     * tag to `nextTag`. False, changing nothing, when the profile is gone or the tag differs.
     * Entries must be unique by type and identifier (the primary key; a duplicate throws).
     */
    async replaceIdentities(
      trx: Trx,
      profileId: string,
      expectedTag: string | undefined,
      nextTag: string,
      identities: readonly ProfileIdentity[],
    ): Promise<boolean> {
      if (!(await moveIdentitiesTag(trx, profileId, expectedTag, nextTag))) return false;
      await trx.deleteFrom('profile_identities').where('profile_id', '=', profileId).execute();
      if (identities.length > 0) await trx.insertInto('profile_identities').values(identities.map((i) => identityRow(profileId, i))).execute();
      return true;
    },

    /**
     * Adds the entry, or replaces the one of the same type and identifier (one statement, an
     * upsert), and moves the list's tag to `nextTag`. False when the profile is gone.
     */
    async putIdentity(trx: Trx, profileId: string, nextTag: string, identity: ProfileIdentity): Promise<boolean> {
      if (!(await moveIdentitiesTag(trx, profileId, undefined, nextTag))) return false;
      const row = identityRow(profileId, identity);
      await trx
        .insertInto('profile_identities')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['profile_id', 'type', 'identifier']).doUpdateSet({ iam_id: row.iam_id, accounts: row.accounts, description: row.description }),
        )
        .execute();
      return true;
    },

    /** Removes one entry and moves the list's tag to `nextTag`; false (nothing changed) when there was no such entry. */
    async deleteIdentity(trx: Trx, profileId: string, type: ProfileIdentityType, identifier: string, nextTag: string): Promise<boolean> {
      const result = await trx
        .deleteFrom('profile_identities')
        .where('profile_id', '=', profileId)
        .where('type', '=', type)
        .where('identifier', '=', identifier)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await moveIdentitiesTag(trx, profileId, undefined, nextTag);
      return true;
    },
  };
}

export type ProfileStore = ReturnType<typeof createProfileStore>;
