import type { Catalog, CatalogService } from '../catalog/index.js';
import type { AccessTarget } from '../kernel/authorizer.js';
import type { AttributeCondition } from '../pdp/types.js';

/** The service the policy, role and settings APIs themselves belong to (authz.md §7). */
export const ACCESS_MANAGEMENT = 'iam-access-management';
/** The child service whose actions guard custom roles (`iam-access-management.customRole.*`). */
export const ROLE_MANAGEMENT = 'iam-access-management.customRole';

const SCOPE_FIELDS = ['serviceInstance', 'resourceType', 'resource', 'resourceGroupId'] as const;
const NAMED_FIELDS: ReadonlySet<string> = new Set(['accountId', 'serviceName', ...SCOPE_FIELDS]);

/** The value of a `stringEquals` attribute with a string value; undefined for any other test. */
export const equalsValue = (attrs: readonly AttributeCondition[], key: string) => {
  const attr = attrs.find((a) => a.key === key && a.operator === 'stringEquals');
  return typeof attr?.value === 'string' ? attr.value : undefined;
};

/**
 * The target a policy change is authorized against: the policy's own resource, so only who
 * administers that scope (or something wider) may grant on it. Only `stringEquals` attributes
 * narrow the target; a wildcard or list attribute is left out, which makes the target wider and
 * the check stricter — never the other way. `serviceName` is empty when the policy spans services
 * (`serviceType`, `service_group_id`, a resource group): those travel in `attributes`.
 */
export function policyTarget(accountId: string, resource: readonly AttributeCondition[]): AccessTarget {
  const target: AccessTarget = { accountId, serviceName: equalsValue(resource, 'serviceName') ?? '' };
  for (const key of SCOPE_FIELDS) {
    const value = equalsValue(resource, key);
    if (value !== undefined) target[key] = value;
  }
  const attributes: Record<string, string> = {};
  for (const attr of resource) {
    const value = equalsValue([attr], attr.key);
    if (value !== undefined && !NAMED_FIELDS.has(attr.key)) attributes[attr.key] = value;
  }
  return Object.keys(attributes).length > 0 ? { ...target, attributes } : target;
}

/** The account-level target of reading every policy, role and setting of an account. */
export const accessManagementTarget = (accountId: string): AccessTarget => ({ accountId, serviceName: ACCESS_MANAGEMENT });

/**
 * The catalog services a policy's resource can reach: the named service, the services of a type
 * or group, or (for resource-group scopes and wildcards) every service.
 */
export function servicesOfTarget(resource: readonly AttributeCondition[], catalog: Catalog): CatalogService[] {
  const name = equalsValue(resource, 'serviceName');
  if (name !== undefined) {
    const service = catalog.service(name);
    return service ? [service] : [];
  }
  const type = equalsValue(resource, 'serviceType');
  const group = equalsValue(resource, 'service_group_id');
  return [...catalog.allServices()].filter(
    (s) => (type === undefined || s.type === type) && (group === undefined || s.groupId === group),
  );
}

