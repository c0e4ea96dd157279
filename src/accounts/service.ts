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

/** A new user to create as the owner, or an existing user (by IAM id) who becomes the owner. */
export type NewOwner = { userId: string; email?: string; firstName?: string; lastName?: string } | { iamId: string };

export interface NewAccountInput {
  name: string;
  owner: NewOwner;
  /** Who asks, for the audit event; the new owner when absent (bootstrap). */
  initiator?: { iamId: string; accountId: string };
  /**
   * How the owner joins the account: as an ACTIVE member at once (the default), or by an
   * invitation that the caller adds in the same write (`by-invitation`: no membership is added
   * here), for an owner who is a new person and sets their first credential by accepting it.
   */
  ownerJoins?: 'now' | 'by-invitation';
}

/** Sets up what every new account starts with (its default resource group), inside its creation write. */
export type ProvisionAccount = (w: Write, accountId: string) => Promise<unknown>;

export function createAccountsService(deps: {
  store: AccountsStore;
  writer: Writer;
  clock: Clock;
  issueApiKey: IssueApiKey;
  provisionAccount: ProvisionAccount;
}) {
  const { store, writer, clock } = deps;

  async function ownerOf(w: Write, input: NewOwner, at: string): Promise<User> {
    if ('iamId' in input) {
      const existing = await store.getUser(input.iamId, w.trx);
      if (!existing) throw new DomainError('invalid', 'unknown_owner', `User ${input.iamId} does not exist.`);
      return existing;
    }
    const owner: User = {
      iamId: ids.userIamId(),
      userId: input.userId,
      email: input.email ?? input.userId,
      firstName: input.firstName ?? '',
      lastName: input.lastName ?? '',
      realm: 'IBMid',
    };
    await store.insertUser(w.trx, owner, at);
    return owner;
  }

  /**
   * Creates an account inside a write: its owner (a new user, or an existing one), the owner's
   * membership (unless the owner joins by invitation) and the account's default resource group.
   * The owner administers everything in it.
   */
  async function createAccountIn(w: Write, input: NewAccountInput, requestId: string) {
    const at = clock.now().toISOString();
    const owner = await ownerOf(w, input.owner, at);
    const account: Account = { id: ids.account(), name: input.name, ownerIamId: owner.iamId, state: 'ACTIVE', createdAt: at };
    await store.insertAccount(w.trx, account);
    if (input.ownerJoins !== 'by-invitation') await store.addMember(w.trx, account.id, owner.iamId, 'ACTIVE', at);
    await deps.provisionAccount(w, account.id);
    w.changed({ entity: 'account', entityId: account.id, accountId: account.id, op: 'create' });
    w.audit({
      requestId,
      initiatorIamId: input.initiator?.iamId ?? owner.iamId,
      initiatorAccountId: input.initiator?.accountId ?? account.id,
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
