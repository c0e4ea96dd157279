import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { expectedTag, nextTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited } from '../store/audited.js';
import type { Writer } from '../store/unit-of-work.js';
import { Catalog } from './catalog.js';
import { parseCatalogService } from './catalog-file.js';
import { catalogErrors } from './errors.js';
import { seedServices } from './seed/index.js';
import type { RegisteredService, CatalogStore } from './store.js';
import type { CatalogService } from './types.js';

/** The action that administers the platform's service catalog, on Global Catalog in the operator account. */
const ADMINISTER = 'globalcatalog.is.admin';

export interface CatalogEntry {
  service: CatalogService;
  /** Seed services ship with Portcullis and cannot be changed through the API. */
  builtIn: boolean;
  registered?: Omit<RegisteredService, 'service'>;
}

/**
 * Registering services and their actions at run time. The catalog is global to the deployment, so
 * changing it is reserved to the operator account (the first, bootstrapped one): its owner and its
 * Administrators of Global Catalog. A registered service takes part in decisions on every node as
 * soon as its change-feed entry is applied (this node: before the call returns).
 */
export function createCatalogAdmin(deps: {
  catalog: Catalog;
  store: CatalogStore;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  operatorAccountId: () => Promise<string | undefined>;
  /** Waits until this node has applied a revision (the decision point's). */
  applied: (revision: number) => Promise<void>;
}) {
  const builtIn = new Set(seedServices().map((s) => s.name));
  const audited = createAudited({ ...deps, afterCommit: deps.applied });
  const subjectOf = (action: string, name: string) => ({ action, targetType: 'catalog_service', targetId: name, accountId: null });

  async function authorize(authorizeAction: (action: string, target: AccessTarget) => Promise<void>) {
    const accountId = await deps.operatorAccountId();
    if (!accountId) throw catalogErrors.noOperatorAccount();
    await authorizeAction(ADMINISTER, { accountId, serviceName: 'globalcatalog' });
  }

  const refuseBuiltIn = (name: string) => {
    if (builtIn.has(name)) {
      throw catalogErrors.builtIn(name);
    }
  };

  return {
    /** Every service of the catalog, built-in and registered. */
    async list(): Promise<CatalogEntry[]> {
      const registered = new Map((await deps.store.list()).map((r) => [r.service.name, r]));
      return [...deps.catalog.allServices()].map((service) => {
        const entry = registered.get(service.name);
        return { service, builtIn: builtIn.has(service.name), ...(entry ? { registered: without(entry) } : {}) };
      });
    },

    async get(name: string): Promise<CatalogEntry> {
      const service = deps.catalog.service(name);
      if (!service) throw catalogErrors.serviceNotFound(name);
      const entry = await deps.store.get(name);
      return { service, builtIn: builtIn.has(name), ...(entry ? { registered: without(entry) } : {}) };
    },

    /**
     * Registers or replaces a service (If-Match on replace when given). The audit action (create or
     * update) is chosen by what was there before the write; If-Match guards the write itself.
     */
    async put(actor: Actor, name: string, body: unknown, ifMatch: string | undefined): Promise<CatalogEntry> {
      const action = (await deps.store.get(name)) ? 'globalcatalog.service.update' : 'globalcatalog.service.create';
      return audited(actor, subjectOf(action, name), async (commit, tools) => {
        await authorize(tools.authorize);
        refuseBuiltIn(name);
        const service = parseCatalogService(body);
        if (service.name !== name) throw catalogErrors.nameMismatch(service.name, name);
        // Check the meaning against a scratch catalog first: nothing is stored that cannot be registered.
        new Catalog().register(service);
        const entry = await commit(async (w) => {
          const current = await deps.store.get(name, w.trx);
          expectedTag(ifMatch, current?.entityTag);
          const at = deps.clock.now().toISOString();
          const written: RegisteredService = {
            service,
            createdAt: current?.createdAt ?? at,
            createdById: current?.createdById ?? actor.principal.iamId,
            lastModifiedAt: at,
            lastModifiedById: actor.principal.iamId,
            entityTag: nextTag(current?.entityTag),
          };
          await deps.store.put(w.trx, written);
          w.changed({ entity: 'catalog_service', entityId: name, accountId: null, op: current ? 'update' : 'create' });
          return written;
        });
        return { service: deps.catalog.service(name) ?? service, builtIn: false, registered: without(entry) };
      });
    },

    async remove(actor: Actor, name: string): Promise<void> {
      await audited(actor, subjectOf('globalcatalog.service.delete', name), async (commit, tools) => {
        await authorize(tools.authorize);
        refuseBuiltIn(name);
        await commit(async (w) => {
          if (!(await deps.store.get(name, w.trx))) throw catalogErrors.serviceNotFound(name);
          await deps.store.delete(w.trx, name);
          w.changed({ entity: 'catalog_service', entityId: name, accountId: null, op: 'delete' });
        });
      });
    },
  };
}

const without = ({ service: _service, ...rest }: RegisteredService) => rest;

export type CatalogAdmin = ReturnType<typeof createCatalogAdmin>;
