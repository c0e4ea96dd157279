import { createHash, randomBytes } from 'node:crypto';
import type { IssueApiKey } from '../accounts/service.js';
import type { AccountsStore } from '../accounts/store.js';
import { isAllowed, type AccessTarget, type Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { decodeCursor, encodeCursor, isString, isStringPair, limitOf, type LimitRange } from '../kernel/cursor.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import type { Delivery, Mailer } from '../mail/mailer.js';
import { createAudited, type AuditSubject } from '../store/audited.js';
import { auditOf, type Write, type Writer } from '../store/unit-of-work.js';
import { userErrors as errors } from './errors.js';
import { invitationMessage } from './invitation-mail.js';
import { SEARCH_FIELDS, type MemberFilter, type MemberKey, type SearchField, type UsersStore } from './store.js';
import {
  orderOf,
  SETTABLE_STATES,
  USER_SORTS,
  type InvitePolicy,
  type Invitation,
  type InvitedUser,
  type ProfileChanges,
  type UserProfile,
  type UserSearch,
  type UserSettings,
  type UserSort,
} from './types.js';

/** Invitation secrets carry this prefix, so a bearer credential is recognisable as one. */
export const INVITATION_PREFIX = 'invite-';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Page sizes of the user list. */
export const USER_LIMITS: LimitRange = { min: 1, max: 100, default: 100 };

/**
 * What a `_start` carries: in IBM's order, the IAM id of the last user shown (as IBM's own token
 * resumes by position, any opaque text will do); in a sorted listing, the sort and the last user's
 * [sort value, IAM id], so the next page neither repeats nor skips anyone, and a token of one order
 * is refused in another.
 */
type SortedStart = { sort: UserSort; key: [string, string] };
const isSortedStart = (value: unknown): value is SortedStart =>
  typeof value === 'object' &&
  value !== null &&
  (USER_SORTS as readonly unknown[]).includes((value as SortedStart).sort) &&
  isStringPair((value as SortedStart).key);
const isStart = (value: unknown): value is string | SortedStart => isString(value) || isSortedStart(value);

function startKey(start: string, sort: UserSort | undefined): MemberKey {
  const value = decodeCursor(start, isStart, errors.badStart);
  if (typeof value === 'string') {
    if (sort !== undefined) throw errors.startOfOtherSort();
    return { iamId: value };
  }
  if (value.sort !== sort) throw errors.startOfOtherSort();
  return { value: value.key[0], iamId: value.key[1] };
}

const startText = (key: MemberKey, sort: UserSort | undefined): string =>
  encodeCursor(sort === undefined ? key.iamId : { sort, key: [key.value ?? '', key.iamId] });

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * What other domains hold for a user in an account. Invitations can add users to access groups
 * and give them policies when those domains are wired; a removal takes everything with it.
 */
export interface UserLinks {
  /** Adds an invited user to access groups (after the invitation commits); throws unless it joined every one. */
  addToAccessGroups?: (actor: Actor, accountId: string, iamId: string, groupIds: string[]) => Promise<void>;
  /** Gives an invited user the invitation's policies (after the invitation commits); throws unless all were created. */
  grantPolicies?: (actor: Actor, accountId: string, iamId: string, policies: InvitePolicy[]) => Promise<void>;
  /** Removes what the user holds in the account (memberships, policies, …) inside the removal write. */
  onRemove: Array<(w: Write, accountId: string, iamId: string, byIamId: string) => Promise<unknown>>;
}

export interface UsersDeps {
  store: UsersStore;
  accounts: Pick<AccountsStore, 'getAccount' | 'getUser' | 'getUserByLogin' | 'insertUser'>;
  /** The user's API keys, which leave with them (identity store). */
  apiKeys: {
    apiKeysOf(iamId: string, executor: Write['trx']): Promise<Array<{ id: string; accountId: string }>>;
    deleteApiKey(trx: Write['trx'], id: string): Promise<void>;
  };
  issueApiKey: IssueApiKey;
  /** Sets a password when an invitation is redeemed (the sign-in domain); without it none can be set. */
  passwords?: InviteePasswords;
  /** Sends invitation e-mail (SMTP, or the outbox folder). */
  mailer: Pick<Mailer, 'send'>;
  /** How long an invitation can be accepted, in seconds. */
  invitationTtlSeconds: number;
  /** Where clients reach the server, for the links in invitation e-mail. */
  site: { url: string };
  /** Whether the account restricts the user list (identity setting `restrict_user_list_visibility`). */
  userListRestricted: (accountId: string) => Promise<boolean>;
  links: UserLinks;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
}

type Profile = UserProfile & { settings: UserSettings };

/** How an invitee's first password is checked, hashed (before the write) and stored (in it). */
export interface InviteePasswords {
  /** Throws a 400 naming the broken rule; else the hash to store. */
  prepare(password: string, logins: readonly string[]): Promise<string>;
  setIn(w: Write, iamId: string, hash: string): Promise<void>;
}

/**
 * User Management v2/v3: invitations (PENDING until accepted), the user list, profiles, states,
 * settings and removal. Actions are `user-management.*` on the user; every user of an account
 * sees the user list unless the account restricts it, and everyone sees and edits their own
 * profile and settings.
 */
export function createUsersService(deps: UsersDeps) {
  const { store, writer, clock, authorizer } = deps;
  const now = () => clock.now().toISOString();

  const target = (accountId: string, iamId?: string): AccessTarget => ({
    accountId,
    serviceName: 'user-management',
    resourceType: 'user',
    ...(iamId ? { resource: iamId } : {}),
  });

  const allowed = (actor: Actor, action: string, t: AccessTarget) => isAllowed(authorizer, actor, action, t);

  const audited = createAudited(deps);
  /** The audit subject of a mutation of user `iamId` (empty while an invitation has not made the user yet). */
  const subjectOf = (action: string, accountId: string, iamId = ''): AuditSubject => ({ action, targetType: 'user', targetId: iamId, accountId });

  /**
   * Which users of the account the caller may see: `all` with user-management.user.retrieve, or
   * as a user of the account while the list is not restricted; `self` for other users of it.
   */
  async function visibility(actor: Actor, accountId: string): Promise<'all' | 'self'> {
    if (await allowed(actor, 'user-management.user.retrieve', target(accountId))) return 'all';
    if (actor.principal.accountId !== accountId) throw errors.userNotFound(actor.principal.iamId, accountId);
    return (await deps.userListRestricted(accountId)) ? 'self' : 'all';
  }

  /** The member's profile when the caller may see it; not found otherwise. */
  async function visibleProfile(actor: Actor, accountId: string, iamId: string): Promise<Profile> {
    const self = actor.principal.iamId === iamId && actor.principal.accountId === accountId;
    if (!self && (await visibility(actor, accountId)) === 'self') throw errors.userNotFound(iamId, accountId);
    const profile = await store.getMember(accountId, iamId);
    if (!profile) throw errors.userNotFound(iamId, accountId);
    return profile;
  }

  /** Authorizes `action` on another user; a user acting on themselves needs no permission when `selfAllowed`. */
  async function authorizeOn(actor: Actor, accountId: string, iamId: string, action: string, selfAllowed: boolean) {
    const self = actor.principal.iamId === iamId && actor.principal.accountId === accountId;
    if (!(self && selfAllowed)) await authorizer.authorize(actor.principal, action, target(accountId, iamId), actor.environment);
  }

  /**
   * Removes a member with their API keys in the account and what other domains hold for them
   * (links.onRemove). Returns the details of its audit event.
   */
  async function removeIn(w: Write, actor: Actor, accountId: string, iamId: string): Promise<Record<string, unknown>> {
    const keys = (await deps.apiKeys.apiKeysOf(iamId, w.trx)).filter((k) => k.accountId === accountId);
    for (const key of keys) {
      await deps.apiKeys.deleteApiKey(w.trx, key.id);
      w.changed({ entity: 'apikey', entityId: key.id, accountId, op: 'delete' });
    }
    for (const unlink of deps.links.onRemove) await unlink(w, accountId, iamId, actor.principal.iamId);
    await store.deleteMember(w.trx, accountId, iamId);
    w.changed({ entity: 'account_user', entityId: iamId, accountId, op: 'delete' });
    return { api_keys_deleted: keys.length };
  }

  /** A fresh invitation secret (only its hash is stored). */
  const newSecret = () => `${INVITATION_PREFIX}${randomBytes(32).toString('base64url')}`;
  /** When an invitation made now lapses. */
  const expiryFromNow = () => new Date(clock.now().getTime() + deps.invitationTtlSeconds * 1000).toISOString();

  function parseSearch(search: string | undefined): Array<[SearchField, string]> {
    if (!search) return [];
    return search.split(',').map((term) => {
      const at = term.indexOf(':');
      const field = term.slice(0, at).trim();
      if (at < 1 || !(SEARCH_FIELDS as readonly string[]).includes(field)) throw errors.badSearch(term);
      return [field as SearchField, term.slice(at + 1).trim()];
    });
  }

  return {
    /**
     * Invites users by e-mail: each becomes a PENDING user of the account (a new user is made for
     * an unknown address) until they accept, at the latest `invitationTtlSeconds` later. The
     * invitation reaches the invitee only, by e-mail, once the invitation, its access groups and
     * its policies have all been given: an invitee with no identity yet receives a one-time secret
     * (stored hashed) that sets their first credential; one who already exists receives none and
     * accepts while signed in as themselves. If a group, a policy or a message cannot be given,
     * the whole invitation is withdrawn and the error returned. The result never holds a secret.
     */
    async invite(
      actor: Actor,
      accountId: string,
      input: { users: Invitation[]; accessGroups?: string[]; policies?: InvitePolicy[] },
    ): Promise<InvitedUser[]> {
      return audited(actor, subjectOf('user-management.user.create', accountId), async (_commit, { authorize, commitEach }) => {
        // Authorized before the account is looked up, so another account and a missing one answer alike.
        await authorize('user-management.user.create', target(accountId));
        const account = await deps.accounts.getAccount(accountId);
        if (!account) throw errors.userNotFound(actor.principal.iamId, accountId);
        for (const u of input.users) if (!EMAIL.test(u.email)) throw errors.badEmail(u.email);
        if (input.accessGroups?.length && !deps.links.addToAccessGroups) throw errors.unavailable('access_groups');
        if (input.policies?.length && !deps.links.grantPolicies) throw errors.unavailable('iam_policy');
        const invited = await commitEach(async (w, record) => {
          const at = now();
          const expiresAt = expiryFromNow();
          const out: Array<{ email: string; iamId: string; expiresAt: string; secret?: string }> = [];
          for (const u of input.users) {
            let user = await deps.accounts.getUserByLogin(u.email, w.trx);
            let established = false;
            if (!user) {
              user = { iamId: ids.userIamId(), userId: u.email, email: u.email, firstName: '', lastName: '', realm: 'IBMid' };
              await deps.accounts.insertUser(w.trx, user, at);
            } else if (await store.getMember(accountId, user.iamId, w.trx)) {
              throw errors.alreadyMember(u.email, accountId);
            } else {
              established = await store.isEstablished(user.iamId, accountId, w.trx);
            }
            const secret = established ? undefined : newSecret();
            await store.insertInvited(w.trx, {
              accountId,
              iamId: user.iamId,
              at,
              invitationHash: secret === undefined ? null : hashOf(secret),
              expiresAt,
              invitedBy: actor.principal.iamId,
              email: u.email,
            });
            w.changed({ entity: 'account_user', entityId: user.iamId, accountId, op: 'create' });
            record(w, user.iamId, { email: u.email, expires_at: expiresAt });
            out.push({ email: u.email, iamId: user.iamId, expiresAt, ...(secret !== undefined ? { secret } : {}) });
          }
          return out;
        });
        try {
          for (const u of invited) {
            if (input.accessGroups?.length) await deps.links.addToAccessGroups!(actor, accountId, u.iamId, input.accessGroups);
            if (input.policies?.length) await deps.links.grantPolicies!(actor, accountId, u.iamId, input.policies);
          }
          const result: InvitedUser[] = [];
          for (const u of invited) {
            const message = invitationMessage({
              email: u.email,
              iamId: u.iamId,
              accountId,
              accountName: account.name,
              invitedBy: actor.principal.name || actor.principal.iamId,
              siteUrl: deps.site.url,
              expiresAt: u.expiresAt,
              ...(u.secret !== undefined ? { secret: u.secret } : {}),
            });
            result.push({ email: u.email, iamId: u.iamId, state: 'PENDING', delivery: await deps.mailer.send(message) });
          }
          return result;
        } catch (error) {
          // An invitation is all or nothing: when a group, a policy or a message cannot be given, it is
          // withdrawn with whatever it already gave (a secret already mailed is spent with it).
          await writer.write(async (w) => {
            for (const u of invited) {
              const detail = await removeIn(w, actor, accountId, u.iamId);
              w.audit(auditOf(actor, { ...subjectOf('user-management.user.delete', accountId, u.iamId), detail: { ...detail, withdrawn_invitation: true } }));
            }
          });
          throw error;
        }
      });
    },

    /**
     * Invites the owner of an account that the caller's write is creating, when the owner is a new
     * person named by e-mail (Enterprise Management): the invitation `invite` gives a new invitee —
     * a PENDING membership and a one-time secret, stored hashed, bound to this account and e-mail,
     * expiring after `invitationTtlSeconds` — which they redeem with `acceptInvitation` to set their
     * first credential. The message is sent before the write commits, so an account whose owner
     * could not be told is not created; should the write fail after sending, the secret matches
     * nothing. The owner (`iamId`) must have been made in this write, with no membership yet.
     */
    async inviteOwnerIn(w: Write, actor: Actor, input: { accountId: string; accountName: string; iamId: string; email: string }): Promise<Delivery> {
      const at = now();
      const expiresAt = expiryFromNow();
      const secret = newSecret();
      await store.insertInvited(w.trx, {
        accountId: input.accountId,
        iamId: input.iamId,
        at,
        invitationHash: hashOf(secret),
        expiresAt,
        invitedBy: actor.principal.iamId,
        email: input.email,
      });
      w.changed({ entity: 'account_user', entityId: input.iamId, accountId: input.accountId, op: 'create' });
      // An event of its own in the creating write (which records the account's).
      w.audit(auditOf(actor, { ...subjectOf('user-management.user.create', input.accountId, input.iamId), detail: { email: input.email, expires_at: expiresAt, owner: true } }));
      return deps.mailer.send(
        invitationMessage({
          email: input.email,
          iamId: input.iamId,
          accountId: input.accountId,
          accountName: input.accountName,
          invitedBy: actor.principal.name || actor.principal.iamId,
          siteUrl: deps.site.url,
          expiresAt,
          secret,
          asOwner: true,
        }),
      );
    },

    /**
     * Accepts an invitation with its secret, for an invitee who has no identity yet: the user
     * becomes ACTIVE and receives an API key in the account (shown once), their first credential,
     * and, when `password` is given, that password (it must meet the password rules; checked before
     * the secret is spent). The secret is good once, until it expires, and for its own account only.
     * It never acts for an identity that already exists (403): such an invitee accepts while signed
     * in (`accept`).
     */
    async acceptInvitation(secret: string, accountId: string, requestId: string, password?: string) {
      const hash = hashOf(secret);
      const invited = await store.findInvitation(hash);
      // No one is signed in: the invitee the secret names (if any) acts, in the account it is for.
      // Its events, failures too, name that invitee as initiator and target once the secret is found.
      const invitee: Actor = { principal: { iamId: invited?.iamId ?? '', kind: 'user', accountId, name: '' }, requestId };
      const subject = subjectOf('user-management.user.accept', accountId, invited?.iamId);
      return audited(invitee, subject, async (commit) => {
        let passwordHash: string | undefined;
        if (password !== undefined) {
          if (!deps.passwords) throw errors.unavailable('password');
          const user = invited && (await deps.accounts.getUser(invited.iamId));
          passwordHash = await deps.passwords.prepare(password, user ? [user.userId, user.email] : []);
        }
        return commit(
          async (w) => {
            const at = now();
            const found = await store.findInvitation(hash, w.trx);
            if (!found || found.expiresAt === null || found.expiresAt <= at) throw errors.invitationInvalid();
            if (found.accountId !== accountId) throw errors.invitationElsewhere(accountId);
            invitee.principal.iamId = subject.targetId = found.iamId;
            // Spend the secret first: a concurrent acceptance waits for this one, then finds it spent.
            if (!(await store.acceptPending(w.trx, accountId, found.iamId, at, hash))) throw errors.invitationInvalid();
            // Rolled back with the whole write when the identity exists by now.
            if (await store.isEstablished(found.iamId, accountId, w.trx)) throw errors.identityExists();
            const key = await deps.issueApiKey(w, {
              iamId: found.iamId,
              accountId,
              name: 'invitation',
              description: `API key of ${found.iamId}, created when the invitation to account ${accountId} was accepted`,
              createdBy: found.iamId,
            });
            if (passwordHash !== undefined) await deps.passwords!.setIn(w, found.iamId, passwordHash);
            w.changed({ entity: 'account_user', entityId: found.iamId, accountId, op: 'update' });
            return { iamId: found.iamId, apiKey: key };
          },
          { password_set: passwordHash !== undefined },
        );
      });
    },

    /**
     * Accepts the caller's own pending invitation (the caller signed in as the invitee); false when
     * they were already active there. No credential is issued: the user creates their own API key
     * in the account. An expired invitation is not found.
     */
    async accept(actor: Actor, accountId: string): Promise<boolean> {
      return audited(actor, subjectOf('user-management.user.accept', accountId, actor.principal.iamId), async (_commit, { commitEach }) =>
        commitEach(async (w, record) => {
          const member = await store.getMember(accountId, actor.principal.iamId, w.trx);
          if (!member) throw errors.invitationElsewhere(accountId);
          if (member.state !== 'PENDING') return false;
          if (!(await store.acceptPending(w.trx, accountId, member.iamId, now()))) throw errors.invitationExpired(accountId);
          w.changed({ entity: 'account_user', entityId: member.iamId, accountId, op: 'update' });
          record(w, member.iamId);
          return true;
        }),
      );
    },

    /**
     * One page of the users the caller may see, in IAM id order (IBM's) or, with `page.sort`, by
     * that field then IAM id; `next` is where the next page starts.
     */
    async list(actor: Actor, accountId: string, query: UserSearch, page: { limit?: number; start?: string; sort?: UserSort }) {
      const limit = limitOf(page.limit, USER_LIMITS);
      const terms = parseSearch(query.search);
      const scope = await visibility(actor, accountId);
      const filter: MemberFilter = {
        terms,
        ...(scope === 'self' ? { iamId: actor.principal.iamId } : {}),
        ...(query.userId !== undefined ? { userId: query.userId } : {}),
      };
      const window = {
        limit,
        ...(page.sort !== undefined ? { order: orderOf(page.sort) } : {}),
        ...(page.start !== undefined ? { after: startKey(page.start, page.sort) } : {}),
      };
      const { items, keys, more, total } = await store.pageMembers(accountId, filter, window);
      const last = keys.at(-1);
      return { total, limit, items, next: more && last ? startText(last, page.sort) : undefined };
    },

    getProfile: visibleProfile,

    /**
     * Updates a profile. Users edit their own names and contact details; other users' profiles
     * need user-management.user.update, and a state change needs user.state-change (never on
     * oneself, the owner or a PENDING user).
     */
    async updateProfile(actor: Actor, accountId: string, iamId: string, changes: ProfileChanges): Promise<void> {
      const { state, ...fields } = changes;
      const action = state !== undefined ? 'user-management.user.state-change' : 'user-management.user.update';
      await audited(actor, subjectOf(action, accountId, iamId), async (commit) => {
        const profile = await visibleProfile(actor, accountId, iamId);
        if (Object.keys(fields).length > 0) await authorizeOn(actor, accountId, iamId, 'user-management.user.update', true);
        if (state !== undefined) {
          if (!(SETTABLE_STATES as readonly string[]).includes(state)) throw errors.badState(state);
          await authorizeOn(actor, accountId, iamId, 'user-management.user.state-change', false);
          if ((await deps.accounts.getAccount(accountId))?.ownerIamId === iamId) throw errors.ownerUntouchable();
          if (profile.state === 'PENDING') throw errors.pending(iamId);
        }
        if (fields.email !== undefined && !EMAIL.test(fields.email)) throw errors.badEmail(fields.email);
        await commit(
          async (w) => {
            await store.updateMember(w.trx, accountId, iamId, { ...fields, ...(state !== undefined ? { state } : {}) });
            w.changed({ entity: 'account_user', entityId: iamId, accountId, op: 'update' });
          },
          { fields: Object.keys(changes) },
        );
      });
    },

    /**
     * Removes a user from the account together with their API keys there and whatever the other
     * domains hold for them (links.onRemove), in one write. The owner cannot be removed.
     */
    async remove(actor: Actor, accountId: string, iamId: string): Promise<void> {
      await audited(actor, subjectOf('user-management.user.delete', accountId, iamId), async (_commit, { authorize, commitEach }) => {
        await visibleProfile(actor, accountId, iamId);
        await authorize('user-management.user.delete', target(accountId, iamId));
        if ((await deps.accounts.getAccount(accountId))?.ownerIamId === iamId) throw errors.ownerUntouchable();
        await commitEach(async (w, record) => record(w, iamId, await removeIn(w, actor, accountId, iamId)));
      });
    },

    async getSettings(actor: Actor, accountId: string, iamId: string): Promise<UserSettings> {
      const profile = await visibleProfile(actor, accountId, iamId);
      await authorizeOn(actor, accountId, iamId, 'user-management.user-setting.retrieve', true);
      return profile.settings;
    },

    async updateSettings(actor: Actor, accountId: string, iamId: string, changes: Partial<UserSettings>): Promise<void> {
      await audited(actor, subjectOf('user-management.user-setting.update', accountId, iamId), async (commit) => {
        const profile = await visibleProfile(actor, accountId, iamId);
        await authorizeOn(actor, accountId, iamId, 'user-management.user-setting.update', true);
        await commit(
          async (w) => {
            await store.updateMember(w.trx, accountId, iamId, { settings: JSON.stringify({ ...profile.settings, ...changes }) });
            w.changed({ entity: 'account_user', entityId: iamId, accountId, op: 'update' });
          },
          { fields: Object.keys(changes) },
        );
      });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
