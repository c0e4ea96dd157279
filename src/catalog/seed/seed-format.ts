import { platformRoles, serviceRoles, specificRoles } from '../system.js';
import type { CatalogService, ServiceType } from '../types.js';

/**
 * The compact form the seed data is written in: roles by their display name, actions as
 * `[id, roles]` pairs. Display names resolve first to the service's own specific roles, then to the
 * generic roles.
 */
export interface ServiceSeed {
  name: string;
  displayName: string;
  type: ServiceType;
  groupId?: string;
  roles: string[];
  actions: Array<[id: string, roles: string[]]>;
}

const genericByDisplayName = new Map(
  [...Object.values(platformRoles), ...Object.values(serviceRoles)].map((r) => [r.displayName, r.crn]),
);
const specificByService = new Map<string, Map<string, string>>();
for (const r of Object.values(specificRoles)) {
  const byName = specificByService.get(r.serviceName!) ?? new Map<string, string>();
  byName.set(r.displayName, r.crn);
  specificByService.set(r.serviceName!, byName);
}

function roleCrn(service: string, displayName: string): string {
  const crn = specificByService.get(service)?.get(displayName) ?? genericByDisplayName.get(displayName);
  if (crn === undefined) throw new Error(`seed: no role "${displayName}" for ${service}`);
  return crn;
}

/** `cloud-object-storage.bucket.get` → `Get bucket`: display names for actions IBM's tables list by id only. */
export function actionDisplayName(id: string): string {
  const parts = id.split('.');
  const verb = (parts.at(-1) ?? id).replace(/[-_]/g, ' ');
  const noun = (parts.at(-2) ?? '').replace(/[-_]/g, ' ');
  return `${verb.charAt(0).toUpperCase()}${verb.slice(1)}${noun ? ` ${noun}` : ''}`;
}

export function expandSeed(seed: ServiceSeed): CatalogService {
  return {
    name: seed.name,
    displayName: seed.displayName,
    type: seed.type,
    ...(seed.groupId ? { groupId: seed.groupId } : {}),
    roles: seed.roles.map((r) => roleCrn(seed.name, r)),
    actions: seed.actions.map(([id, roles]) => ({
      id,
      displayName: actionDisplayName(id),
      roles: roles.map((r) => roleCrn(seed.name, r)),
    })),
  };
}
