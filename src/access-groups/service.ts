import { randomUUID } from 'node:crypto';
import type { AccountsStore } from '../accounts/store.js';
import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { DomainError, staleEtag } from '../kernel/errors.js';
import { entityTag, subjectKindOf, type SubjectKind } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import type { Trx, Write, Writer } from '../store/unit-of-work.js';
import { accessGroupErrors as errors } from './errors.js';
import { checkRuleInput, evaluateRules, type DynamicGrant, type FederatedLogin } from './rules.js';
import type { AccessGroupsStore, GroupSort, MemberSort } from './store.js';
import {
  PUBLIC_ACCESS_GROUP_ID,
  SERVICE_NAME,
  type AccessGroup,
  type ItemResult,
  type Member,
  type MemberType,
  type MembershipType,
  type OffsetPage,
  type PageRequest,
  type Rule,
  type RuleInput,
  type Settings,
} from './types.js';

/**
 * IAM access groups: groups of an account, their static members, dynamic-membership rules and
 * the account's access-groups settings. Every operation is authorized with the `iam-groups`
 * actions of the catalogue (reference/authz.md §7) on the group it touches (account-level
 * operations: on the account), every mutation is audited, and every change to a group, a
 * membership, a rule or the settings is published on the change feed for the decision point:
 *
 * | entity           | entityId               | when                                           |
 * |------------------|------------------------|------------------------------------------------|
 * | `access_group`   | group id               | group created, renamed, deleted                |
 * | `group_member`   | `<group id>/<iam id>`  | static or dynamic membership added / removed / renewed |
 * | `group_rule`     | rule id                | rule created, replaced, removed                |
 * | `group_settings` | account id             | public access switched                         |
 *
 * The Public Access group (`AccessGroupId-PublicAccess`) exists in every account without being
 * stored: it is listed and readable, but cannot be changed, deleted, or given members or rules;
 * by-id requests for it concern the caller's account. A dynamic membership's expiry publishes
 * nothing: readers compare `expiresAt` with their clock.
 */

export interface AccessGroupsDeps {
  store: AccessGroupsStore;
  accounts: Pick<AccountsStore, 'getAccount'>;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
}

/** At most this many members per add/remove request, groups per request, and groups per identity. */
const BATCH_LIMIT = 50;
const GROUPS_PER_IDENTITY = 50;

const MEMBER_KIND: Record<MemberType, SubjectKind> = { user: 'user', service: 'serviceid', profile: 'profile' };

export interface GroupInput {
  name: string;
  description?: string;
}

export interface GroupListQuery extends PageRequest {
  iamId?: string;
  membershipType?: MembershipType;
  /** `id:<text>`, `name:<text>`, `description:<text>`, or plain text (matched against the name). */
  search?: string;
  sort?: GroupSort;
  hidePublicAccess?: boolean;
}

export interface MemberListQuery extends PageRequest {
  membershipType?: MembershipType;
  type?: MemberType;
  verbose?: boolean;
  sort?: MemberSort;
}

export interface MemberResult extends ItemResult {
  iamId: string;
  type?: MemberType;
  createdAt?: string;
  createdById?: string;
}

export interface GroupResult extends ItemResult {
  groupId: string;
}

interface AuditSubject {
  action: string;
  targetType: string;
  targetId: string;
  accountId: string;
}

const nextTag = (current: string) => {
  const revision = Number.parseInt(current, 10);
  return entityTag(Number.isFinite(revision) ? revision + 1 : 1);
};

/** Checks If-Match (`*` matches any) and returns the tag the conditional update must still find. */
function expectedTag(ifMatch: string, current: string): string | undefined {
  if (ifMatch === '*') return undefined;
  if (ifMatch !== current) throw staleEtag();
  return current;
}

function checkGroupInput(input: { name?: string; description?: string }) {
  const name = input.name?.trim();
  if (name !== undefined && (name.length === 0 || name.length > 100)) {
    throw errors.invalid('The access group name must be 1 to 100 characters.');
  }
  if (input.description !== undefined && input.description.length > 250) {
    throw errors.invalid('The access group description is limited to 250 characters.');
  }
  return { name, description: input.description };
}

