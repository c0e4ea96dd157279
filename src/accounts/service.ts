import type { Clock } from '../kernel/clock.js';
import { DomainError } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import type { Write, Writer } from '../store/unit-of-work.js';
import type { AccountsStore } from './store.js';
import type { Account, User } from './types.js';

/** Issues an API key for an identity inside an existing write (provided by the identity domain). */
export type IssueApiKey = (
  w: Write,
  input: { iamId: string; accountId: string; name: string; description: string; createdBy: string },
) => Promise<{ id: string; value: string }>;

export interface NewAccountInput {
  name: string;
  owner: { userId: string; email?: string; firstName?: string; lastName?: string };
}

export function createAccountsService(deps: { store: AccountsStore; writer: Writer; clock: Clock; issueApiKey: IssueApiKey }) {
  const { store, writer, clock } = deps;

  /** Creates an account and its owner user inside a write; the owner administers everything in it. */
  async function createAccountIn(w: Write, input: NewAccountInput, requestId: string) {
    const at = clock.now().toISOString();
    const owner: User = {
      iamId: ids.userIamId(),
      userId: input.owner.userId,
      email: input.owner.email ?? input.owner.userId,
      firstName: input.owner.firstName ?? '',
      lastName: input.owner.lastName ?? '',
      realm: 'IBMid',
    };
    const account: Account = { id: ids.account(), name: input.name, ownerIamId: owner.iamId, state: 'ACTIVE', createdAt: at };
    await store.insertUser(w.trx, owner, at);
    await store.insertAccount(w.trx, account);
    await store.addMember(w.trx, account.id, owner.iamId, 'ACTIVE', at);
    w.changed({ entity: 'account', entityId: account.id, accountId: account.id, op: 'create' });
    w.audit({
      requestId,
      initiatorIamId: owner.iamId,
      initiatorAccountId: account.id,
      accountId: account.id,
      action: 'account.create',
      targetType: 'account',
      targetId: account.id,
    });
    return { account, owner };
  }

  return {
    createAccountIn,

    /**
     * First start: creates the first account, its owner and an API key for the owner. Refuses when
     * any account exists, so it can never hand out a second owner key by accident.
     */
    async bootstrap(input: NewAccountInput, requestId: string) {
      const { value } = await writer.write(async (w) => {
        if ((await store.countAccounts(w.trx)) > 0) {
          throw new DomainError('conflict', 'already_bootstrapped', 'The database already holds an account; bootstrap runs only once.');
        }
        const { account, owner } = await createAccountIn(w, input, requestId);
        const key = await deps.issueApiKey(w, {
          iamId: owner.iamId,
          accountId: account.id,
          name: 'bootstrap',
          description: 'API key of the account owner, created by portcullis bootstrap',
          createdBy: owner.iamId,
        });
        return { account, owner, apikey: key.value };
      });
      return value;
    },

    getAccount: store.getAccount,
    hasAnyAccount: async () => (await store.countAccounts()) > 0,
    isAccountOwner: async (accountId: string, iamId: string) => (await store.getAccount(accountId))?.ownerIamId === iamId,
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
