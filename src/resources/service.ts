import { isAllowed, type AccessTarget, type Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { decodeCursor, encodeCursor, limitOf } from '../kernel/cursor.js';
import { DomainError, invalid } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited, type AuditSubject } from '../store/audited.js';
import type { Write, Writer } from '../store/unit-of-work.js';
import { groupCrn, instanceCrn } from './crn.js';
import { resourceErrors as errors } from './errors.js';
import { DEFAULT_QUOTA_ID, planById, quotaById, quotaDefinitions } from './plans.js';
import type { InstanceChanges, ResourcesStore } from './store.js';
import { RESOURCE_LIMITS, type GroupFilter, type InstanceFilter, type QuotaDefinition, type Reclamation, type ResourceGroup, type ResourceInstance } from './types.js';

/**
 * Resource Controller pagination (conventions.md §3): `limit` + an opaque `start` token that holds
 * the GUID a page resumes after; the routes put it in `next_url`, which the SDK's pager reads back.
 */
const isStart = (value: unknown): value is { after: string } =>
  typeof value === 'object' && value !== null && typeof (value as { after?: unknown }).after === 'string';

/** The key a `start` token resumes after; throws DomainError('invalid') on a token we did not issue. */
const keyOfStart = (start: string): string => decodeCursor(start, isStart, () => invalid(`The start token ${start} is not valid.`)).after;

/** How long a deleted instance waits for restore before it may be reclaimed. */
const RECLAIM_AFTER_MS = 7 * 24 * 3600 * 1000;
/** Instance names (SDK docs): ≤ 180 characters, letters, digits and ` - . _ :`. */
const INSTANCE_NAME = /^[\p{L}\p{N} ._:-]{1,180}$/u;
const GROUP_NAME = /^[\p{L}\p{N} ._-]{1,40}$/u;
const DEFAULT_GROUP_NAME = 'Default';

export interface ResourcesDeps {
  store: ResourcesStore;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  /** Whether the service catalog knows a service name (plans of unknown services are refused). */
  knowsService: (serviceName: string) => boolean;
}

export interface NewInstance {
  name: string;
  target: string;
  resourceGroup: string;
  resourcePlanId: string;
  tags?: string[];
  allowCleanup?: boolean;
  parameters?: Record<string, unknown>;
  locked?: boolean;
}

export interface InstanceUpdate {
  name?: string;
  parameters?: Record<string, unknown>;
  resourcePlanId?: string;
  allowCleanup?: boolean;
}

const groupTarget = (g: { accountId: string; id?: string }): AccessTarget => ({
  accountId: g.accountId,
  serviceName: 'resource-controller',
  resourceType: 'resource-group',
  ...(g.id ? { resource: g.id } : {}),
});

const instanceTarget = (i: ResourceInstance): AccessTarget => ({
  accountId: i.accountId,
  serviceName: i.serviceName,
  serviceInstance: i.guid,
  resourceGroupId: i.resourceGroupId,
});

/**
 * Resource groups (Resource Manager v2), resource instances and reclamations (Resource
 * Controller v2). Every mutation is one write that publishes its changes — `resource_instance`
 * changes keep the PDP's instance → resource group map current — and records an audit event.
 */
