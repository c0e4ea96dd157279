import { randomUUID } from 'node:crypto';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import type { Context } from './context.js';
import { accessGroupErrors as errors } from './errors.js';
import type { GroupSort } from './store.js';
import { PUBLIC_ACCESS_GROUP_ID, type AccessGroup, type MembershipType, type OffsetPage, type PageRequest, type Settings } from './types.js';

/** Groups and the account's access-groups settings. */

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

/** Checks a group's name (trimmed, 1–100 characters) and description (≤ 250); returns the trimmed name. */
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

/** `search=id:…|name:…|description:…`; text without a field prefix searches names. */
function parseSearch(search: string): { field: 'id' | 'name' | 'description'; text: string } {
  const match = /^(id|name|description):(.*)$/s.exec(search);
  return match ? { field: match[1] as 'id' | 'name' | 'description', text: match[2]! } : { field: 'name', text: search };
}

const matchesSearch = (group: AccessGroup, search: { field: 'id' | 'name' | 'description'; text: string }) =>
  group[search.field].toLowerCase().includes(search.text.toLowerCase());

export function groupOperations(ctx: Context) {
  const { store, authorizer, authorizeJoin } = ctx.deps;
  const { now, target, publicAccessGroup, authorizedGroup, mutable, audited, memberChanged } = ctx;



  return {

    /** Creates a group; 409 when the account has a group of that name (case-insensitive). */
    async createGroup(actor: Actor, accountId: string, input: GroupInput): Promise<AccessGroup> {
      const id = `AccessGroupId-${randomUUID()}`;
      return audited(actor, { action: 'iam-groups.groups.create', targetType: 'group', targetId: id, accountId }, async (commit) => {
        const { name, description } = checkGroupInput(input);
        if (name === undefined) throw errors.invalid('The access group name is required.');
        await authorizer.authorize(actor.principal, 'iam-groups.groups.create', target(accountId), actor.environment);
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
            entity_tag: nextTag(),
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
      await authorizer.authorize(actor.principal, 'iam-groups.groups.list', target(accountId), actor.environment);
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
          if (!updated) throw staleTag();
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

    // ── Settings ──────────────────────────────────────────────────────────────────────────────

    async getSettings(actor: Actor, accountId: string): Promise<Settings> {
      await authorizer.authorize(actor.principal, 'iam-groups.account-settings.read', target(accountId), actor.environment);
      return store.getSettings(accountId);
    },

    /**
     * Switches public access; without a value, changes nothing and returns the settings. Switching
     * it on makes everyone a member of the Public Access group, a grant of every policy of that
     * group: allowed only to a caller who could create each of them (as adding a member is).
     */
    async updateSettings(actor: Actor, accountId: string, publicAccessEnabled: boolean | undefined): Promise<Settings> {
      const subject = { action: 'iam-groups.account-settings.update', targetType: 'account-settings', targetId: accountId, accountId };
      return audited(actor, subject, async (commit) => {
        await authorizer.authorize(actor.principal, subject.action, target(accountId), actor.environment);
        if (publicAccessEnabled === true) await authorizeJoin(actor, accountId, PUBLIC_ACCESS_GROUP_ID);
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

  };
}
