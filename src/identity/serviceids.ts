import { parseCrn } from '../kernel/crn.js';
import { invalid } from '../kernel/errors.js';
import { iamIdOfServiceId, ids } from '../kernel/ids.js';
import { nextTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import type { ApiKeyService, NewApiKeyFields, ReadOptions } from './apikeys.js';
import {
  audited,
  entitySubject,
  flagEntity,
  historyEntry,
  listingScope,
  mutateEntity,
  targetOf,
  updateEntity,
  type EntityKind,
  type IdentityContext,
} from './context.js';
import { identityErrors } from './errors.js';
import { listingOf, paramReader, toPage, windowOf, type ListRequest } from './paging.js';
import type { ServiceIdChanges } from './store.js';
import type { CreatedApiKey, Detailed, Page, ServiceId } from './types.js';
import { descriptionOf, requireName } from './validate.js';

/**
 * Service IDs: non-human identities of an account. A service ID may be created with one API key
 * (returned, with its value, only in that create response). Deleting a service ID deletes its API
 * keys in the same transaction. A locked service ID refuses update and delete (409
 * `entity_locked`), and so does one that still has a locked API key.
 */

export interface CreateServiceIdInput {
  accountId: string;
  name: string;
  description?: string;
  groupId?: string;
  uniqueInstanceCrns?: string[];
  apikey?: NewApiKeyFields;
  locked?: boolean;
}

export interface UpdateServiceIdInput {
  name?: string;
  description?: string;
  uniqueInstanceCrns?: string[];
}

const SORTABLE = ['name', 'description', 'created_at', 'modified_at'] as const;

function checkCrns(crns: string[]): string[] {
  for (const crn of crns) {
    if (!parseCrn(crn)) throw invalid(`unique_instance_crns: "${crn}" is not a CRN.`);
  }
  return crns;
}

export function createServiceIdService(ctx: IdentityContext, apiKeys: ApiKeyService) {
  const { store, authorizer, clock } = ctx;

  /** The service ID, if the actor's account holds it; 404 otherwise. */
  async function visibleServiceId(actor: Actor, id: string): Promise<ServiceId> {
    const serviceId = await store.getServiceId(id);
    if (!serviceId || serviceId.accountId !== actor.principal.accountId) throw identityErrors.serviceIdNotFound(id);
    return serviceId;
  }

  const authorizeOn = (actor: Actor, action: string, serviceId: ServiceId) =>
    authorizer.authorize(
      actor.principal,
      action,
      targetOf(serviceId.accountId, { type: 'serviceid', id: serviceId.id, ownerIamId: serviceId.createdBy }),
      actor.environment,
    );

  async function detailed(serviceId: ServiceId, options: ReadOptions): Promise<Detailed<ServiceId>> {
    const result: Detailed<ServiceId> = { entity: serviceId };
    if (options.includeHistory) result.history = await store.historyOf(serviceId.id);
    if (options.includeActivity) result.activity = await store.activityOf(serviceId.iamId);
    return result;
  }

  const kind: EntityKind<ServiceId, ServiceIdChanges> = {
    label: 'Service ID',
    feedEntity: 'serviceid',
    read: (id, trx) => store.getServiceId(id, trx),
    update: store.updateServiceId,
    notFound: identityErrors.serviceIdNotFound,
    visible: visibleServiceId,
    authorize: authorizeOn,
  };

  function lockChange(locked: boolean) {
    const action = locked ? 'lock' : 'unlock';
    return (actor: Actor, id: string) => flagEntity(ctx, actor, kind, id, action, { locked: locked ? 1 : 0 }, `${action}ed`);
  }

  return {
    async create(actor: Actor, input: CreateServiceIdInput): Promise<{ serviceId: ServiceId; apiKey?: CreatedApiKey }> {
      const id = ids.serviceId();
      const subject = entitySubject('serviceid', 'create', id, input.accountId);
      return audited(ctx, actor, subject, async (commit) => {
        await authorizer.authorize(
          actor.principal,
          'iam-identity.serviceid.create',
          targetOf(input.accountId, { type: 'serviceid', id, ownerIamId: actor.principal.iamId }),
          actor.environment,
        );
        if (input.groupId !== undefined) {
          const group = await store.getGroup(input.groupId);
          if (!group || group.accountId !== input.accountId) throw invalid(`group_id ${input.groupId} names no service ID group of this account.`);
        }
        const at = clock.now().toISOString();
        const serviceId: ServiceId = {
          id,
          iamId: iamIdOfServiceId(id),
          accountId: input.accountId,
          name: requireName('name', input.name),
          description: descriptionOf(input.description),
          groupId: input.groupId ?? null,
          uniqueInstanceCrns: checkCrns(input.uniqueInstanceCrns ?? []),
          locked: input.locked ?? false,
          createdBy: actor.principal.iamId,
          createdAt: at,
          modifiedAt: at,
          entityTag: nextTag(),
        };
        const preparedKey =
          input.apikey &&
          apiKeys.prepareKey({
            ...input.apikey,
            iamId: serviceId.iamId,
            accountId: input.accountId,
            ownerType: 'serviceid',
            createdBy: actor.principal.iamId,
          });
        return commit(
          async (w) => {
            await store.insertServiceId(w.trx, serviceId);
            await store.appendHistory(w.trx, id, historyEntry(ctx, actor, 'create', [serviceId.name], `Service ID ${id} created.`));
            w.changed({ entity: 'serviceid', entityId: id, accountId: input.accountId, op: 'create' });
            if (!preparedKey) return { serviceId };
            return { serviceId, apiKey: await apiKeys.insertKeyIn(w, preparedKey, actor.principal) };
          },
          { name: serviceId.name, ...(preparedKey ? { apikey_id: preparedKey.key.id } : {}) },
        );
      });
    },

    async get(actor: Actor, id: string, options: ReadOptions): Promise<Detailed<ServiceId>> {
      const serviceId = await visibleServiceId(actor, id);
      await authorizeOn(actor, 'iam-identity.serviceid.get', serviceId);
      return detailed(serviceId, options);
    },

    /**
     * Lists the service IDs of an account (`account_id` required unless a pagetoken carries it):
     * all of them when the caller may read every service ID there, else those they created.
     */
    async list(actor: Actor, request: ListRequest): Promise<Page<Detailed<ServiceId>>> {
      const { params, cursor } = listingOf(request);
      const read = paramReader(params);
      const accountId = read.text('accountId');
      if (accountId === undefined) throw invalid('account_id is required unless a pagetoken is given.');
      const window = windowOf(read, SORTABLE, cursor);
      const scope = await listingScope(ctx, actor, 'iam-identity.serviceid.get', accountId);
      const name = read.text('name');
      const groupId = read.text('groupId');
      const slice = await store.listServiceIds(
        {
          accountId,
          ...(name !== undefined ? { name } : {}),
          ...(groupId !== undefined ? { groupId } : {}),
          ...(scope === 'own' ? { createdBy: actor.principal.iamId } : {}),
        },
        window,
      );
      const items = await Promise.all(slice.items.map((s) => detailed(s, { includeHistory: read.flag('includeHistory') })));
      return toPage({ ...slice, items }, params, window);
    },

    update(actor: Actor, id: string, ifMatch: string, input: UpdateServiceIdInput): Promise<ServiceId> {
      return updateEntity(ctx, actor, kind, id, ifMatch, input, () => {
        const columns: ServiceIdChanges = {};
        if (input.name !== undefined) columns.name = requireName('name', input.name);
        if (input.description !== undefined) columns.description = descriptionOf(input.description);
        if (input.uniqueInstanceCrns !== undefined) columns.unique_instance_crns = JSON.stringify(checkCrns(input.uniqueInstanceCrns));
        return columns;
      });
    },

    /** Deletes the service ID and its API keys, with their history, in one transaction. */
    delete(actor: Actor, id: string): Promise<void> {
      return mutateEntity(ctx, actor, kind, id, 'delete', (_serviceId, commit) =>
        commit(async (w) => {
          const current = await store.getServiceId(id, w.trx);
          if (!current) throw identityErrors.serviceIdNotFound(id);
          if (current.locked) throw identityErrors.locked('Service ID', id);
          const keys = await store.apiKeysOf(current.iamId, w.trx);
          const lockedKey = keys.find((key) => key.locked);
          if (lockedKey) throw identityErrors.locked('API key', lockedKey.id);
          for (const key of keys) {
            await store.deleteApiKey(w.trx, key.id);
            w.changed({ entity: 'apikey', entityId: key.id, accountId: key.accountId, op: 'delete' });
          }
          for (const remove of ctx.onIdentityRemoved ?? []) await remove(w, current.accountId, current.iamId, actor.principal.iamId);
          await store.deleteServiceId(w.trx, id);
          await store.deleteHistory(w.trx, [id, ...keys.map((key) => key.id)]);
          w.changed({ entity: 'serviceid', entityId: id, accountId: current.accountId, op: 'delete' });
        }),
      );
    },

    lock: lockChange(true),
    unlock: lockChange(false),
  };
}

export type ServiceIdService = ReturnType<typeof createServiceIdService>;