export function createResourcesService(deps: ResourcesDeps) {
  const { store, clock, authorizer } = deps;
  const now = () => clock.now().toISOString();
  const audited = createAudited(deps);

  /** Runs `authorize`; false instead of throwing when the answer is "forbidden" (list filtering). */
  const allowed = (actor: Actor, action: string, t: AccessTarget) => isAllowed(authorizer, actor, action, t);

  /** The audit subject of a mutation; by-id operations fill in the account once they have loaded the target. */
  const subjectOf = (action: string, targetType: 'resource-group' | 'resource-instance', targetId: string, accountId: string | null = null): AuditSubject => ({
    action,
    targetType,
    targetId,
    accountId,
  });

  /** The group if it exists and is visible to the caller; not found otherwise (no existence leak). */
  async function readableGroup(actor: Actor, id: string): Promise<ResourceGroup> {
    const group = await store.getGroup(id);
    if (!group || !(await allowed(actor, 'resource-controller.group.retrieve', groupTarget(group)))) throw errors.groupNotFound(id);
    return group;
  }

  async function readableInstance(actor: Actor, id: string): Promise<ResourceInstance> {
    const instance = await store.getInstance(id);
    if (!instance || instance.state === 'removed' || !(await allowed(actor, 'resource-controller.instance.retrieve', instanceTarget(instance)))) {
      throw errors.instanceNotFound(id);
    }
    return instance;
  }

  function checkGroupName(name: string) {
    if (!GROUP_NAME.test(name)) {
      throw invalid('A resource group name has 1 to 40 characters: letters, digits, spaces, `.`, `_` and `-`.');
    }
  }

  /**
   * Creates a resource group inside an existing write. Contract: the name is free among the
   * account's live groups, else DomainError('conflict') (the store's unique index decides).
   */
  async function createGroupIn(w: Write, input: { accountId: string; name: string; isDefault: boolean }): Promise<ResourceGroup> {
    const at = now();
    const id = ids.hex32();
    const group: ResourceGroup = {
      id,
      crn: groupCrn(input.accountId, id),
      accountId: input.accountId,
      name: input.name,
      state: 'ACTIVE',
      isDefault: input.isDefault,
      quotaId: DEFAULT_QUOTA_ID,
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
    };
    await store.insertGroup(w.trx, group);
    w.changed({ entity: 'resource_group', entityId: id, accountId: input.accountId, op: 'create' });
    return group;
  }

  /** Resolves `resource_group` of a create request: a group id or CRN of a live group in the account. */
  async function targetGroup(accountId: string, ref: string): Promise<ResourceGroup> {
    const id = ref.startsWith('crn:') ? (ref.split(':').pop() ?? '') : ref;
    const group = await store.getGroup(id);
    if (!group || group.accountId !== accountId || group.state !== 'ACTIVE') {
      throw invalid(`Resource group ${ref} does not exist in account ${accountId}.`);
    }
    return group;
  }

  async function changeInstance(
    actor: Actor,
    id: string,
    action: string,
    auditAction: string,
    decide: (instance: ResourceInstance) => InstanceChanges,
  ): Promise<ResourceInstance> {
    const subject = subjectOf(auditAction, 'resource-instance', id);
    return audited(actor, subject, async (commit, { authorize }) => {
      const instance = await readableInstance(actor, id);
      Object.assign(subject, { targetId: instance.guid, accountId: instance.accountId });
      await authorize(action, instanceTarget(instance));
      return commit(async (w) => {
        const current = await store.getInstance(instance.guid, w.trx);
        if (!current || current.state === 'removed') throw errors.instanceNotFound(id);
        const changes = decide(current);
        await store.updateInstance(w.trx, current.guid, { ...changes, updated_at: now(), updated_by: actor.principal.iamId });
        w.changed({ entity: 'resource_instance', entityId: current.guid, accountId: current.accountId, op: 'update' });
        return (await store.getInstance(current.guid, w.trx))!;
      });
    });
  }

  const ensureUnlockedAndActive = (i: ResourceInstance) => {
    if (i.locked) throw errors.locked(i.guid);
    if (i.state !== 'active') throw errors.notActive(i.guid, i.state);
  };

  return {
    createGroupIn,

    /** Creates the default group of a new account inside the account's creation write. */
    createDefaultGroupIn: (w: Write, accountId: string) => createGroupIn(w, { accountId, name: DEFAULT_GROUP_NAME, isDefault: true }),

    // ── Resource groups ─────────────────────────────────────────────────────────────────────

    /** The groups of the account (the caller's by default) that the caller may retrieve. */
    async listGroups(actor: Actor, filter: Omit<GroupFilter, 'accountId'> & { accountId?: string }): Promise<ResourceGroup[]> {
      if (filter.date !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(filter.date)) throw invalid('date must be YYYY-MM.');
      const groups = await store.listGroups({ ...filter, accountId: filter.accountId ?? actor.principal.accountId });
      const visible: ResourceGroup[] = [];
      for (const g of groups) if (await allowed(actor, 'resource-controller.group.retrieve', groupTarget(g))) visible.push(g);
      return visible;
    },

    async createGroup(actor: Actor, input: { name: string; accountId?: string }): Promise<ResourceGroup> {
      const accountId = input.accountId ?? actor.principal.accountId;
      const subject = subjectOf('resource-controller.group.create', 'resource-group', '', accountId);
      return audited(actor, subject, async (commit, { authorize }) => {
        checkGroupName(input.name);
        await authorize('resource-controller.group.create', groupTarget({ accountId }));
        return commit(
          async (w) => {
            const group = await createGroupIn(w, { accountId, name: input.name, isDefault: false });
            subject.targetId = group.id;
            return group;
          },
          (group) => ({ name: group.name }),
        );
      });
    },

    getGroup: readableGroup,

    async updateGroup(actor: Actor, id: string, input: { name?: string; state?: string }): Promise<ResourceGroup> {
      const subject = subjectOf('resource-controller.group.update', 'resource-group', id);
      return audited(actor, subject, async (commit, { authorize }) => {
        const group = await readableGroup(actor, id);
        subject.accountId = group.accountId;
        if (group.state === 'DELETED') throw errors.groupNotFound(id);
        if (input.name !== undefined) checkGroupName(input.name);
        if (input.state !== undefined && input.state !== 'ACTIVE') throw invalid('state can only be set to ACTIVE.');
        await authorize('resource-controller.group.update', groupTarget(group));
        return commit(async (w) => {
          const at = now();
          await store.updateGroup(w.trx, id, { ...(input.name !== undefined ? { name: input.name } : {}), updated_at: at });
          w.changed({ entity: 'resource_group', entityId: id, accountId: group.accountId, op: 'update' });
          return (await store.getGroup(id, w.trx))!;
        });
      });
    },

    /**
     * Soft-deletes a group. Refused for the account's default group and for a group that still
     * holds instances (pending reclamations included, so a restore always finds its group).
     */
    async deleteGroup(actor: Actor, id: string): Promise<void> {
      const subject = subjectOf('resource-controller.group.delete', 'resource-group', id);
      await audited(actor, subject, async (commit, { authorize }) => {
        const group = await readableGroup(actor, id);
        subject.accountId = group.accountId;
        if (group.state === 'DELETED') throw errors.groupNotFound(id);
        await authorize('resource-controller.group.delete', groupTarget(group));
        if (group.isDefault) throw errors.defaultGroup();
        await commit(async (w) => {
          if ((await store.countInstancesInGroup(w.trx, id)) > 0) throw errors.groupNotEmpty(id);
          const at = now();
          await store.updateGroup(w.trx, id, { state: 'DELETED', deleted_at: at, updated_at: at });
          w.changed({ entity: 'resource_group', entityId: id, accountId: group.accountId, op: 'delete' });
        });
      });
    },

    listQuotaDefinitions: (): readonly QuotaDefinition[] => quotaDefinitions,

    getQuotaDefinition(id: string): QuotaDefinition {
      const quota = quotaById(id);
      if (!quota) throw new DomainError('not_found', 'not_found', `Quota definition ${id} not found.`);
      return quota;
    },

    // ── Resource instances ──────────────────────────────────────────────────────────────────

    async createInstance(actor: Actor, input: NewInstance): Promise<ResourceInstance> {
      const subject = subjectOf('resource-controller.instance.create', 'resource-instance', '', actor.principal.accountId);
      return audited(actor, subject, async (commit, { authorize }) => {
        const accountId = actor.principal.accountId;
        if (!INSTANCE_NAME.test(input.name)) {
          throw invalid('An instance name has 1 to 180 characters: letters, digits, spaces and `- . _ :`.');
        }
        const plan = planById(input.resourcePlanId);
        if (!plan || !deps.knowsService(plan.serviceName)) throw errors.planNotFound(input.resourcePlanId);
        if (!plan.locations.includes(input.target)) {
          throw invalid(`Plan ${plan.id} cannot be provisioned in ${input.target}; locations: ${plan.locations.join(', ')}.`);
        }
        const group = await targetGroup(accountId, input.resourceGroup);
        await authorize('resource-controller.instance.create', {
          accountId,
          serviceName: plan.serviceName,
          resourceGroupId: group.id,
        });
        return commit(async (w) => {
          const at = now();
          const guid = ids.uuid();
          const instance: ResourceInstance = {
            guid,
            crn: instanceCrn(plan.serviceName, input.target, accountId, guid),
            accountId,
            resourceGroupId: group.id,
            name: input.name,
            serviceName: plan.serviceName,
            resourceId: plan.resourceId,
            resourcePlanId: plan.id,
            location: input.target,
            state: 'active',
            type: 'service_instance',
            subType: null,
            parameters: input.parameters ?? {},
            tags: input.tags ?? [],
            allowCleanup: input.allowCleanup ?? false,
            locked: input.locked ?? false,
            createdAt: at,
            createdBy: actor.principal.iamId,
            updatedAt: at,
            updatedBy: actor.principal.iamId,
            deletedAt: null,
            deletedBy: null,
            scheduledReclaimAt: null,
            scheduledReclaimBy: null,
            restoredAt: null,
            restoredBy: null,
          };
          await store.insertInstance(w.trx, instance);
          w.changed({ entity: 'resource_instance', entityId: guid, accountId, op: 'create' });
          Object.assign(subject, { targetId: guid, detail: {
            service: plan.serviceName,
            resource_group_id: group.id,
          } });
          return instance;
        });
      });
    },

    /**
     * One page of the caller's instances they may retrieve, in GUID order. `next` is the `start`
     * token of the next page when more matching instances may follow.
     */
    async listInstances(actor: Actor, filter: Omit<InstanceFilter, 'accountId'>, page: { limit?: number; start?: string }) {
      const limit = limitOf(page.limit, RESOURCE_LIMITS);
      let after = page.start !== undefined ? keyOfStart(page.start) : undefined;
      const items: ResourceInstance[] = [];
      // Keep reading until the page is full of visible instances or the list ends.
      for (;;) {
        const slice = await store.listInstances({ ...filter, accountId: actor.principal.accountId }, { limit: limit - items.length, after });
        for (const i of slice.items) if (await allowed(actor, 'resource-controller.instance.retrieve', instanceTarget(i))) items.push(i);
        after = slice.items.at(-1)?.guid ?? after;
        if (!slice.more) return { items, next: undefined };
        if (items.length >= limit) return { items, next: after === undefined ? undefined : encodeCursor({ after }) };
      }
    },

    getInstance: readableInstance,

    async updateInstance(actor: Actor, id: string, input: InstanceUpdate): Promise<ResourceInstance> {
      if (input.name !== undefined && !INSTANCE_NAME.test(input.name)) {
        throw invalid('An instance name has 1 to 180 characters: letters, digits, spaces and `- . _ :`.');
      }
      if (input.resourcePlanId !== undefined) {
        const current = await readableInstance(actor, id);
        const plan = planById(input.resourcePlanId);
        if (!plan || plan.serviceName !== current.serviceName) {
          throw invalid(`Plan ${input.resourcePlanId} is not a plan of ${current.serviceName}.`);
        }
        if (plan.id !== current.resourcePlanId) throw invalid('Changing the plan of an instance is not supported by this server.');
      }
      return changeInstance(actor, id, 'resource-controller.instance.update', 'resource-controller.instance.update', (i) => {
        ensureUnlockedAndActive(i);
        return {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.parameters !== undefined ? { parameters: JSON.stringify({ ...i.parameters, ...input.parameters }) } : {}),
          ...(input.allowCleanup !== undefined ? { allow_cleanup: input.allowCleanup ? 1 : 0 } : {}),
        };
      });
    },

    lockInstance: (actor: Actor, id: string) =>
      changeInstance(actor, id, 'resource-controller.instance.update', 'resource-controller.instance.lock', () => ({ locked: 1 })),

    unlockInstance: (actor: Actor, id: string) =>
      changeInstance(actor, id, 'resource-controller.instance.update', 'resource-controller.instance.unlock', () => ({ locked: 0 })),

    /**
     * Deletes an instance: it becomes `pending_reclamation` with a scheduled reclamation that can
     * restore it or reclaim it for good. Locked or already deleted instances are refused. The
     * instance leaves the PDP's instance → group map (a `resource_instance` delete change).
     */
    async deleteInstance(actor: Actor, id: string): Promise<void> {
      const subject = subjectOf('resource-controller.instance.delete', 'resource-instance', id);
      await audited(actor, subject, async (commit, { authorize }) => {
        const instance = await readableInstance(actor, id);
        Object.assign(subject, { targetId: instance.guid, accountId: instance.accountId });
        await authorize('resource-controller.instance.delete', instanceTarget(instance));
        await commit(async (w) => {
          const current = await store.getInstance(instance.guid, w.trx);
          if (!current || current.state !== 'active') throw errors.instanceNotFound(id);
          if (current.locked) throw errors.locked(current.guid);
          const at = now();
          const by = actor.principal.iamId;
          const reclaimAt = new Date(clock.now().getTime() + RECLAIM_AFTER_MS).toISOString();
          await store.updateInstance(w.trx, current.guid, {
            state: 'pending_reclamation',
            deleted_at: at,
            deleted_by: by,
            scheduled_reclaim_at: reclaimAt,
            scheduled_reclaim_by: by,
            updated_at: at,
            updated_by: by,
          });
          const reclamationId = ids.hex32();
          await store.insertReclamation(w.trx, {
            id: reclamationId,
            instanceGuid: current.guid,
            instanceCrn: current.crn,
            accountId: current.accountId,
            resourceGroupId: current.resourceGroupId,
            state: 'SCHEDULED',
            targetTime: reclaimAt,
            createdAt: at,
            createdBy: by,
            updatedAt: at,
            updatedBy: by,
          });
          w.changed({ entity: 'resource_instance', entityId: current.guid, accountId: current.accountId, op: 'delete' });
          w.changed({ entity: 'reclamation', entityId: reclamationId, accountId: current.accountId, op: 'create' });
          Object.assign(subject, { targetId: current.guid, detail: {
            reclamation_id: reclamationId,
          } });
        });
      });
    },

    // ── Reclamations ────────────────────────────────────────────────────────────────────────

    /** Scheduled reclamations in the caller's account whose instances the caller may retrieve. */
    async listReclamations(actor: Actor, filter: { accountId?: string; instanceId?: string; resourceGroupId?: string }) {
      const accountId = filter.accountId ?? actor.principal.accountId;
      const instanceGuid = filter.instanceId !== undefined ? (await store.getInstance(filter.instanceId))?.guid ?? filter.instanceId : undefined;
      const all = await store.listReclamations({ accountId, instanceGuid, resourceGroupId: filter.resourceGroupId });
      const visible: Reclamation[] = [];
      for (const r of all) {
        const instance = await store.getInstance(r.instanceGuid);
        if (instance && (await allowed(actor, 'resource-controller.instance.retrieve', instanceTarget(instance)))) visible.push(r);
      }
      return visible;
    },

    /**
     * `restore` brings the instance back to `active` (and into the PDP map: a `resource_instance`
     * create change); `reclaim` removes it for good. Either ends the reclamation.
     */
    async runReclamationAction(actor: Actor, id: string, action: string, input: { requestBy?: string; comment?: string }): Promise<Reclamation> {
      const subject = subjectOf(`resource-controller.instance.${action}`, 'resource-instance', id);
      return audited(actor, subject, async (commit, { authorize }) => {
        if (action !== 'restore' && action !== 'reclaim') throw invalid(`Unknown reclamation action ${action}; use restore or reclaim.`);
        const reclamation = await store.getReclamation(id);
        const instance = reclamation && (await store.getInstance(reclamation.instanceGuid));
        if (!reclamation || !instance || !(await allowed(actor, 'resource-controller.instance.retrieve', instanceTarget(instance)))) {
          throw errors.reclamationNotFound(id);
        }
        Object.assign(subject, { targetId: instance.guid, accountId: instance.accountId });
        const permission = action === 'restore' ? 'resource-controller.instance.create' : 'resource-controller.instance.delete';
        await authorize(permission, instanceTarget(instance));
        return commit(async (w) => {
          const current = await store.getReclamation(id, w.trx);
          if (!current) throw errors.reclamationNotFound(id);
          if (current.state !== 'SCHEDULED') throw errors.reclamationDone(id, current.state);
          const at = now();
          const by = actor.principal.iamId;
          if (action === 'restore') {
            await store.updateInstance(w.trx, current.instanceGuid, {
              state: 'active',
              restored_at: at,
              restored_by: by,
              deleted_at: null,
              deleted_by: null,
              scheduled_reclaim_at: null,
              scheduled_reclaim_by: null,
              updated_at: at,
              updated_by: by,
            });
            w.changed({ entity: 'resource_instance', entityId: current.instanceGuid, accountId: current.accountId, op: 'create' });
          } else {
            await store.updateInstance(w.trx, current.instanceGuid, { state: 'removed', updated_at: at, updated_by: by });
            w.changed({ entity: 'resource_instance', entityId: current.instanceGuid, accountId: current.accountId, op: 'delete' });
          }
          await store.updateReclamation(w.trx, id, { state: action === 'restore' ? 'RESTORED' : 'RECLAIMED', updated_at: at, updated_by: by });
          w.changed({ entity: 'reclamation', entityId: id, accountId: current.accountId, op: 'update' });
          Object.assign(subject, { targetId: current.instanceGuid, detail: {
            reclamation_id: id,
            ...(input.requestBy ? { request_by: input.requestBy } : {}),
            ...(input.comment ? { comment: input.comment } : {}),
          } });
          return (await store.getReclamation(id, w.trx))!;
        });
      });
    },

    /** Decision support: see ResourcesStore.listInstanceGroups. */
    listInstanceGroups: store.listInstanceGroups,
  };
}

export type ResourcesService = ReturnType<typeof createResourcesService>;
