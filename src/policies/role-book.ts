import type { Catalog } from '../catalog/index.js';
import type { RoleAction, RoleBook } from './wire.js';
import { servicesOfTarget } from './targets.js';
import type { CustomRoleRecord } from './types.js';

/** Role names and actions for rendering: system roles from the catalog, custom roles as given. */
export function createRoleBook(catalog: Catalog, customRoles: readonly CustomRoleRecord[]): RoleBook {
  const custom = new Map(customRoles.map((r) => [r.crn, r]));
  const describeAction = (id: string): RoleAction => {
    const action = catalog.action(id);
    const name = action?.displayName ?? id;
    return { id, display_name: name, description: action?.description ?? name };
  };
  return {
    describe(crn) {
      const role = custom.get(crn) ?? catalog.role(crn);
      return role && { displayName: role.displayName, ...(role.description !== undefined ? { description: role.description } : {}) };
    },
    actionsOn(crn, policy) {
      const own = custom.get(crn);
      if (own) return own.actions.map(describeAction);
      const ids = new Set<string>();
      for (const service of servicesOfTarget(policy.resource, catalog)) {
        for (const id of catalog.actionsOf(crn, service.name)) ids.add(id);
      }
      return [...ids].sort().map(describeAction);
    },
  };
}
