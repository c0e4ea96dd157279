import { DomainError } from '../kernel/errors.js';
import { conflictOnDuplicate } from '../store/conflicts.js';
import type { Db } from '../store/db.js';
import type { UsersTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import type { Account, User } from './types.js';

/** Accounts, users and memberships. Reads take the database; writes take the write transaction. */
/** A user as a token grant sees them in one account (accountsStore.userIn). */
export interface UserInAccount {
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
  realm: string;
  membership: string | null;
}

export function createAccountsStore(db: Db) {
  const toAccount = (row: { id: string; name: string; owner_iam_id: string; state: string; created_at: string }): Account => ({
    id: row.id,
    name: row.name,
    ownerIamId: row.owner_iam_id,
    state: row.state as Account['state'],
    createdAt: row.created_at,
  });

  const toUser = (row: UsersTable): User => ({
    iamId: row.iam_id,
    userId: row.user_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    realm: row.realm,
  });

  return {
    async countAccounts(executor: Db | Trx = db): Promise<number> {
      const row = await executor.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The operator account: the first one, created by bootstrap; it administers the deployment. */
    async operatorAccountId(): Promise<string | undefined> {
      const row = await db.selectFrom('accounts').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      return row?.id;
    },

    /** The account, or undefined when there is none with that id. */
    async getAccount(id: string): Promise<Account | undefined> {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAccount(row);
    },

    async getUser(iamId: string, executor: Db | Trx = db): Promise<User | undefined> {
      const row = await executor.selectFrom('users').selectAll().where('iam_id', '=', iamId).executeTakeFirst();
      return row && toUser(row);
    },

    /** The user whose login (`user_id`) is `userId`, or undefined. */
    async getUserByLogin(userId: string, executor: Db | Trx = db): Promise<User | undefined> {
      const row = await executor.selectFrom('users').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row && toUser(row);
    },

    async setAccountState(trx: Trx, id: string, state: Account['state'], at: string): Promise<void> {
      await trx.updateTable('accounts').set({ state, updated_at: at }).where('id', '=', id).execute();
    },

    /** The state of the user's membership in the account, or undefined when not a member. */
    /**
     * What a token grant needs of a user signing in to an account: their login, names and realm,
     * and their membership state there (null when not a member). Undefined when no user has that IAM id.
     */
    async userIn(iamId: string, accountId: string): Promise<UserInAccount | undefined> {
      return db
        .selectFrom('users as u')
        .leftJoin('account_users as m', (join) => join.onRef('m.iam_id', '=', 'u.iam_id').on('m.account_id', '=', accountId))
        .select(['u.user_id as userId', 'u.email as email', 'u.first_name as firstName', 'u.last_name as lastName', 'u.realm as realm', 'm.state as membership'])
        .where('u.iam_id', '=', iamId)
        .executeTakeFirst();
    },

    async membershipState(accountId: string, iamId: string, executor: Db | Trx = db): Promise<string | undefined> {
      const row = await executor
        .selectFrom('account_users')
        .select('state')
        .where('account_id', '=', accountId)
        .where('iam_id', '=', iamId)
        .executeTakeFirst();
      return row?.state;
    },

    async insertAccount(trx: Trx, account: Account): Promise<void> {
      await trx
        .insertInto('accounts')
        .values({
          id: account.id,
          name: account.name,
          owner_iam_id: account.ownerIamId,
          state: account.state,
          created_at: account.createdAt,
          updated_at: account.createdAt,
        })
        .execute();
    },

    /**
     * Throws a 409 `user_exists` when a user with that login exists (its column is unique: racing
     * first sign-ups or invitations), and also when the IAM id is taken (the message then still
     * names the login).
     */
    async insertUser(trx: Trx, user: User, createdAt: string): Promise<void> {
      const insert = trx
        .insertInto('users')
        .values({
          iam_id: user.iamId,
          user_id: user.userId,
          email: user.email,
          first_name: user.firstName,
          last_name: user.lastName,
          realm: user.realm,
          created_at: createdAt,
        })
        .execute();
      await conflictOnDuplicate(insert, () => new DomainError('conflict', 'user_exists', `A user with login ${user.userId} already exists.`));
    },

    /**
     * Makes the user a member of the account. The account and the user must exist (foreign keys); a
     * second membership of the same user in the account is the database's unique violation.
     */
    async addMember(trx: Trx, accountId: string, iamId: string, state: string, at: string): Promise<void> {
      await trx.insertInto('account_users').values({ account_id: accountId, iam_id: iamId, state, added_on: at }).execute();
    },
  };
}

export type AccountsStore = ReturnType<typeof createAccountsStore>;
