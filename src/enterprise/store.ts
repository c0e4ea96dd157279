import { conflictOnDuplicate } from '../store/conflicts.js';
import type { Db } from '../store/db.js';
import type { AccountGroupsTable, EnterpriseAccountsTable, EnterprisesTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import { enterpriseErrors } from './errors.js';

type Executor = Db | Trx;

/** An enterprise row with its primary contact's e-mail. */
export type EnterpriseRow = EnterprisesTable & { contact_email: string | null };
export type GroupRow = AccountGroupsTable & { contact_email: string | null };
/** An enterprise membership with the account's name and owner. */
export type MemberRow = EnterpriseAccountsTable & { name: string; owner_iam_id: string; owner_email: string | null };

export interface Window {
  limit: number;
  /** Resume after this id (the `next_docid` of the previous page). */
  after?: string;
}

/** Up to `limit` rows plus whether more follow. */
export interface Slice<T> {
  items: T[];
  more: boolean;
}

const slice = <T>(rows: T[], limit: number): Slice<T> => ({ items: rows.slice(0, limit), more: rows.length > limit });

/** Enterprises, account groups and enterprise memberships of accounts. Lists page in id order. */
export function createEnterpriseStore(db: Db) {
  const enterprises = (ex: Executor) =>
    ex
      .selectFrom('enterprises')
      .leftJoin('users', 'users.iam_id', 'enterprises.primary_contact_iam_id')
      .selectAll('enterprises')
      .select('users.email as contact_email');
  const groups = (ex: Executor) =>
    ex
      .selectFrom('account_groups')
      .leftJoin('users', 'users.iam_id', 'account_groups.primary_contact_iam_id')
      .selectAll('account_groups')
      .select('users.email as contact_email');
  const members = (ex: Executor) =>
    ex
      .selectFrom('enterprise_accounts')
      .innerJoin('accounts', 'accounts.id', 'enterprise_accounts.account_id')
      .leftJoin('users', 'users.iam_id', 'accounts.owner_iam_id')
      .selectAll('enterprise_accounts')
      .select(['accounts.name', 'accounts.owner_iam_id', 'users.email as owner_email']);

  return {
    /** Throws the 409 alreadyInEnterprise when the account already is an enterprise account (a unique column). */
    async insertEnterprise(trx: Trx, row: EnterprisesTable): Promise<void> {
      await conflictOnDuplicate(trx.insertInto('enterprises').values(row).execute(), () => enterpriseErrors.alreadyInEnterprise(row.account_id));
    },

    async getEnterprise(id: string, ex: Executor = db): Promise<EnterpriseRow | undefined> {
      return enterprises(ex).where('enterprises.id', '=', id).executeTakeFirst();
    },

    async listEnterprises(filter: { accountId?: string; ids?: string[] }, window: Window): Promise<Slice<EnterpriseRow>> {
      let query = enterprises(db);
      if (filter.accountId !== undefined) query = query.where('enterprises.account_id', '=', filter.accountId);
      if (filter.ids !== undefined) query = filter.ids.length ? query.where('enterprises.id', 'in', filter.ids) : query.where('enterprises.id', '=', '');
      if (window.after !== undefined) query = query.where('enterprises.id', '>', window.after);
      return slice(await query.orderBy('enterprises.id').limit(window.limit + 1).execute(), window.limit);
    },

    async updateEnterprise(trx: Trx, id: string, changes: Partial<EnterprisesTable>): Promise<void> {
      await trx.updateTable('enterprises').set(changes).where('id', '=', id).execute();
    },

    async insertGroup(trx: Trx, row: AccountGroupsTable): Promise<void> {
      await trx.insertInto('account_groups').values(row).execute();
    },

    async getGroup(id: string, ex: Executor = db): Promise<GroupRow | undefined> {
      return groups(ex).where('account_groups.id', '=', id).executeTakeFirst();
    },

    async listGroups(filter: { enterpriseId?: string; parent?: string; includeDeleted?: boolean }, window: Window): Promise<Slice<GroupRow>> {
      let query = groups(db);
      if (filter.enterpriseId !== undefined) query = query.where('account_groups.enterprise_id', '=', filter.enterpriseId);
      if (filter.parent !== undefined) query = query.where('account_groups.parent', '=', filter.parent);
      if (!filter.includeDeleted) query = query.where('account_groups.state', '=', 'ACTIVE');
      if (window.after !== undefined) query = query.where('account_groups.id', '>', window.after);
      return slice(await query.orderBy('account_groups.id').limit(window.limit + 1).execute(), window.limit);
    },

    async updateGroup(trx: Trx, id: string, changes: Partial<AccountGroupsTable>): Promise<void> {
      await trx.updateTable('account_groups').set(changes).where('id', '=', id).execute();
    },

    /** How many live account groups and accounts sit directly under `parent` (a CRN). */
    async countChildren(trx: Trx, parent: string): Promise<number> {
      const g = await trx
        .selectFrom('account_groups')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('parent', '=', parent)
        .where('state', '=', 'ACTIVE')
        .executeTakeFirstOrThrow();
      const a = await trx
        .selectFrom('enterprise_accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('parent', '=', parent)
        .where('state', '=', 'ACTIVE')
        .executeTakeFirstOrThrow();
      return Number(g.n) + Number(a.n);
    },

    /** Throws the 409 alreadyInEnterprise when the account already belongs to an enterprise (its primary key). */
    async insertMember(trx: Trx, row: EnterpriseAccountsTable): Promise<void> {
      await conflictOnDuplicate(trx.insertInto('enterprise_accounts').values(row).execute(), () => enterpriseErrors.alreadyInEnterprise(row.account_id));
    },

    /** The account's enterprise membership (deleted ones included), or undefined when it is in none. */
    async getMember(accountId: string, ex: Executor = db): Promise<MemberRow | undefined> {
      return members(ex).where('enterprise_accounts.account_id', '=', accountId).executeTakeFirst();
    },

    async listMembers(filter: { enterpriseId?: string; parent?: string; includeDeleted?: boolean }, window: Window): Promise<Slice<MemberRow>> {
      let query = members(db);
      if (filter.enterpriseId !== undefined) query = query.where('enterprise_accounts.enterprise_id', '=', filter.enterpriseId);
      if (filter.parent !== undefined) query = query.where('enterprise_accounts.parent', '=', filter.parent);
      if (!filter.includeDeleted) query = query.where('enterprise_accounts.state', '=', 'ACTIVE');
      if (window.after !== undefined) query = query.where('enterprise_accounts.account_id', '>', window.after);
      return slice(await query.orderBy('enterprise_accounts.account_id').limit(window.limit + 1).execute(), window.limit);
    },

    async updateMember(trx: Trx, accountId: string, changes: Partial<EnterpriseAccountsTable>): Promise<void> {
      await trx.updateTable('enterprise_accounts').set(changes).where('account_id', '=', accountId).execute();
    },

    /**
     * Enterprise ids in which the account is a live member (listEnterprises?account_id=…). The
     * enterprise account counts because the service makes it a member when it creates the
     * enterprise; `enterprises.account_id` alone is not consulted.
     */
    async enterprisesOfAccount(accountId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('enterprise_accounts')
        .select('enterprise_id')
        .where('account_id', '=', accountId)
        .where('state', '=', 'ACTIVE')
        .execute();
      return rows.map((r) => r.enterprise_id);
    },
  };
}

export type EnterpriseStore = ReturnType<typeof createEnterpriseStore>;
