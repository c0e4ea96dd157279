import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { Db } from '../store/db.js';
import { conflictOnDuplicate } from '../store/conflicts.js';
import type { AccessGroupRulesTable, AccessGroupsTable, Schema } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import { accessGroupErrors } from './errors.js';
import type { AccessGroup, Member, MemberType, Membership, MembershipType, PageRequest, Rule, RuleCondition, Settings } from './types.js';

/**
 * SQL of the access-groups domain. Reads take the database, or the write transaction when a rule
 * must see the state it is about to change; writes take the transaction. `at` parameters are the
 * current instant (ISO-8601): dynamic memberships count strictly before their `expires_at`.
 * Conditional updates compare the entity tag in the same statement, so two updates carrying the
 * same If-Match cannot both succeed.
 */

type Executor = Db | Trx;

export type GroupSort = 'id' | 'name' | 'description' | 'is_federated';
export type MemberSort = 'id' | 'name' | 'email';

export interface GroupFilter {
  accountId: string;
  /** Only groups this identity is a member of, by `membershipType`. */
  member?: { iamId: string; membershipType: MembershipType };
  /** Case-insensitive substring match on one column. */
  search?: { field: 'id' | 'name' | 'description'; text: string };
  sort: GroupSort;
}

export interface MemberFilter {
  membershipType: MembershipType;
  type?: MemberType;
  sort?: MemberSort;
}

export type GroupRow = Omit<Selectable<AccessGroupsTable>, 'name_key'>;
export type GroupChanges = Pick<AccessGroupsTable, 'name' | 'description' | 'last_modified_at' | 'last_modified_by_id' | 'entity_tag'>;
export type RuleRow = Omit<Selectable<AccessGroupRulesTable>, 'conditions'> & { conditions: RuleCondition[] };
export type RuleChanges = Omit<RuleRow, 'id' | 'account_id' | 'group_id' | 'created_at' | 'created_by_id'>;

export interface StaticMemberRow {
  account_id: string;
  group_id: string;
  iam_id: string;
  type: MemberType;
  created_at: string;
  created_by_id: string;
}

export interface DynamicMemberRow {
  group_id: string;
  iam_id: string;
  type: MemberType;
  realm_name: string;
  rule_ids: string[];
  created_at: string;
  expires_at: string;
}

const toGroup = (row: Selectable<AccessGroupsTable> & { is_federated: unknown }): AccessGroup => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
  entityTag: row.entity_tag,
  // EXISTS is a boolean on PostgreSQL and 0/1 on SQLite.
  isFederated: Number(row.is_federated) === 1,
});

const toRule = (row: Selectable<AccessGroupRulesTable>): Rule => ({
  id: row.id,
  accountId: row.account_id,
  groupId: row.group_id,
  name: row.name,
  expiration: Number(row.expiration),
  realmName: row.realm_name,
  conditions: JSON.parse(row.conditions) as RuleCondition[],
  createdAt: row.created_at,
  createdById: row.created_by_id,
  lastModifiedAt: row.last_modified_at,
  lastModifiedById: row.last_modified_by_id,
  entityTag: row.entity_tag,
});

/** Runs a statement that writes a group name; a concurrent write of the same name is a 409. */
const namingGroup = <T>(name: string, statement: Promise<T>): Promise<T> =>
  conflictOnDuplicate(statement, () => accessGroupErrors.nameTaken(name));

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `g` has at least one rule. */
const hasRules = (eb: ExpressionBuilder<Schema & { g: AccessGroupsTable }, 'g'>) =>
  eb.exists(
    eb
      .selectFrom('access_group_rules as r')
      .select(sql<number>`1`.as('one'))
      .whereRef('r.account_id', '=', 'g.account_id')
      .whereRef('r.group_id', '=', 'g.id'),
  );

