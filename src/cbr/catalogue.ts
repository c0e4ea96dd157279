import { ALL_OPERATIONS_API_TYPE } from '../pdp/index.js';
import { isTarget } from './addresses.js';
import type { CatalogEntry, CbrContext } from './context.js';
import { cbrErrors } from './errors.js';

/**
 * What CBR can protect and reference, read from the service catalog (so a service registered at
 * run time is CBR-enabled at once): every catalog service may be a rule's resource; each service
 * offers one API type, `management`, made of its actions (and its child services'); service
 * reference targets are the IAM-enabled services, at the configured locations.
 */

export interface ApiType {
  api_type_id: string;
  display_name: string;
  description: string;
  type: string;
  actions: Array<{ action_id: string; description: string }>;
  enforcement_modes: string[];
}

export interface ServiceRefTarget {
  service_name: string;
  service_type: string;
  display_name: string;
  locations: Array<{ name: string; display_name: string; kind: string }>;
}

const ENFORCEMENT_MODES = ['enabled', 'disabled', 'report'];

export const apiTypeId = (serviceName: string) => `crn:v1:bluemix:public:${serviceName}::::api-type:management`;

export function createCatalogue(ctx: CbrContext) {
  const { catalog } = ctx;

  /** The service and its child services (`parent.child`). */
  function family(serviceName: string): CatalogEntry[] {
    const out: CatalogEntry[] = [];
    for (const s of catalog.allServices()) if (s.name === serviceName || s.name.startsWith(`${serviceName}.`)) out.push(s);
    return out;
  }

  function apiTypeOf(serviceName: string, services: CatalogEntry[], resourceType?: string): ApiType {
    const entry = catalog.service(serviceName);
    const actions = services.flatMap((s) => s.actions).filter((a) => resourceType === undefined || nounOf(a.id) === resourceType || a.id.startsWith(`${serviceName}.${resourceType}.`));
    return {
      api_type_id: apiTypeId(serviceName),
      display_name: 'Management',
      description: `Every operation of ${entry?.displayName ?? serviceName}.`,
      type: 'core',
      actions: actions.map((a) => ({ action_id: a.id, description: a.description ?? a.displayName })),
      enforcement_modes: ENFORCEMENT_MODES,
    };
  }

  /** The services of a service group (`IAM`). */
  function groupServices(groupId: string): CatalogEntry[] {
    return [...catalog.allServices()].filter((s) => s.groupId === groupId && !s.name.includes('.'));
  }

  return {
    isCbrEnabled: (serviceName: string) => catalog.service(serviceName) !== undefined,
    groupServices,
    knowsGroup: (groupId: string) => groupServices(groupId).length > 0,

    /** The API type ids a rule on the service (or group) may name. */
    apiTypeIdsOf(serviceNames: string[]): Set<string> {
      return new Set([ALL_OPERATIONS_API_TYPE, ...serviceNames.map(apiTypeId)]);
    },

    /** `GET /v1/operations`: exactly one of service name or service group; a resource type narrows a service's. */
    operations(query: { serviceName?: string; serviceGroupId?: string; resourceType?: string }): ApiType[] {
      const given = (['service_group_id', 'service_name'] as const).filter((k) => (k === 'service_name' ? query.serviceName : query.serviceGroupId) !== undefined);
      if (given.length > 1) throw cbrErrors.mutuallyExclusive([...given]);
      if (query.serviceGroupId !== undefined) {
        const services = groupServices(query.serviceGroupId);
        if (services.length === 0) throw cbrErrors.badRequest(`The service group '${query.serviceGroupId}' is not enabled for context-based restrictions.`);
        return services.map((s) => apiTypeOf(s.name, family(s.name)));
      }
      if (query.serviceName === undefined) throw cbrErrors.badRequest("Specify exactly one of the query parameters 'service_group_id, service_name'.");
      if (!catalog.service(query.serviceName)) throw cbrErrors.notCbrEnabled(query.serviceName);
      return [apiTypeOf(query.serviceName, family(query.serviceName), query.resourceType)];
    },

    targets(type: 'all' | 'platform_service' | undefined): ServiceRefTarget[] {
      const out: ServiceRefTarget[] = [];
      for (const s of catalog.allServices()) {
        if (s.name.includes('.')) continue;
        if (type === 'platform_service' ? s.type === 'platform_service' : isTarget(ctx, s.name)) out.push(targetOf(s));
      }
      return out.sort((a, b) => a.service_name.localeCompare(b.service_name));
    },

    target(serviceName: string): ServiceRefTarget {
      const s = catalog.service(serviceName);
      if (!s || !isTarget(ctx, serviceName)) throw cbrErrors.targetNotFound(serviceName);
      return targetOf(s);
    },
  };

  function targetOf(s: CatalogEntry): ServiceRefTarget {
    return {
      service_name: s.name,
      service_type: s.type === 'service' ? 'service' : 'platform_service',
      display_name: s.displayName,
      locations: s.type === 'service' ? ctx.locations.map((name) => ({ name, display_name: name, kind: name.includes('-') ? 'region' : 'metro' })) : [],
    };
  }
}

/** `svc.noun.verb` → `noun`. */
const nounOf = (actionId: string) => actionId.split('.').at(-2) ?? '';

export type Catalogue = ReturnType<typeof createCatalogue>;
