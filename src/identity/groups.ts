import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { audited, targetOf, type AuditSubject, type IdentityContext } from './context.js';
import { identityErrors } from './errors.js';
import type { ServiceIdGroup } from './types.js';
import { descriptionOf, requireName } from './validate.js';

/**
 * Service ID groups: named sets of service IDs, names unique per account (409 on a duplicate). A
 * group that still holds service IDs cannot be deleted (409).
 */

export interface GroupInput {
  name: string;
  description?: string;
}

const subjectOf = (action: string, id: string): AuditSubject => ({
  action: `iam-identity.serviceid-group.${action}`,
  targetType: 'serviceid-group',
  targetId: id,
  accountId: null,
});

export function createGroupService(ctx: IdentityContext) {
  const { store, authorizer, clock } = ctx;

  /** The group, if the actor's account holds it; 404 otherwise. */
  async function visibleGroup(actor: Actor, id: string): Promise<ServiceIdGroup> {
    const group = await store.getGroup(id);
    if (!group || group.accountId !== actor.principal.accountId) throw identityErrors.groupNotFound(id);
    return group;
  }

  const authorizeOn = (actor: Actor, action: string, group: ServiceIdGroup) =>
    authorizer.authorize(actor.principal, action, targetOf(group.accountId, { type: 'serviceid-group', id: group.id, ownerIamId: group.createdBy }), actor.environment);

  return {
    async create(actor: Actor, accountId: string, input: GroupInput): Promise<ServiceIdGroup> {
      const id = ids.serviceIdGroup();
      const subject = { ...subjectOf('create', id), accountId };
      return audited(ctx, actor, subject, async (commit) => {
        await authorizer.authorize(actor.principal, 'iam-identity.serviceid-group.create', targetOf(accountId, { type: 'serviceid-group', id }), actor.environment);
        const at = clock.now().toISOString();
        const group: ServiceIdGroup = {
          id,
          accountId,
          name: requireName('name', input.name),
          description: descriptionOf(input.description),
          createdBy: actor.principal.iamId,
          createdAt: at,
          modifiedAt: at,
          entityTag: nextTag(),
        };
        return commit(
          async (w) => {
            await store.insertGroup(w.trx, group);
            w.changed({ entity: 'serviceid-group', entityId: id, accountId, op: 'create' });
            return group;
          },
          { name: group.name },
        );
      });
    },

    async list(actor: Actor, accountId: string): Promise<ServiceIdGroup[]> {
      await authorizer.authorize(actor.principal, 'iam-identity.serviceid-group.list', targetOf(accountId), actor.environment);
      return store.listGroups(accountId);
    },

    async get(actor: Actor, id: string): Promise<ServiceIdGroup> {
      const group = await visibleGroup(actor, id);
      await authorizeOn(actor, 'iam-identity.serviceid-group.get', group);
      return group;
    },

    async update(actor: Actor, id: string, ifMatch: string, input: GroupInput): Promise<ServiceIdGroup> {
      const subject = subjectOf('update', id);
      return audited(ctx, actor, subject, async (commit) => {
        const group = await visibleGroup(actor, id);
        subject.accountId = group.accountId;
        await authorizeOn(actor, 'iam-identity.serviceid-group.update', group);
        const name = requireName('name', input.name);
        return commit(
          async (w) => {
            const current = await store.getGroup(id, w.trx);
            if (!current) throw identityErrors.groupNotFound(id);
            const expected = expectedTag(ifMatch, current.entityTag);
            const changes = {
              name,
              ...(input.description !== undefined ? { description: descriptionOf(input.description) } : {}),
              modified_at: clock.now().toISOString(),
              entity_tag: nextTag(current.entityTag),
            };
            if (!(await store.updateGroup(w.trx, id, expected, changes))) throw staleTag();
            w.changed({ entity: 'serviceid-group', entityId: id, accountId: current.accountId, op: 'update' });
            return (await store.getGroup(id, w.trx))!;
          },
          { name },
        );
      });
    },

    async delete(actor: Actor, id: string): Promise<void> {
      const subject = subjectOf('delete', id);
      await audited(ctx, actor, subject, async (commit) => {
        const group = await visibleGroup(actor, id);
        subject.accountId = group.accountId;
        await authorizeOn(actor, 'iam-identity.serviceid-group.delete', group);
        await commit(async (w) => {
          if ((await store.countServiceIdsInGroup(w.trx, id)) > 0) throw identityErrors.groupNotEmpty(id);
          await store.deleteGroup(w.trx, id);
          w.changed({ entity: 'serviceid-group', entityId: id, accountId: group.accountId, op: 'delete' });
        });
      });
    },
  };
}

export type GroupService = ReturnType<typeof createGroupService>;