/** `g` has `iamId` as a member of the given kind. */
function hasMember(eb: ExpressionBuilder<Schema & { g: AccessGroupsTable }, 'g'>, iamId: string, type: MembershipType, at: string) {
  const statics = eb.exists(
    eb
      .selectFrom('access_group_members as m')
      .select(sql<number>`1`.as('one'))
      .whereRef('m.account_id', '=', 'g.account_id')
      .whereRef('m.group_id', '=', 'g.id')
      .where('m.iam_id', '=', iamId),
  );
  const dynamics = eb.exists(
    eb
      .selectFrom('access_group_dynamic_members as d')
      .select(sql<number>`1`.as('one'))
      .whereRef('d.account_id', '=', 'g.account_id')
      .whereRef('d.group_id', '=', 'g.id')
      .where('d.iam_id', '=', iamId)
      .where('d.expires_at', '>', at),
  );
  return type === 'static' ? statics : type === 'dynamic' ? dynamics : eb.or([statics, dynamics]);
}

/** The stored Public Access flag (0 or 1). */
const isEnabled = (flag: number) => Number(flag) === 1;

export function createAccessGroupsStore(db: Db) {
  const groupsQuery = (executor: Executor) =>
    executor
      .selectFrom('access_groups as g')
      .selectAll('g')
      .select((eb) => hasRules(eb).as('is_federated'));

  /** Static members of a group (with user / service ID details), as a union-able query. */
  const staticMembers = (accountId: string, groupId: string, type: MemberType | undefined) => {
    let q = db
      .selectFrom('access_group_members as m')
      .leftJoin('users as u', 'u.iam_id', 'm.iam_id')
      .leftJoin('service_ids as s', 's.iam_id', 'm.iam_id')
      .where('m.account_id', '=', accountId)
      .where('m.group_id', '=', groupId)
      .select([
        'm.iam_id',
        'm.type',
        'm.created_at',
        'm.created_by_id',
        sql<string>`'static'`.as('membership_type'),
        sql<string | null>`NULL`.as('expires_at'),
        sql<string | null>`coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), s.name)`.as('name'),
        'u.email',
        's.description',
      ]);
    if (type) q = q.where('m.type', '=', type);
    return q;
  };

  /** Unexpired dynamic members of a group, in the same shape. */
  const dynamicMembers = (accountId: string, groupId: string, type: MemberType | undefined, at: string) => {
    let q = db
      .selectFrom('access_group_dynamic_members as d')
      .leftJoin('users as u', 'u.iam_id', 'd.iam_id')
      .where('d.account_id', '=', accountId)
      .where('d.group_id', '=', groupId)
      .where('d.expires_at', '>', at)
      .select([
        'd.iam_id',
        'd.type',
        'd.created_at',
        sql<string>`d.iam_id`.as('created_by_id'),
        sql<string>`'dynamic'`.as('membership_type'),
        sql<string | null>`d.expires_at`.as('expires_at'),
        sql<string | null>`nullif(trim(u.first_name || ' ' || u.last_name), '')`.as('name'),
        'u.email',
        sql<string | null>`NULL`.as('description'),
      ]);
    if (type) q = q.where('d.type', '=', type);
    return q;
  };

  const store = {
    /** The stored group with this id (ids are unique across accounts), or undefined. */
    async getGroup(id: string, executor: Executor = db): Promise<AccessGroup | undefined> {
      const row = await groupsQuery(executor).where('g.id', '=', id).executeTakeFirst();
      return row && toGroup(row);
    },

    /** The id of the account's group whose name equals `name` case-insensitively, if any. */
    async groupIdByName(trx: Trx, accountId: string, name: string): Promise<string | undefined> {
      const row = await trx
        .selectFrom('access_groups')
        .select('id')
        .where('account_id', '=', accountId)
        .where('name_key', '=', name.toLowerCase())
        .executeTakeFirst();
      return row?.id;
    },

    /** One page of the account's stored groups, and how many match in all. */
    async listGroups(filter: GroupFilter, page: PageRequest, at: string): Promise<{ items: AccessGroup[]; totalCount: number }> {
      let q = groupsQuery(db).where('g.account_id', '=', filter.accountId);
      const { member, search } = filter;
      if (member) q = q.where((eb) => hasMember(eb, member.iamId, member.membershipType, at));
      if (search) {
        const pattern = `%${escapeLike(search.text.toLowerCase())}%`;
        q = q.where(sql<boolean>`lower(${sql.ref(`g.${search.field}`)}) LIKE ${pattern} ESCAPE '\\'`);
      }
      const count = await q
        .clearSelect()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const sortColumn = { id: 'g.id', name: 'g.name_key', description: 'g.description', is_federated: 'is_federated' } as const;
      const rows = await q
        .orderBy(sql.ref(sortColumn[filter.sort]))
        .orderBy('g.id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return { items: rows.map(toGroup), totalCount: Number(count.n) };
    },

    /** How many static members and rules a group has. */
    async contentsOf(trx: Trx, accountId: string, groupId: string): Promise<{ members: number; rules: number }> {
      const [members, rules] = await Promise.all([
        trx
          .selectFrom('access_group_members')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('account_id', '=', accountId)
          .where('group_id', '=', groupId)
          .executeTakeFirstOrThrow(),
        trx
          .selectFrom('access_group_rules')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('account_id', '=', accountId)
          .where('group_id', '=', groupId)
          .executeTakeFirstOrThrow(),
      ]);
      return { members: Number(members.n), rules: Number(rules.n) };
    },

    /** Inserts a group; throws 409 when the account has a group of that name (checked by the database too). */
    async insertGroup(trx: Trx, row: GroupRow): Promise<void> {
      await namingGroup(row.name, trx.insertInto('access_groups').values({ ...row, name_key: row.name.toLowerCase() }).execute());
    },

    /**
     * Locks a group for the rest of the transaction (PostgreSQL: its row lock; SQLite has one writer
     * at a time anyway), so members, rules and dynamic memberships are never added to a group that a
     * concurrent write deletes. False when the group does not exist. Writes that lock several groups
     * lock them in id order, so they cannot deadlock.
     */
    async lockGroup(trx: Trx, accountId: string, id: string): Promise<boolean> {
      const result = await trx
        .updateTable('access_groups')
        .set((eb) => ({ entity_tag: eb.ref('entity_tag') }))
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /**
     * Applies the changes when the group's tag is `expectedTag` (any when undefined); false otherwise.
     * Throws 409 when another group of the account has the new name.
     */
    async updateGroup(trx: Trx, id: string, expectedTag: string | undefined, changes: GroupChanges): Promise<boolean> {
      let q = trx
        .updateTable('access_groups')
        .set({ ...changes, name_key: changes.name.toLowerCase() })
        .where('id', '=', id);
      if (expectedTag !== undefined) q = q.where('entity_tag', '=', expectedTag);
      const result = await namingGroup(changes.name, q.executeTakeFirst());
      return Number(result.numUpdatedRows) > 0;
    },

    /**
     * Deletes a group with its members, dynamic memberships and rules. Returns the iam_ids whose
     * membership (static or dynamic) ended and the ids of the rules removed.
     */
    async deleteGroup(trx: Trx, accountId: string, id: string): Promise<{ iamIds: string[]; ruleIds: string[] }> {
      const statics = await trx
        .deleteFrom('access_group_members')
        .where('account_id', '=', accountId)
        .where('group_id', '=', id)
        .returning('iam_id')
        .execute();
      const dynamics = await trx
        .deleteFrom('access_group_dynamic_members')
        .where('account_id', '=', accountId)
        .where('group_id', '=', id)
        .returning('iam_id')
        .execute();
      const rules = await trx
        .deleteFrom('access_group_rules')
        .where('account_id', '=', accountId)
        .where('group_id', '=', id)
        .returning('id')
        .execute();
      await trx.deleteFrom('access_groups').where('account_id', '=', accountId).where('id', '=', id).execute();
      const iamIds = [...new Set([...statics, ...dynamics].map((r) => r.iam_id))];
      return { iamIds, ruleIds: rules.map((r) => r.id) };
    },

    async getStaticMember(accountId: string, groupId: string, iamId: string, executor: Executor = db) {
      return executor
        .selectFrom('access_group_members')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('group_id', '=', groupId)
        .where('iam_id', '=', iamId)
        .executeTakeFirst();
    },

    /** Whether `iamId` is a static or unexpired dynamic member of the group. */
    async isMember(accountId: string, groupId: string, iamId: string, at: string): Promise<boolean> {
      const statics = await store.getStaticMember(accountId, groupId, iamId);
      if (statics) return true;
      const dynamic = await db
        .selectFrom('access_group_dynamic_members')
        .select('iam_id')
        .where('account_id', '=', accountId)
        .where('group_id', '=', groupId)
        .where('iam_id', '=', iamId)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      return dynamic !== undefined;
    },

    /** Adds a static member; a concurrent add of the same member leaves the first one in place. */
    async insertMember(trx: Trx, row: StaticMemberRow): Promise<void> {
      await trx
        .insertInto('access_group_members')
        .values(row)
        .onConflict((oc) => oc.columns(['account_id', 'group_id', 'iam_id']).doNothing())
        .execute();
    },

    /** Removes a static member; false when it was not one. */
    async deleteMember(trx: Trx, accountId: string, groupId: string, iamId: string): Promise<boolean> {
      const result = await trx
        .deleteFrom('access_group_members')
        .where('account_id', '=', accountId)
        .where('group_id', '=', groupId)
        .where('iam_id', '=', iamId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** The groups of the account `iamId` is a static member of, sorted. */
    async staticGroupsOf(accountId: string, iamId: string, executor: Executor = db): Promise<string[]> {
      const rows = await executor
        .selectFrom('access_group_members')
        .select('group_id')
        .where('account_id', '=', accountId)
        .where('iam_id', '=', iamId)
        .orderBy('group_id')
        .execute();
      return rows.map((r) => r.group_id);
    },

    /** Ends every static and dynamic membership of `iamId` in the account; returns the groups it was in. */
    async deleteMemberEverywhere(trx: Trx, accountId: string, iamId: string): Promise<string[]> {
      const statics = await trx
        .deleteFrom('access_group_members')
        .where('account_id', '=', accountId)
        .where('iam_id', '=', iamId)
        .returning('group_id')
        .execute();
      const dynamics = await trx
        .deleteFrom('access_group_dynamic_members')
        .where('account_id', '=', accountId)
        .where('iam_id', '=', iamId)
        .returning('group_id')
        .execute();
      return [...new Set([...statics, ...dynamics].map((r) => r.group_id))].sort();
    },

    /** One page of a group's members, and how many match in all. */
    async listMembers(
      accountId: string,
      groupId: string,
      filter: MemberFilter,
      page: PageRequest,
      at: string,
    ): Promise<{ items: Member[]; totalCount: number }> {
      const statics = staticMembers(accountId, groupId, filter.type);
      const dynamics = dynamicMembers(accountId, groupId, filter.type, at);
      const all =
        filter.membershipType === 'static' ? statics : filter.membershipType === 'dynamic' ? dynamics : statics.unionAll(dynamics);
      const count = await db
        .selectFrom(all.as('x'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const sortKey = {
        id: sql`x.iam_id`,
        name: sql`coalesce(x.name, '')`,
        email: sql`coalesce(x.email, '')`,
      };
      let q = db.selectFrom(all.as('x')).selectAll('x');
      q = filter.sort ? q.orderBy(sortKey[filter.sort]) : q.orderBy('x.created_at');
      const rows = await q.orderBy('x.iam_id').orderBy('x.membership_type').limit(page.limit).offset(page.offset).execute();
      return {
        totalCount: Number(count.n),
        items: rows.map((r) => ({
          iamId: r.iam_id,
          type: r.type as MemberType,
          membershipType: r.membership_type as Member['membershipType'],
          createdAt: r.created_at,
          createdById: r.created_by_id,
          ...(r.expires_at ? { expiresAt: r.expires_at } : {}),
          ...(r.name ? { name: r.name } : {}),
          ...(r.email ? { email: r.email } : {}),
          ...(r.description ? { description: r.description } : {}),
        })),
      };
    },

    async listRules(accountId: string, groupId: string, executor: Executor = db): Promise<Rule[]> {
      const rows = await executor
        .selectFrom('access_group_rules')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('group_id', '=', groupId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRule);
    },

    /** The rules of every group of the account that apply to sign-ins from `realmName`. */
    async rulesOfRealm(trx: Trx, accountId: string, realmName: string): Promise<Rule[]> {
      const rows = await trx
        .selectFrom('access_group_rules')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('realm_name', '=', realmName)
        .execute();
      return rows.map(toRule);
    },

    async getRule(id: string, executor: Executor = db): Promise<Rule | undefined> {
      const row = await executor.selectFrom('access_group_rules').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRule(row);
    },

    async insertRule(trx: Trx, row: RuleRow): Promise<void> {
      await trx
        .insertInto('access_group_rules')
        .values({ ...row, conditions: JSON.stringify(row.conditions) })
        .execute();
    },

    /** Replaces a rule's fields when its tag is `expectedTag` (any when undefined); false otherwise. */
    async updateRule(trx: Trx, id: string, expectedTag: string | undefined, changes: RuleChanges): Promise<boolean> {
      let q = trx
        .updateTable('access_group_rules')
        .set({ ...changes, conditions: JSON.stringify(changes.conditions) })
        .where('id', '=', id);
      if (expectedTag !== undefined) q = q.where('entity_tag', '=', expectedTag);
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async deleteRule(trx: Trx, id: string): Promise<void> {
      await trx.deleteFrom('access_group_rules').where('id', '=', id).execute();
    },

    /** Every dynamic membership (expired ones too) of `iamId` in the account. */
    async dynamicMembershipsOf(trx: Trx, accountId: string, iamId: string): Promise<DynamicMemberRow[]> {
      const rows = await trx
        .selectFrom('access_group_dynamic_members')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('iam_id', '=', iamId)
        .execute();
      return rows.map((r) => ({ ...r, type: r.type as MemberType, rule_ids: JSON.parse(r.rule_ids) as string[] }));
    },

    /** Every dynamic membership of a group (expired ones too). */
    async dynamicMembersOfGroup(trx: Trx, accountId: string, groupId: string): Promise<DynamicMemberRow[]> {
      const rows = await trx
        .selectFrom('access_group_dynamic_members')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('group_id', '=', groupId)
        .execute();
      return rows.map((r) => ({ ...r, type: r.type as MemberType, rule_ids: JSON.parse(r.rule_ids) as string[] }));
    },

    async deleteDynamicMember(trx: Trx, accountId: string, groupId: string, iamId: string): Promise<void> {
      await trx
        .deleteFrom('access_group_dynamic_members')
        .where('account_id', '=', accountId)
        .where('group_id', '=', groupId)
        .where('iam_id', '=', iamId)
        .execute();
    },

    /** Records a dynamic membership, replacing the identity's earlier one in that group. */
    async putDynamicMember(trx: Trx, accountId: string, row: DynamicMemberRow): Promise<void> {
      const values = { ...row, account_id: accountId, rule_ids: JSON.stringify(row.rule_ids) };
      await trx
        .insertInto('access_group_dynamic_members')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['account_id', 'group_id', 'iam_id']).doUpdateSet({
            type: values.type,
            realm_name: values.realm_name,
            rule_ids: values.rule_ids,
            created_at: values.created_at,
            expires_at: values.expires_at,
          }),
        )
        .execute();
    },

    async getSettings(accountId: string, executor: Executor = db): Promise<Settings> {
      const row = await executor.selectFrom('access_group_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      if (!row) return { accountId, publicAccessEnabled: true };
      return {
        accountId,
        publicAccessEnabled: isEnabled(row.public_access_enabled),
        lastModifiedAt: row.last_modified_at,
        lastModifiedById: row.last_modified_by_id,
      };
    },

    async putSettings(trx: Trx, settings: Required<Settings>): Promise<void> {
      const values = {
        public_access_enabled: settings.publicAccessEnabled ? 1 : 0,
        last_modified_at: settings.lastModifiedAt,
        last_modified_by_id: settings.lastModifiedById,
      };
      await trx
        .insertInto('access_group_settings')
        .values({ account_id: settings.accountId, ...values })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
        .execute();
    },

    // ── For the decision point ─────────────────────────────────────────────────────────────────

    /**
     * Every membership the decision point must know at `at`: all static memberships, and the
     * dynamic ones not yet expired (with their `expiresAt`, after which the PDP must stop counting
     * them even before the feed reports anything: expiry publishes no change). An identity that is
     * both a static and a dynamic member of a group appears once, as static. The Public Access
     * group has no stored members: it applies to everyone while `isPublicAccessEnabled`.
     */
    async listMemberships(at: string): Promise<Membership[]> {
      return memberships(at);
    },

    /** The memberships (same rules as listMemberships) of one identity, in every account. */
    async membershipsOf(iamId: string, at: string): Promise<Membership[]> {
      return memberships(at, iamId);
    },

    /** The ids of the account's groups `iamId` belongs to at `at` (static or unexpired dynamic), sorted. */
    async groupsOf(iamId: string, accountId: string, at: string): Promise<string[]> {
      const all = await store.membershipsOf(iamId, at);
      return all.filter((m) => m.accountId === accountId).map((m) => m.groupId).sort();
    },

    /** Every account and whether its Public Access group applies to everyone (default true), in one query. */
    async listPublicAccess(): Promise<Array<{ accountId: string; enabled: boolean }>> {
      const rows = await db
        .selectFrom('accounts as a')
        .leftJoin('access_group_settings as s', 's.account_id', 'a.id')
        .select(['a.id as accountId', 's.public_access_enabled as enabled'])
        .execute();
      return rows.map((r) => ({ accountId: r.accountId, enabled: r.enabled === null || isEnabled(r.enabled) }));
    },

    /** Whether the account's Public Access group grants its policies to everyone (default true). */
    async isPublicAccessEnabled(accountId: string): Promise<boolean> {
      return (await store.getSettings(accountId)).publicAccessEnabled;
    },
  };

  /** Static and unexpired dynamic memberships (of one identity, when given), static winning over dynamic. */
  async function memberships(at: string, iamId?: string): Promise<Membership[]> {
    let staticQuery = db.selectFrom('access_group_members').select(['account_id', 'group_id', 'iam_id']);
    let dynamicQuery = db
      .selectFrom('access_group_dynamic_members')
      .select(['account_id', 'group_id', 'iam_id', 'expires_at'])
      .where('expires_at', '>', at);
    if (iamId !== undefined) {
      staticQuery = staticQuery.where('iam_id', '=', iamId);
      dynamicQuery = dynamicQuery.where('iam_id', '=', iamId);
    }
    const [staticRows, dynamicRows] = await Promise.all([staticQuery.execute(), dynamicQuery.execute()]);
    const key = (r: { account_id: string; group_id: string; iam_id: string }) => `${r.account_id}\n${r.group_id}\n${r.iam_id}`;
    const seen = new Set(staticRows.map(key));
    return [
      ...staticRows.map((r) => ({ accountId: r.account_id, groupId: r.group_id, iamId: r.iam_id })),
      ...dynamicRows
        .filter((r) => !seen.has(key(r)))
        .map((r) => ({ accountId: r.account_id, groupId: r.group_id, iamId: r.iam_id, expiresAt: r.expires_at })),
    ];
  }

  return store;
}

export type AccessGroupsStore = ReturnType<typeof createAccessGroupsStore>;
