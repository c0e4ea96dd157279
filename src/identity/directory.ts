import { subjectKindOf } from '../kernel/ids.js';
import type { Trx } from '../store/unit-of-work.js';

/**
 * The identity directory: "is this id an identity of that account, and of which kind?", answered
 * once for every domain that names identities (policy subjects, access-group members, users,
 * tokens). Each kind is looked up in the store of the domain that owns it (the registry passes them
 * in), so no store reads another domain's tables.
 */

export type IdentityKind = 'user' | 'serviceid' | 'profile' | 'access_group';

export interface Identity {
  kind: IdentityKind;
  /**
   * Users only: whether the user belongs to the account now (invited or active). IBM lets policies
   * and access-group memberships name a user IAM id that does not (yet): they grant nothing until
   * that user authenticates in the account, since the decision point only ever sees tokens of it.
   */
  member?: boolean;
  /** Service IDs only: whether it is locked. */
  locked?: boolean;
}

/** Where each kind is stored; a lookup may run inside the caller's write (`trx`). */
export interface DirectorySources {
  /** The user's membership state in the account (`PENDING`, `ACTIVE`, …); undefined when none. */
  membershipState(accountId: string, iamId: string, trx?: Trx): Promise<string | undefined>;
  /** The service ID with this IAM id (`iam-ServiceId-…`), of any account. */
  serviceIdByIamId(iamId: string, trx?: Trx): Promise<{ accountId: string; locked: boolean } | undefined>;
  /** The trusted profile with this IAM id (`iam-Profile-…`), of any account. */
  profileByIamId(iamId: string, trx?: Trx): Promise<{ accountId: string } | undefined>;
  /** Whether the access group (`AccessGroupId-…`, the Public Access group included) belongs to the account. */
  isAccessGroupOf(accountId: string, groupId: string, trx?: Trx): Promise<boolean>;
}

export interface IdentityDirectory {
  /**
   * What `id` is in `accountId`; undefined when it is not an identity of that account. A well-formed
   * user IAM id is always an identity (with `member` telling whether it belongs to the account yet);
   * service IDs, trusted profiles and access groups must exist in the account.
   */
  identityOf(accountId: string, id: string, trx?: Trx): Promise<Identity | undefined>;
}

const ACCESS_GROUP_ID = /^AccessGroupId-[A-Za-z0-9-]+$/;

export function createIdentityDirectory(sources: DirectorySources): IdentityDirectory {
  return {
    async identityOf(accountId, id, trx) {
      if (ACCESS_GROUP_ID.test(id)) return (await sources.isAccessGroupOf(accountId, id, trx)) ? { kind: 'access_group' } : undefined;
      switch (subjectKindOf(id)) {
        case 'user':
          return { kind: 'user', member: (await sources.membershipState(accountId, id, trx)) !== undefined };
        case 'serviceid': {
          const serviceId = await sources.serviceIdByIamId(id, trx);
          return serviceId?.accountId === accountId ? { kind: 'serviceid', locked: serviceId.locked } : undefined;
        }
        case 'profile':
          return (await sources.profileByIamId(id, trx))?.accountId === accountId ? { kind: 'profile' } : undefined;
        case undefined:
          return undefined;
      }
    },
  };
}