function parseSearch(search: string): { field: 'id' | 'name' | 'description'; text: string } {
  const match = /^(id|name|description):(.*)$/s.exec(search);
  return match ? { field: match[1] as 'id' | 'name' | 'description', text: match[2]! } : { field: 'name', text: search };
}

const matchesSearch = (group: AccessGroup, search: { field: 'id' | 'name' | 'description'; text: string }) =>
  group[search.field].toLowerCase().includes(search.text.toLowerCase());

const failure = (error: DomainError, status: number): ItemResult => ({ status, error: { code: error.code, message: error.message } });

const STATUS_OF_KIND: Partial<Record<DomainError['kind'], number>> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409 };

/** An item's failure from a domain error; anything else is not an item failure and propagates. */
function itemFailure(error: unknown): ItemResult {
  if (error instanceof DomainError) {
    const status = STATUS_OF_KIND[error.kind];
    if (status !== undefined) return failure(error, status);
  }
  throw error;
}

export function createAccessGroupsService(deps: AccessGroupsDeps) {
  const { store, writer, clock, authorizer } = deps;
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
   * nothing), 403 when refused.
   */
  async function authorizedGroup(actor: Actor, groupId: string, action: string): Promise<AccessGroup> {
    const group =
      groupId === PUBLIC_ACCESS_GROUP_ID ? await publicAccessGroup(actor.principal.accountId) : await store.getGroup(groupId);
    if (!group || group.accountId !== actor.principal.accountId) throw errors.groupNotFound(groupId);
    await authorizer.authorize(actor.principal, action, target(group.accountId, group.id));
    return group;
  }

  const mutable = (group: AccessGroup) => {
    if (group.id === PUBLIC_ACCESS_GROUP_ID) throw errors.publicAccessImmutable();
    return group;
  };

  /**
   * Runs one audited mutation: `run` validates and authorizes, then calls `commit` for its write,
   * which records the success event in the same transaction. Whatever `run` throws is recorded as
   * a failure event and rethrown.
   */
  async function audited<T>(
    actor: Actor,
    subject: AuditSubject,
    run: (commit: <R>(fn: (w: Write) => Promise<R>, detail?: (value: R) => Record<string, unknown>) => Promise<R>) => Promise<T>,
  ): Promise<T> {
    const eventOf = (detail?: Record<string, unknown>) => ({
      requestId: actor.requestId,
      initiatorIamId: actor.principal.iamId,
      initiatorAccountId: actor.principal.accountId,
      ...subject,
      ...(detail ? { detail } : {}),
    });
    try {
      return await run(async (fn, detail) => {
        const { value } = await writer.write(async (w) => {
          const result = await fn(w);
          w.audit(eventOf(detail?.(result)));
          return result;
        });
        return value;
      });
    } catch (error) {
      const reason = error instanceof DomainError ? `${error.code}: ${error.message}` : 'internal error';
      await writer.auditFailure(eventOf(), reason);
      throw error;
    }
  }

  const memberChanged = (w: Write, accountId: string, groupId: string, iamId: string, op: 'create' | 'update' | 'delete') =>
    w.changed({ entity: 'group_member', entityId: `${groupId}/${iamId}`, accountId, op });

  /** Whether `iamId` names an identity of the account of the given member type. */
  async function identityExists(trx: Trx, accountId: string, iamId: string, type: MemberType): Promise<boolean> {
    switch (type) {
      case 'user':
        return store.isUserOf(accountId, iamId, trx);
      case 'service':
        return store.isServiceIdOf(accountId, iamId, trx);
      case 'profile':
        return store.isProfileOf(accountId, iamId, trx);
    }
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
  async function addMemberIn(w: Write, actor: Actor, group: AccessGroup, iamId: string, type: MemberType): Promise<MemberResult> {
    if (!(await identityExists(w.trx, group.accountId, iamId, type))) throw errors.identityNotFound(iamId, group.accountId);
    const existing = await store.getStaticMember(group.accountId, group.id, iamId, w.trx);
    if (existing) {
      return { iamId, type, status: 200, createdAt: existing.created_at, createdById: existing.created_by_id };
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
    return { iamId, type, status: 200, createdAt: row.created_at, createdById: row.created_by_id };
  }

  /** Revokes the dynamic memberships of a group that `ruleId` granted (others granted them too: kept). */
  async function revokeGrantsOfRule(w: Write, rule: Rule) {
    for (const member of await store.dynamicMembersOfGroup(w.trx, rule.accountId, rule.groupId)) {
      if (!member.rule_ids.includes(rule.id)) continue;
      const others = member.rule_ids.filter((id) => id !== rule.id);
      if (others.length > 0) {
        await store.putDynamicMember(w.trx, rule.accountId, { ...member, rule_ids: others });
      } else {
        await store.deleteDynamicMember(w.trx, rule.accountId, rule.groupId, member.iam_id);
        memberChanged(w, rule.accountId, rule.groupId, member.iam_id, 'delete');
      }
    }
  }

  /** The rule a by-id request names, in the group it names (404 otherwise). */
  async function ruleOf(group: AccessGroup, ruleId: string, trx?: Trx): Promise<Rule> {
    const rule = await store.getRule(ruleId, trx);
    if (!rule || rule.groupId !== group.id || rule.accountId !== group.accountId) throw errors.ruleNotFound(group.id, ruleId);
    return rule;
  }

  return {
    // ── Groups ────────────────────────────────────────────────────────────────────────────────

    /** Creates a group; 409 when the account has a group of that name (case-insensitive). */
    async createGroup(actor: Actor, accountId: string, input: GroupInput): Promise<AccessGroup> {
      const id = `AccessGroupId-${randomUUID()}`;
      return audited(actor, { action: 'iam-groups.groups.create', targetType: 'group', targetId: id, accountId }, async (commit) => {
        const { name, description } = checkGroupInput(input);
        if (name === undefined) throw errors.invalid('The access group name is required.');
        await authorizer.authorize(actor.principal, 'iam-groups.groups.create', target(accountId));
        return commit(async (w) => {
          if (name.toLowerCase() === 'public access' || (await store.groupIdByName(w.trx, accountId, name))) {
            throw errors.nameTaken(name);
          }
          const at = now();
          const by = actor.principal.iamId;
          await store.insertGroup(w.trx, {
            account_id: accountId,
            id,
            name,
            description: description ?? '',
            created_at: at,
            created_by_id: by,
            last_modified_at: at,
            last_modified_by_id: by,
            entity_tag: entityTag(1),
          });
          w.changed({ entity: 'access_group', entityId: id, accountId, op: 'create' });
          return (await store.getGroup(id, w.trx))!;
        });
      });
    },

    /**
     * One page of the account's groups. The Public Access group comes first (unless hidden, or
     * listing an identity's groups: it has no members to list) and counts in `totalCount`.
     */
    async listGroups(actor: Actor, accountId: string, query: GroupListQuery): Promise<OffsetPage<AccessGroup>> {
      await authorizer.authorize(actor.principal, 'iam-groups.groups.list', target(accountId));
      const search = query.search === undefined ? undefined : parseSearch(query.search);
      const filter = {
        accountId,
        sort: query.sort ?? 'name',
        ...(search ? { search } : {}),
        ...(query.iamId !== undefined ? { member: { iamId: query.iamId, membershipType: query.membershipType ?? 'static' } } : {}),
      };
      let publicGroup: AccessGroup | undefined;
      if (!query.hidePublicAccess && query.iamId === undefined) {
        const candidate = await publicAccessGroup(accountId);
        if (!search || matchesSearch(candidate, search)) publicGroup = candidate;
      }
      const { limit, offset } = query;
      if (!publicGroup) {
        const page = await store.listGroups(filter, { limit, offset }, now());
        return { ...page, limit, offset };
      }
      // The public group holds position 0; stored groups follow it.
      const first = offset === 0 && limit > 0;
      const page = await store.listGroups(
        filter,
        { limit: first ? limit - 1 : limit, offset: Math.max(0, offset - 1) },
        now(),
      );
      return { items: first ? [publicGroup, ...page.items] : page.items, totalCount: page.totalCount + 1, limit, offset };
    },

    async getGroup(actor: Actor, groupId: string): Promise<AccessGroup> {
      return authorizedGroup(actor, groupId, 'iam-groups.groups.read');
    },

    /** Renames or re-describes a group: If-Match must name its current tag (412 otherwise). */
    async updateGroup(actor: Actor, groupId: string, ifMatch: string, input: Partial<GroupInput>): Promise<AccessGroup> {
      const subject = { action: 'iam-groups.groups.update', targetType: 'group', targetId: groupId, accountId: actor.principal.accountId };
      return audited(actor, subject, async (commit) => {
        const changes = checkGroupInput(input);
        const group = mutable(await authorizedGroup(actor, groupId, subject.action));
        subject.accountId = group.accountId;
        return commit(async (w) => {
          const current = await store.getGroup(groupId, w.trx);
          if (!current) throw errors.groupNotFound(groupId);
          const expected = expectedTag(ifMatch, current.entityTag);
          const name = changes.name ?? current.name;
          if (name.toLowerCase() === 'public access') throw errors.nameTaken(name);
          const holder = await store.groupIdByName(w.trx, current.accountId, name);
          if (holder !== undefined && holder !== groupId) throw errors.nameTaken(name);
          const updated = await store.updateGroup(w.trx, groupId, expected, {
            name,
            description: changes.description ?? current.description,
            last_modified_at: now(),
            last_modified_by_id: actor.principal.iamId,
            entity_tag: nextTag(current.entityTag),
          });
          if (!updated) throw staleEtag();
          w.changed({ entity: 'access_group', entityId: groupId, accountId: current.accountId, op: 'update' });
          return (await store.getGroup(groupId, w.trx))!;
        });
      });
    },

    /** Deletes a group; one with members or rules only with `force` (409 otherwise), which removes them too. */
    async deleteGroup(actor: Actor, groupId: string, force: boolean): Promise<void> {
      const subject = { action: 'iam-groups.groups.delete', targetType: 'group', targetId: groupId, accountId: actor.principal.accountId };
      await audited(actor, subject, async (commit) => {
        const group = mutable(await authorizedGroup(actor, groupId, subject.action));
        subject.accountId = group.accountId;
        await commit(
          async (w) => {
            if (!(await store.lockGroup(w.trx, group.accountId, groupId))) throw errors.groupNotFound(groupId);
            const contents = await store.contentsOf(w.trx, group.accountId, groupId);
            if (!force && (contents.members > 0 || contents.rules > 0)) throw errors.groupNotEmpty(groupId);
            const removed = await store.deleteGroup(w.trx, group.accountId, groupId);
            for (const iamId of removed.iamIds) memberChanged(w, group.accountId, groupId, iamId, 'delete');
            for (const ruleId of removed.ruleIds) w.changed({ entity: 'group_rule', entityId: ruleId, accountId: group.accountId, op: 'delete' });
            w.changed({ entity: 'access_group', entityId: groupId, accountId: group.accountId, op: 'delete' });
            return removed;
          },
          (removed) => ({ force, members_removed: removed.iamIds.length, rules_removed: removed.ruleIds.length }),
        );
      });
    },

    // ── Members ───────────────────────────────────────────────────────────────────────────────

    /**
     * Adds up to 50 members, each on its own: a user of the account (`user`), a service ID of it
     * (`service`) or a trusted profile of it (`profile`). An identity that is unknown or belongs to
     * another account fails alone (404 naming it), a type that does not fit its IAM id fails alone
     * (400); adding an existing member succeeds and keeps it as it was.
     */
    async addMembers(actor: Actor, groupId: string, members: { iamId: string; type: string }[]): Promise<MemberResult[]> {
      const subject = { action: 'iam-groups.members.add', targetType: 'group', targetId: groupId, accountId: actor.principal.accountId };
      return audited(actor, subject, async (commit) => {
        if (members.length > BATCH_LIMIT) throw errors.invalid(`At most ${BATCH_LIMIT} members can be added at once.`);
        const group = mutable(await authorizedGroup(actor, groupId, subject.action));
        subject.accountId = group.accountId;
        return commit(
          async (w) => {
            if (!(await store.lockGroup(w.trx, group.accountId, groupId))) throw errors.groupNotFound(groupId);
            const results: MemberResult[] = [];
            for (const member of members) {
              try {
                results.push(await addMemberIn(w, actor, group, member.iamId, memberTypeOf(member.iamId, member.type)));
              } catch (error) {
                results.push({ iamId: member.iamId, ...itemFailure(error) });
              }
            }
            return results;
          },
          (results) => ({ members: results.map((r) => ({ iam_id: r.iamId, status: r.status })) }),
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
        const group = await authorizedGroup(actor, groupId, subject.action);
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
        return commit(
          async (w) => {
            const results: MemberResult[] = [];
            for (const iamId of iamIds) {
              if (group.id !== PUBLIC_ACCESS_GROUP_ID && (await store.deleteMember(w.trx, group.accountId, groupId, iamId))) {
                memberChanged(w, group.accountId, groupId, iamId, 'delete');
                results.push({ iamId, status: 204 });
              } else {
                results.push({ iamId, ...failure(errors.notAMember(groupId, iamId), 404) });
              }
            }
            return results;
          },
          (results) => ({ members: results.map((r) => ({ iam_id: r.iamId, status: r.status })) }),
        );
      });
    },

    /**
     * Adds one identity of the account to up to 50 of its groups, each on its own: 404 for a group
     * not in the account, 403 for one the caller may not add members to, 400 for Public Access.
     * Refused as a whole (403) when the caller may add members to none of them; 404 naming the
     * identity when it is not one of the account.
     */
    async addToGroups(actor: Actor, accountId: string, iamId: string, type: string | undefined, groupIds: string[]): Promise<GroupResult[]> {
      const subject = { action: 'iam-groups.members.add', targetType: 'member', targetId: iamId, accountId };
      return audited(actor, subject, async (commit) => {
        if (groupIds.length > BATCH_LIMIT) throw errors.invalid(`At most ${BATCH_LIMIT} groups can be named at once.`);
        const memberType = memberTypeOf(iamId, type);
        const checked = await Promise.all(
          groupIds.map(async (groupId): Promise<GroupResult & { group?: AccessGroup }> => {
            try {
              const group = groupId === PUBLIC_ACCESS_GROUP_ID ? undefined : await store.getGroup(groupId);
              if (groupId !== PUBLIC_ACCESS_GROUP_ID && (!group || group.accountId !== accountId)) throw errors.groupNotFound(groupId);
              await authorizer.authorize(actor.principal, subject.action, target(accountId, groupId));
              if (!group) throw errors.publicAccessImmutable();
              return { groupId, status: 200, group };
            } catch (error) {
              return { groupId, ...itemFailure(error) };
            }
          }),
        );
        const refusal = checked.find((c) => c.status === 403);
        if (refusal && checked.every((c) => c.status === 403 || c.status === 404)) {
          throw new DomainError('forbidden', refusal.error!.code, refusal.error!.message);
        }
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
                results.push({ groupId: group.id, status: 200 });
              } catch (error) {
                results.push({ groupId: group.id, ...itemFailure(error) });
              }
            }
            return results;
          },
          (results) => ({ groups: results.map((r) => ({ access_group_id: r.groupId, status: r.status })) }),
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
        const groupIds = await store.staticGroupsOf(accountId, iamId);
        const checked = await Promise.all(
          groupIds.map(async (groupId): Promise<GroupResult> => {
            try {
              await authorizer.authorize(actor.principal, subject.action, target(accountId, groupId));
              return { groupId, status: 204 };
            } catch (error) {
              return { groupId, ...itemFailure(error) };
            }
          }),
        );
        const refusal = checked.find((c) => c.status === 403);
        if (refusal && checked.every((c) => c.status === 403)) {
          throw new DomainError('forbidden', refusal.error!.code, refusal.error!.message);
        }
        if (checked.length === 0) throw errors.memberOfNoGroup(iamId, accountId);
        return commit(
          async (w) => {
            const results: GroupResult[] = [];
            for (const result of checked) {
              if (result.status !== 204) {
                results.push(result);
              } else if (await store.deleteMember(w.trx, accountId, result.groupId, iamId)) {
                memberChanged(w, accountId, result.groupId, iamId, 'delete');
                results.push(result);
              } else {
                results.push({ groupId: result.groupId, ...failure(errors.notAMember(result.groupId, iamId), 404) });
              }
            }
            return results;
          },
          (results) => ({ groups: results.map((r) => ({ access_group_id: r.groupId, status: r.status })) }),
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

    // ── Rules (dynamic membership) ────────────────────────────────────────────────────────────

    async addRule(actor: Actor, groupId: string, input: RuleInput): Promise<Rule> {
      const id = `ClaimRule-${randomUUID()}`;
      const subject = { action: 'iam-groups.rules.create', targetType: 'rule', targetId: id, accountId: actor.principal.accountId };
      return audited(actor, subject, async (commit) => {
        const rule = checkRuleInput(input);
        const group = mutable(await authorizedGroup(actor, groupId, subject.action));
        subject.accountId = group.accountId;
        return commit(async (w) => {
          if (!(await store.lockGroup(w.trx, group.accountId, groupId))) throw errors.groupNotFound(groupId);
          const at = now();
          const by = actor.principal.iamId;
          await store.insertRule(w.trx, {
            id,
            account_id: group.accountId,
            group_id: groupId,
            name: rule.name ?? '',
            expiration: rule.expiration,
            realm_name: rule.realmName,
            conditions: rule.conditions,
            created_at: at,
            created_by_id: by,
            last_modified_at: at,
            last_modified_by_id: by,
            entity_tag: entityTag(1),
          });
          w.changed({ entity: 'group_rule', entityId: id, accountId: group.accountId, op: 'create' });
          return (await store.getRule(id, w.trx))!;
        });
      });
    },

    async listRules(actor: Actor, groupId: string): Promise<Rule[]> {
      const group = await authorizedGroup(actor, groupId, 'iam-groups.rules.list');
      return group.id === PUBLIC_ACCESS_GROUP_ID ? [] : store.listRules(group.accountId, groupId);
    },

    async getRule(actor: Actor, groupId: string, ruleId: string): Promise<Rule> {
      return ruleOf(await authorizedGroup(actor, groupId, 'iam-groups.rules.read'), ruleId);
    },

    /**
     * Replaces a rule (If-Match, 412 when stale). When its realm, conditions or expiration change,
     * the memberships it granted end; members regain them at their next sign-in if they still match.
     */
    async replaceRule(actor: Actor, groupId: string, ruleId: string, ifMatch: string, input: RuleInput): Promise<Rule> {
      const subject = { action: 'iam-groups.rules.update', targetType: 'rule', targetId: ruleId, accountId: actor.principal.accountId };
      return audited(actor, subject, async (commit) => {
        const rule = checkRuleInput(input);
        const group = await authorizedGroup(actor, groupId, subject.action);
        subject.accountId = group.accountId;
        return commit(async (w) => {
          const current = await ruleOf(group, ruleId, w.trx);
          const expected = expectedTag(ifMatch, current.entityTag);
          const updated = await store.updateRule(w.trx, ruleId, expected, {
            name: rule.name ?? '',
            expiration: rule.expiration,
            realm_name: rule.realmName,
            conditions: rule.conditions,
            last_modified_at: now(),
            last_modified_by_id: actor.principal.iamId,
            entity_tag: nextTag(current.entityTag),
          });
          if (!updated) throw staleEtag();
          const meaning = (r: Pick<Rule, 'realmName' | 'conditions' | 'expiration'>) =>
            JSON.stringify([r.realmName, r.expiration, r.conditions.map((c) => [c.claim, c.operator, c.value])]);
          if (meaning(current) !== meaning(rule)) await revokeGrantsOfRule(w, current);
          w.changed({ entity: 'group_rule', entityId: ruleId, accountId: group.accountId, op: 'update' });
          return (await store.getRule(ruleId, w.trx))!;
        });
      });
    },

    /** Removes a rule and ends the memberships only it granted. */
    async removeRule(actor: Actor, groupId: string, ruleId: string): Promise<void> {
      const subject = { action: 'iam-groups.rules.delete', targetType: 'rule', targetId: ruleId, accountId: actor.principal.accountId };
      await audited(actor, subject, async (commit) => {
        const group = await authorizedGroup(actor, groupId, subject.action);
        subject.accountId = group.accountId;
        await commit(async (w) => {
          const rule = await ruleOf(group, ruleId, w.trx);
          await revokeGrantsOfRule(w, rule);
          await store.deleteRule(w.trx, ruleId);
          w.changed({ entity: 'group_rule', entityId: ruleId, accountId: group.accountId, op: 'delete' });
        });
      });
    },

    /**
     * Records the dynamic memberships of a federated sign-in: evaluates the account's rules for the
     * realm against the claims (see rules.ts) and makes the identity's memberships from that realm
     * exactly the grants, with their expiry; memberships from other realms are left alone. Publishes
     * a `group_member` change for each membership added, renewed or ended. Returns the grants.
     */
    async applyFederatedLogin(
      accountId: string,
      iamId: string,
      realmName: string,
      claims: FederatedLogin['claims'],
      requestId = 'federated-sign-in',
    ): Promise<DynamicGrant[]> {
      const { value } = await writer.write(async (w) => {
        const at = clock.now();
        const grants: DynamicGrant[] = [];
        // Grants come in group id order: the locks are taken in that order.
        for (const grant of evaluateRules(await store.rulesOfRealm(w.trx, accountId, realmName), { realmName, claims }, at)) {
          if (await store.lockGroup(w.trx, accountId, grant.groupId)) grants.push(grant);
        }
        const granted = new Set(grants.map((g) => g.groupId));
        for (const existing of await store.dynamicMembershipsOf(w.trx, accountId, iamId)) {
          if (existing.realm_name !== realmName || granted.has(existing.group_id)) continue;
          await store.deleteDynamicMember(w.trx, accountId, existing.group_id, iamId);
          memberChanged(w, accountId, existing.group_id, iamId, 'delete');
        }
        for (const grant of grants) {
          await store.putDynamicMember(w.trx, accountId, {
            group_id: grant.groupId,
            iam_id: iamId,
            type: 'user',
            realm_name: realmName,
            rule_ids: grant.ruleIds,
            created_at: at.toISOString(),
            expires_at: grant.expiresAt,
          });
          memberChanged(w, accountId, grant.groupId, iamId, 'update');
        }
        w.audit({
          requestId,
          initiatorIamId: iamId,
          initiatorAccountId: accountId,
          accountId,
          action: 'iam-groups.dynamic-members.update',
          targetType: 'member',
          targetId: iamId,
          detail: { realm_name: realmName, groups: grants.map((g) => ({ access_group_id: g.groupId, expires_at: g.expiresAt })) },
        });
        return grants;
      });
      return value;
    },

    // ── Settings ──────────────────────────────────────────────────────────────────────────────

    async getSettings(actor: Actor, accountId: string): Promise<Settings> {
      await authorizer.authorize(actor.principal, 'iam-groups.account-settings.read', target(accountId));
      return store.getSettings(accountId);
    },

    /** Switches public access; without a value, changes nothing and returns the settings. */
    async updateSettings(actor: Actor, accountId: string, publicAccessEnabled: boolean | undefined): Promise<Settings> {
      const subject = { action: 'iam-groups.account-settings.update', targetType: 'account-settings', targetId: accountId, accountId };
      return audited(actor, subject, async (commit) => {
        await authorizer.authorize(actor.principal, subject.action, target(accountId));
        return commit(
          async (w) => {
            const current = await store.getSettings(accountId, w.trx);
            if (publicAccessEnabled === undefined) return current;
            const next = {
              accountId,
              publicAccessEnabled,
              lastModifiedAt: now(),
              lastModifiedById: actor.principal.iamId,
            };
            await store.putSettings(w.trx, next);
            w.changed({ entity: 'group_settings', entityId: accountId, accountId, op: 'update' });
            return next;
          },
          (settings) => ({ public_access_enabled: settings.publicAccessEnabled }),
        );
      });
    },

    // ── For the decision point (see AccessGroupsStore for the contracts) ─────────────────────

    listMemberships: () => store.listMemberships(now()),
    membershipsOf: (iamId: string) => store.membershipsOf(iamId, now()),
    groupsOf: (iamId: string, accountId: string) => store.groupsOf(iamId, accountId, now()),
    isPublicAccessEnabled: (accountId: string) => store.isPublicAccessEnabled(accountId),
  };
}

export type AccessGroupsService = ReturnType<typeof createAccessGroupsService>;
