import type { AccountsStore } from '../accounts/store.js';
import type { IdentityDirectory } from '../identity/directory.js';
import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { DomainError } from '../kernel/errors.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited } from '../store/audited.js';
import type { Write, Writer } from '../store/unit-of-work.js';
import { accessGroupErrors as errors } from './errors.js';
import type { AccessGroupsStore } from './store.js';
import { PUBLIC_ACCESS_GROUP_ID, SERVICE_NAME, type AccessGroup } from './types.js';

/**
 * What the access-groups operations share: their dependencies and the helpers every operation
 * uses (authorization targets, the Public Access group, by-id lookups, audited writes, change-feed
 * entries for memberships), written once.
 */

export interface AccessGroupsDeps {
  store: AccessGroupsStore;
  accounts: Pick<AccountsStore, 'getAccount'>;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  /** Which IAM ids are identities of an account, and of which kind (members must be). */
  directory: IdentityDirectory;
  /**
   * Throws DomainError('forbidden') unless the principal could create every policy of the group
   * (the policy domain's grant check): a new member receives them all (authz.md §3.1).
   */
  authorizeJoin(actor: Actor, accountId: string, groupId: string): Promise<void>;
  /**
   * Throws unless `action` may change the group in its own account: a group an enterprise template
   * assignment manages changes only as that assignment allows (templates/groups/guard.ts). `item`
   * names the member (IAM id) or rule (id) a member or rule change is about.
   */
  guardManaged?(group: AccessGroup, action: string, item?: string): Promise<void>;
}

/** The shared helpers, bound to the dependencies. */
export function createContext(deps: AccessGroupsDeps) {
  const { store, clock, authorizer } = deps;
  const now = () => clock.now().toISOString();

  const target = (accountId: string, groupId?: string): AccessTarget =>
    groupId === undefined
      ? { accountId, serviceName: SERVICE_NAME }
      : { accountId, serviceName: SERVICE_NAME, resourceType: 'group', resource: groupId };

  /** The Public Access group of an account, as it is shown (it is never stored). */
  async function publicAccessGroup(accountId: string): Promise<AccessGroup> {
    const account = await deps.accounts.getAccount(accountId);
    const createdAt = account?.createdAt ?? new Date(0).toISOString();
    return {
      id: PUBLIC_ACCESS_GROUP_ID,
      accountId,
      name: 'Public Access',
      description:
        'Every identity, including unauthenticated users, is a member of this group. Its policies apply while public access is enabled.',
      createdAt,
      createdById: 'system',
      lastModifiedAt: createdAt,
      lastModifiedById: 'system',
      // Account ids are 32 hex characters: a fixed tag of IBM's shape.
      entityTag: `1-${accountId}`,
      isFederated: false,
    };
  }

  /**
   * The group a by-id request names (the Public Access group of the caller's account for its
   * fixed id), after authorizing `action` on it: 404 when there is no such group in the caller's
   * account (groups of other accounts are reported exactly like missing ones, so ids reveal
   * nothing), 403 when refused. `item`: the member or rule the action is about (guardManaged).
   */
  async function authorizedGroup(actor: Actor, groupId: string, action: string, item?: string): Promise<AccessGroup> {
    const group =
      groupId === PUBLIC_ACCESS_GROUP_ID ? await publicAccessGroup(actor.principal.accountId) : await store.getGroup(groupId);
    if (!group || group.accountId !== actor.principal.accountId) throw errors.groupNotFound(groupId);
    await authorizer.authorize(actor.principal, action, target(group.accountId, group.id), actor.environment);
    await deps.guardManaged?.(group, action, item);
    return group;
  }

  const mutable = (group: AccessGroup) => {
    if (group.id === PUBLIC_ACCESS_GROUP_ID) throw errors.publicAccessImmutable();
    return group;
  };

  /** Runs one audited mutation (store/audited.ts): authorize, write, success or failure event. */
  const audited = createAudited(deps);

  const memberChanged = (w: Write, accountId: string, groupId: string, iamId: string, op: 'create' | 'update' | 'delete') =>
    w.changed({ entity: 'group_member', entityId: `${groupId}/${iamId}`, accountId, op });


  return { deps, now, target, publicAccessGroup, authorizedGroup, mutable, audited, memberChanged };
}

export type Context = ReturnType<typeof createContext>;
