import { sql, type Expression, type SqlBool } from 'kysely';
import { conflictOnDuplicate } from '../store/conflicts.js';
import type { Db } from '../store/db.js';
import type { AccountUsersTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import { userErrors } from './errors.js';
import { DEFAULT_SETTINGS, type MemberOrder, type SortField, type UserProfile, type UserSettings, type UserState } from './types.js';

type Executor = Db | Trx;

export type MemberChanges = Partial<
  Pick<AccountUsersTable, 'firstname' | 'lastname' | 'email' | 'phonenumber' | 'altphonenumber' | 'photo' | 'state' | 'settings'>
>;

/** The fields a user search compares (case-insensitively, whole values). */
export const SEARCH_FIELDS = ['firstname', 'lastname', 'email', 'state', 'iam_id', 'user_id'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** Which members a listing shows: all of them, or one user's own membership; and the search terms every shown member matches. */
export interface MemberFilter {
  iamId?: string;
  userId?: string;
  terms: Array<[SearchField, string]>;
}

/** Where a page starts: after the member with this IAM id and, in a sorted listing, this sort value. */
export interface MemberKey {
  iamId: string;
  value?: string;
}

/** A page of members: how many, in which order (IBM's, by IAM id, when none), after which member. */
export interface MemberWindow {
  limit: number;
  order?: MemberOrder;
  after?: MemberKey;
}

/** Account memberships as User Management sees them: profile, state, settings, invitations. */
export function createUsersStore(db: Db) {
  const members = (ex: Executor) =>
    ex
      .selectFrom('account_users')
      .innerJoin('users', 'users.iam_id', 'account_users.iam_id')
      .select([
        'account_users.account_id',
        'account_users.iam_id',
        'account_users.state',
        'account_users.added_on',
        'account_users.firstname',
        'account_users.lastname',
        'account_users.email',
        'account_users.phonenumber',
        'account_users.altphonenumber',
        'account_users.photo',
        'account_users.settings',
        'users.user_id',
        'users.realm',
        'users.first_name',
        'users.last_name',
        'users.email as user_email',
      ]);
  /** The value each search field compares, as the profile shows it (the account's own value, else the user's). */
  const searched: Record<SearchField, ReturnType<typeof sql>> = {
    firstname: sql`coalesce(account_users.firstname, users.first_name)`,
    lastname: sql`coalesce(account_users.lastname, users.last_name)`,
    email: sql`coalesce(account_users.email, users.email)`,
    state: sql`account_users.state`,
    iam_id: sql`account_users.iam_id`,
    user_id: sql`users.user_id`,
  };
  /** The value each sort field orders by: the searched value, or when the user joined the account. */
  const sorted: Record<SortField, ReturnType<typeof sql>> = { ...searched, added_on: sql`account_users.added_on` };
  type Row = Awaited<ReturnType<ReturnType<typeof members>['executeTakeFirstOrThrow']>>;
  const toProfile = (r: Row): UserProfile & { settings: UserSettings } => ({
    iamId: r.iam_id,
    accountId: r.account_id,
    userId: r.user_id,
    realm: r.realm,
    firstname: r.firstname ?? r.first_name,
    lastname: r.lastname ?? r.last_name,
    state: r.state as UserState,
    email: r.email ?? r.user_email,
    phonenumber: r.phonenumber ?? '',
    altphonenumber: r.altphonenumber ?? '',
    photo: r.photo ?? '',
    addedOn: r.added_on,
    settings: { ...DEFAULT_SETTINGS, ...(r.settings ? (JSON.parse(r.settings) as Partial<UserSettings>) : {}) },
  });

  return {
    /**
     * One page of the members of the account that `filter` admits, in the window's order (IAM id
     * when it has none; else the sort value, ties broken by IAM id, a unique key), starting after
     * the window's key; `total` counts every admitted member, `more` says whether any lie beyond
     * the page, `keys` are the page's items' keys (to resume after any of them).
     */
    async pageMembers(accountId: string, filter: MemberFilter, window: MemberWindow) {
      const admitted = <Q extends ReturnType<typeof members>>(query: Q) =>
        query.where((eb) => {
          const conditions: Expression<SqlBool>[] = [eb('account_users.account_id', '=', accountId)];
          if (filter.iamId !== undefined) conditions.push(eb('account_users.iam_id', '=', filter.iamId));
          if (filter.userId !== undefined) conditions.push(eb('users.user_id', '=', filter.userId));
          for (const [field, value] of filter.terms) conditions.push(eb(sql`lower(${searched[field]})`, '=', value.toLowerCase()));
          return eb.and(conditions);
        }) as Q;
      const counted = await admitted(members(db))
        .clearSelect()
        .select((eb) => eb.fn.countAll<string | number>().as('total'))
        .executeTakeFirstOrThrow();
      const iamId = sql.ref('account_users.iam_id');
      const { order, after } = window;
      let rows: Array<Row & { sort_value?: string }>;
      if (order === undefined) {
        let page = admitted(members(db));
        if (after !== undefined) page = page.where(iamId, '>', after.iamId);
        rows = await page.orderBy(iamId).limit(window.limit + 1).execute();
      } else {
        const sortValue = sql<string>`lower(coalesce(${sorted[order.field]}, ''))`;
        const direction = order.descending ? 'desc' : 'asc';
        let page = admitted(members(db)).select(sortValue.as('sort_value'));
        if (after !== undefined) {
          page = page.where(sql<SqlBool>`(${sortValue}, ${iamId}) ${sql.raw(order.descending ? '<' : '>')} (${after.value ?? ''}, ${after.iamId})`);
        }
        rows = await page.orderBy(sortValue, direction).orderBy(iamId, direction).limit(window.limit + 1).execute();
      }
      const shown = rows.slice(0, window.limit);
      return {
        items: shown.map(toProfile),
        keys: shown.map((r): MemberKey => (order ? { iamId: r.iam_id, value: r.sort_value ?? '' } : { iamId: r.iam_id })),
        more: rows.length > window.limit,
        total: Number(counted.total),
      };
    },

    /** The user's membership of the account, or undefined when they are not a member. */
    async getMember(accountId: string, iamId: string, ex: Executor = db) {
      const row = await members(ex).where('account_users.account_id', '=', accountId).where('account_users.iam_id', '=', iamId).executeTakeFirst();
      return row && toProfile(row);
    },

    /**
     * Adds a PENDING member. `invitationHash` is the hash of the invitation secret, or null when the
     * invitee accepts only while signed in as themselves (an identity that already exists). Throws
     * the 409 alreadyMember when the user already is (or is invited as) a member of the account
     * (its primary key).
     */
    async insertInvited(
      trx: Trx,
      row: { accountId: string; iamId: string; at: string; invitationHash: string | null; expiresAt: string; invitedBy: string; email: string },
    ) {
      const insert = trx
        .insertInto('account_users')
        .values({
          account_id: row.accountId,
          iam_id: row.iamId,
          state: 'PENDING',
          added_on: row.at,
          email: row.email,
          invitation_hash: row.invitationHash,
          invitation_expires_at: row.expiresAt,
          invited_by: row.invitedBy,
        })
        .execute();
      await conflictOnDuplicate(insert, () => userErrors.alreadyMember(row.email, row.accountId));
    },

    /** The pending invitation whose secret hashes to `hash` (whatever its account or expiry), or undefined. */
    async findInvitation(hash: string, ex: Executor = db): Promise<{ accountId: string; iamId: string; expiresAt: string | null } | undefined> {
      const row = await ex
        .selectFrom('account_users')
        .select(['account_id', 'iam_id', 'invitation_expires_at'])
        .where('invitation_hash', '=', hash)
        .where('state', '=', 'PENDING')
        .executeTakeFirst();
      return row && { accountId: row.account_id, iamId: row.iam_id, expiresAt: row.invitation_expires_at };
    },

    /**
     * Makes a PENDING member ACTIVE if their invitation is still open at `now`: when `hash` is
     * given, only through the invitation with that secret (which it spends). One conditional
     * update: of two concurrent acceptances exactly one returns true.
     */
    async acceptPending(trx: Trx, accountId: string, iamId: string, now: string, hash?: string): Promise<boolean> {
      let update = trx
        .updateTable('account_users')
        .set({ state: 'ACTIVE', invitation_hash: null, invitation_expires_at: null })
        .where('account_id', '=', accountId)
        .where('iam_id', '=', iamId)
        .where('state', '=', 'PENDING');
      update = hash === undefined
        ? update.where((eb) => eb.or([eb('invitation_expires_at', 'is', null), eb('invitation_expires_at', '>', now)]))
        : update.where('invitation_hash', '=', hash).where('invitation_expires_at', '>', now);
      const result = await update.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Whether the user already exists as someone outside `accountId`: a member of another account
     * beyond a pending invitation, or the holder of an API key. Such an identity is never given a
     * credential by an invitation secret.
     */
    async isEstablished(iamId: string, accountId: string, ex: Executor = db): Promise<boolean> {
      const member = await ex
        .selectFrom('account_users')
        .select('account_id')
        .where('iam_id', '=', iamId)
        .where('account_id', '<>', accountId)
        .where('state', '<>', 'PENDING')
        .executeTakeFirst();
      if (member) return true;
      const key = await ex.selectFrom('api_keys').select('id').where('iam_id', '=', iamId).executeTakeFirst();
      return key !== undefined;
    },

    async updateMember(trx: Trx, accountId: string, iamId: string, changes: MemberChanges): Promise<void> {
      await trx.updateTable('account_users').set(changes).where('account_id', '=', accountId).where('iam_id', '=', iamId).execute();
    },

    async deleteMember(trx: Trx, accountId: string, iamId: string): Promise<void> {
      await trx.deleteFrom('account_users').where('account_id', '=', accountId).where('iam_id', '=', iamId).execute();
    },
  };
}

export type UsersStore = ReturnType<typeof createUsersStore>;
