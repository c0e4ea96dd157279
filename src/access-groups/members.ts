import { forbidden } from '../kernel/errors.js';
import { subjectKindOf, type SubjectKind } from '../kernel/ids.js';
import { failed, failedItem, succeeded, type Outcome } from '../kernel/outcome.js';
import type { Actor } from '../kernel/principal.js';
import type { Trx, Write } from '../store/unit-of-work.js';
import type { Context } from './context.js';
import { accessGroupErrors as errors } from './errors.js';
import type { MemberSort } from './store.js';
import {
  PUBLIC_ACCESS_GROUP_ID,
  type AccessGroup,
  type Member,
  type MemberType,
  type MembershipType,
  type OffsetPage,
  type PageRequest,
} from './types.js';

/** Static members of groups: adding, listing, checking and removing them, one by one or in bulk. */

/** At most this many members per add/remove request, groups per request, and groups per identity. */
const BATCH_LIMIT = 50;
const GROUPS_PER_IDENTITY = 50;

const MEMBER_KIND: Record<MemberType, SubjectKind> = { user: 'user', service: 'serviceid', profile: 'profile' };

export interface MemberListQuery extends PageRequest {
  membershipType?: MembershipType;
  type?: MemberType;
  verbose?: boolean;
  sort?: MemberSort;
}

/** A static member as added (or as it already was): its type, and when and by whom it joined. */
export interface AddedMember {
  type: MemberType;
  createdAt: string;
  createdById: string;
}

/** The outcome for one IAM id of a bulk member operation. */
export interface MemberResult<T = void> {
  iamId: string;
  /** The member's type as given, or as its IAM id implies, when the operation failed for it. */
  type?: MemberType;
  outcome: Outcome<T>;
}

/** The outcome for one group of an operation on an identity's groups. */
export interface GroupResult {
  groupId: string;
  outcome: Outcome;
}

/** What the audit event of a bulk operation records of each item: done, or the code it failed with. */
const auditedOutcome = (outcome: Outcome<unknown>) => (outcome.ok ? 'done' : outcome.error.code);

/** A refusal (403) among item outcomes, for operations refused as a whole when every item is refused. */
const refusalOf = (outcome: Outcome<unknown>) => (!outcome.ok && outcome.error.kind === 'forbidden' ? outcome.error : undefined);

