import type { AccountsStore } from '../accounts/store.js';
import type { IdentityStore, KeyCredential } from '../identity/store.js';

/**
 * Who a grant is for: an API key with the identity it authenticates as, or a user signed in
 * without one. Each part is read from the store of the domain that owns it (API keys, service IDs
 * and account settings from identity; users and memberships from accounts), so the token domain
 * reads no other domain's tables. Columns of a missing part are null: no service ID or user with
 * that IAM id, no membership in the key's account, no settings.
 */
export interface GrantSubjectRow extends KeyCredential {
  userId: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  realm: string | null;
  membership: string | null;
}

export interface GrantSubjects {
  /** The API key with this value hash and its identity; undefined when no key has it. */
  byKeyHash(keyHash: string): Promise<GrantSubjectRow | undefined>;
  /** The API key with this id and its identity; undefined when it was deleted. */
  byKeyId(keyId: string): Promise<GrantSubjectRow | undefined>;
  /**
   * A user signed in to an account without an API key (password grant, or a refresh of one), in the
   * same shape with no key (`keyId` empty, never disabled, locked or expiring). Undefined when no
   * user has that IAM id.
   */
  byUser(iamId: string, accountId: string): Promise<GrantSubjectRow | undefined>;
}

const NO_USER = { userId: null, email: null, firstName: null, lastName: null, realm: null, membership: null };

export function createGrantSubjects(
  identity: Pick<IdentityStore, 'credentialByKeyHash' | 'credentialByKeyId' | 'getSettings'>,
  accounts: Pick<AccountsStore, 'userIn'>,
): GrantSubjects {
  /** A user key's user in the key's account; a service ID key has none (one query either way). */
  const withUser = async (key: KeyCredential | undefined): Promise<GrantSubjectRow | undefined> => {
    if (!key) return undefined;
    const user = key.ownerType === 'user' ? await accounts.userIn(key.iamId, key.accountId) : undefined;
    return { ...key, ...(user ?? NO_USER) };
  };
  return {
    byKeyHash: async (keyHash) => withUser(await identity.credentialByKeyHash(keyHash)),
    byKeyId: async (keyId) => withUser(await identity.credentialByKeyId(keyId)),
    async byUser(iamId, accountId) {
      const user = await accounts.userIn(iamId, accountId);
      if (!user) return undefined;
      const settings = await identity.getSettings(accountId);
      return {
        ...user,
        keyId: '',
        iamId,
        accountId,
        ownerType: 'user',
        disabled: 0,
        locked: 0,
        expiresAt: null,
        serviceId: null,
        serviceIdLocked: null,
        serviceIdName: null,
        serviceIdAccountId: null,
        settings: settings?.settings ?? null,
      };
    },
  };
}