export function memberOperations(ctx: Context) {
  const { store, authorizer, authorizeJoin, directory } = ctx.deps;
  const { now, target, authorizedGroup, mutable, audited, memberChanged } = ctx;

  /**
   * Whether `iamId` may be a member of the account's groups as `type` (the identity directory):
   * a user IAM id may, even before that user belongs to the account (as IBM allows); a service ID
   * or trusted profile must be one of the account.
   */
  async function identityExists(trx: Trx, accountId: string, iamId: string, type: MemberType): Promise<boolean> {
    return (await directory.identityOf(accountId, iamId, trx))?.kind === MEMBER_KIND[type];
  }

  /** The member type a failed item reports: the one given when valid, else the one its IAM id implies. */
  function reportedType(iamId: string, given: string | undefined): { type?: MemberType } {
    if (given !== undefined && given in MEMBER_KIND) return { type: given as MemberType };
    const implied = (Object.keys(MEMBER_KIND) as MemberType[]).find((t) => MEMBER_KIND[t] === subjectKindOf(iamId));
    return implied ? { type: implied } : {};
  }

  /** The member type an IAM id's prefix implies, checked against the one given (400 on mismatch). */
  function memberTypeOf(iamId: string, given: string | undefined): MemberType {
    const kind = subjectKindOf(iamId);
    const implied = (Object.keys(MEMBER_KIND) as MemberType[]).find((t) => MEMBER_KIND[t] === kind);
    if (given !== undefined && !(given in MEMBER_KIND)) {
      throw errors.invalid(`The member type of ${iamId} must be user, service or profile, not "${given}".`);
    }
    if (!implied) throw errors.invalid(`${iamId} is not an IAM id of a user, service ID or trusted profile.`);
    if (given !== undefined && given !== implied) throw errors.wrongMemberType(iamId, given);
    return implied;
  }

  /**
   * Adds `iamId` as a static member inside a write; an existing membership is kept as is. Throws
   * the item's failure (404 unknown identity, 409 when it is already in the most groups allowed).
   */
  async function addMemberIn(w: Write, actor: Actor, group: AccessGroup, iamId: string, type: MemberType): Promise<AddedMember> {
    if (!(await identityExists(w.trx, group.accountId, iamId, type))) throw errors.identityNotFound(iamId, group.accountId);
    const existing = await store.getStaticMember(group.accountId, group.id, iamId, w.trx);
    if (existing) {
      return { type, createdAt: existing.created_at, createdById: existing.created_by_id };
    }
    if ((await store.staticGroupsOf(group.accountId, iamId, w.trx)).length >= GROUPS_PER_IDENTITY) {
      throw errors.tooManyGroups(iamId, GROUPS_PER_IDENTITY);
    }
    const row = {
      account_id: group.accountId,
      group_id: group.id,
      iam_id: iamId,
      type,
      created_at: now(),
      created_by_id: actor.principal.iamId,
    };
    await store.insertMember(w.trx, row);
    memberChanged(w, group.accountId, group.id, iamId, 'create');
    return { type, createdAt: row.created_at, createdById: row.created_by_id };
  }


  return {

    /**
     * Adds up to 50 members, each on its own: a user of the account (`user`), a service ID of it
     * (`service`) or a trusted profile of it (`profile`). An identity that is unknown or belongs to
     * another account fails alone (404 naming it), a type that does not fit its IAM id fails alone
     * (400); adding an existing member succeeds and keeps it as it was. A member receives every
     * policy of the group, so only a caller who could create each of them may add one (403).
     */
    async addMembers(actor: Actor, groupId: string, members: { iamId: string; type: string }[]): Promise<MemberResult<AddedMember>[]> {
      const subject = { action: 'iam-groups.members.add', targetType: 'group', targetId: groupId, accountId: actor.principal.accountId };
      return audited(actor, subject, async (commit) => {
        if (members.length > BATCH_LIMIT) throw errors.invalid(`At most ${BATCH_LIMIT} members can be added at once.`);
        const group = mutable(await authorizedGroup(actor, groupId, subject.action));
        subject.accountId = group.accountId;
        await authorizeJoin(actor, group.accountId, group.id);
        return commit(
          async (w) => {
            if (!(await store.lockGroup(w.trx, group.accountId, groupId))) throw errors.groupNotFound(groupId);
            const results: MemberResult<AddedMember>[] = [];
            for (const member of members) {
              try {
                const added = await addMemberIn(w, actor, group, member.iamId, memberTypeOf(member.iamId, member.type));
                results.push({ iamId: member.iamId, outcome: succeeded(added) });
              } catch (error) {
                results.push({ iamId: member.iamId, ...reportedType(member.iamId, member.type), outcome: failedItem(error) });
              }
            }
            return results;
          },
          (results) => ({ members: results.map((r) => ({ iam_id: r.iamId, outcome: auditedOutcome(r.outcome) })) }),
        );
      });
    },

    /** One page of a group's members; name, email and description only when `verbose`. */
    async listMembers(actor: Actor, groupId: string, query: MemberListQuery): Promise<OffsetPage<Member>> {
      const group = await authorizedGroup(actor, groupId, 'iam-groups.members.list');
      const { limit, offset } = query;
      if (group.id === PUBLIC_ACCESS_GROUP_ID) return { items: [], totalCount: 0, limit, offset };
      const filter = {
        membershipType: query.membershipType ?? 'static',
        ...(query.type ? { type: query.type } : {}),
        ...(query.sort ? { sort: query.sort } : {}),
      };
      const page = await store.listMembers(group.accountId, groupId, filter, { limit, offset }, now());
      const items = query.verbose ? page.items : page.items.map(({ name: _n, email: _e, description: _d, ...member }) => member);
      return { items, totalCount: page.totalCount, limit, offset };
    },

    /** Resolves when `iamId` is a static or unexpired dynamic member; 404 otherwise. */
    async checkMembership(actor: Actor, groupId: string, iamId: string): Promise<void> {
      const group = await authorizedGroup(actor, groupId, 'iam-groups.members.read');
      if (group.id === PUBLIC_ACCESS_GROUP_ID || !(await store.isMember(group.accountId, groupId, iamId, now()))) {
        throw errors.notAMember(groupId, iamId);
      }
    },

    /** Removes one static member; 404 when it is not one. */
    async removeMember(actor: Actor, groupId: string, iamId: string): Promise<void> {
      const subject = { action: 'iam-groups.members.delete', targetType: 'group', targetId: groupId, accountId: actor.principal.accountId };
      await audited(actor, subject, async (commit) => {
        const group = await authorizedGroup(actor, groupId, subject.action, iamId);
        subject.accountId = group.accountId;
        if (group.id === PUBLIC_ACCESS_GROUP_ID) throw errors.notAMember(groupId, iamId);
        await commit(
          async (w) => {
            if (!(await store.deleteMember(w.trx, group.accountId, groupId, iamId))) throw errors.notAMember(groupId, iamId);
            memberChanged(w, group.accountId, groupId, iamId, 'delete');
          },
          () => ({ iam_id: iamId }),
        );
      });
    },

    /** Removes up to 50 static members, each on its own (404 for one that is not a member). */
    async removeMembers(actor: Actor, groupId: string, iamIds: string[]): Promise<MemberResult[]> {
      const subject = { action: 'iam-groups.members.delete', targetType: 'group', targetId: groupId, accountId: actor.principal.accountId };
      return audited(actor, subject, async (commit) => {
        if (iamIds.length > BATCH_LIMIT) throw errors.invalid(`At most ${BATCH_LIMIT} members can be removed at once.`);
        const group = await authorizedGroup(actor, groupId, subject.action);
        subject.accountId = group.accountId;
        // Each member on its own: a managed group may keep some (guardManaged), decided before the write.
        const guard = ctx.deps.guardManaged;
        const refusals = new Map<string, unknown>();
        for (const iamId of guard ? iamIds : []) await guard!(group, subject.action, iamId).catch((error: unknown) => refusals.set(iamId, error));
        return commit(
          async (w) => {
            const results: MemberResult[] = [];
            for (const iamId of iamIds) {
              if (refusals.has(iamId)) {
                results.push({ iamId, outcome: failedItem(refusals.get(iamId)) });
              } else if (group.id !== PUBLIC_ACCESS_GROUP_ID && (await store.deleteMember(w.trx, group.accountId, groupId, iamId))) {
                memberChanged(w, group.accountId, groupId, iamId, 'delete');
                results.push({ iamId, outcome: succeeded() });
              } else {
                results.push({ iamId, outcome: failed(errors.notAMember(groupId, iamId)) });
              }
            }
            return results;
          },
          (results) => ({ members: results.map((r) => ({ iam_id: r.iamId, outcome: auditedOutcome(r.outcome) })) }),
        );
      });
    },

    /**
     * Adds one identity of the account to up to 50 of its groups, each on its own: 404 for a group
     * not in the account, 403 for one the caller may not add members to (or could not create every
     * policy of), 400 for Public Access.
     * Refused as a whole (403) when the caller may add members to none of them; 404 naming the
     * identity when it is not one of the account.
     */
    async addToGroups(actor: Actor, accountId: string, iamId: string, type: string | undefined, groupIds: string[]): Promise<GroupResult[]> {
      const subject = { action: 'iam-groups.members.add', targetType: 'member', targetId: iamId, accountId };
      return audited(actor, subject, async (commit) => {
        // Another account's identities and groups are not looked at: the answer must not depend on them.
        if (accountId !== actor.principal.accountId) throw forbidden();
        if (groupIds.length > BATCH_LIMIT) throw errors.invalid(`At most ${BATCH_LIMIT} groups can be named at once.`);
        const memberType = memberTypeOf(iamId, type);
        const checked = await Promise.all(
          groupIds.map(async (groupId): Promise<GroupResult & { group?: AccessGroup }> => {
            try {
              const group = groupId === PUBLIC_ACCESS_GROUP_ID ? undefined : await store.getGroup(groupId);
              if (groupId !== PUBLIC_ACCESS_GROUP_ID && (!group || group.accountId !== accountId)) throw errors.groupNotFound(groupId);
              await authorizer.authorize(actor.principal, subject.action, target(accountId, groupId), actor.environment);
              if (!group) throw errors.publicAccessImmutable();
              await ctx.deps.guardManaged?.(group, subject.action);
              await authorizeJoin(actor, accountId, group.id);
              return { groupId, outcome: succeeded(), group };
            } catch (error) {
              return { groupId, outcome: failedItem(error) };
            }
          }),
        );
        const refusal = checked.map((c) => refusalOf(c.outcome)).find((e) => e !== undefined);
        if (refusal && checked.every((c) => !c.outcome.ok && ['forbidden', 'not_found'].includes(c.outcome.error.kind))) throw refusal;
        return commit(
          async (w) => {
            if (!(await identityExists(w.trx, accountId, iamId, memberType))) throw errors.identityNotFound(iamId, accountId);
            const locked = new Set<string>();
            for (const id of checked.flatMap((c) => (c.group ? [c.group.id] : [])).sort()) {
              if (await store.lockGroup(w.trx, accountId, id)) locked.add(id);
            }
            const results: GroupResult[] = [];
            for (const { group, ...result } of checked) {
              if (!group) {
                results.push(result);
                continue;
              }
              try {
                if (!locked.has(group.id)) throw errors.groupNotFound(group.id);
                await addMemberIn(w, actor, group, iamId, memberType);
                results.push({ groupId: group.id, outcome: succeeded() });
              } catch (error) {
                results.push({ groupId: group.id, outcome: failedItem(error) });
              }
            }
            return results;
          },
          (results) => ({ groups: results.map((r) => ({ access_group_id: r.groupId, outcome: auditedOutcome(r.outcome) })) }),
        );
      });
    },

    /**
     * Removes an identity from every group of the account it is a static member of, each group on
     * its own (403 for one the caller may not remove members from). 404 naming the identity when
     * it is a static member of none; 403 as a whole when the caller may act on none of them.
     */
    async removeFromAllGroups(actor: Actor, accountId: string, iamId: string): Promise<GroupResult[]> {
      const subject = { action: 'iam-groups.members.delete', targetType: 'member', targetId: iamId, accountId };
      return audited(actor, subject, async (commit) => {
        if (accountId !== actor.principal.accountId) throw forbidden();
        const groupIds = await store.staticGroupsOf(accountId, iamId);
        const checked = await Promise.all(
          groupIds.map(async (groupId): Promise<GroupResult> => {
            try {
              await authorizer.authorize(actor.principal, subject.action, target(accountId, groupId), actor.environment);
              const guard = ctx.deps.guardManaged;
              const group = guard && (await store.getGroup(groupId));
              if (guard && group) await guard(group, subject.action, iamId);
              return { groupId, outcome: succeeded() };
            } catch (error) {
              return { groupId, outcome: failedItem(error) };
            }
          }),
        );
        const refusal = checked.map((c) => refusalOf(c.outcome)).find((e) => e !== undefined);
        if (refusal && checked.every((c) => refusalOf(c.outcome))) throw refusal;
        if (checked.length === 0) throw errors.memberOfNoGroup(iamId, accountId);
        return commit(
          async (w) => {
            const results: GroupResult[] = [];
            for (const result of checked) {
              if (!result.outcome.ok) {
                results.push(result);
              } else if (await store.deleteMember(w.trx, accountId, result.groupId, iamId)) {
                memberChanged(w, accountId, result.groupId, iamId, 'delete');
                results.push(result);
              } else {
                results.push({ groupId: result.groupId, outcome: failed(errors.notAMember(result.groupId, iamId)) });
              }
            }
            return results;
          },
          (results) => ({ groups: results.map((r) => ({ access_group_id: r.groupId, outcome: auditedOutcome(r.outcome) })) }),
        );
      });
    },

    /**
     * For the services that delete identities (service IDs) or remove users from an account: ends
     * every static and dynamic membership of `iamId` in the account inside their write, publishing
     * a `group_member` change for each. Returns the groups it left. The caller's own audit event
     * covers it.
     */
    async removeIdentityEverywhere(w: Write, accountId: string, iamId: string): Promise<string[]> {
      const groupIds = await store.deleteMemberEverywhere(w.trx, accountId, iamId);
      for (const groupId of groupIds) memberChanged(w, accountId, groupId, iamId, 'delete');
      return groupIds;
    },

  };
}
