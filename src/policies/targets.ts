import { NO_SERVICE, servicesOfKind, type Catalog, type CatalogService, type ServiceType } from '../catalog/index.js';
import type { AccessTarget } from '../kernel/authorizer.js';
import type { AttributeCondition } from '../pdp/types.js';

/** The service the policy, role and settings APIs themselves belong to (authz.md §7). */
export const ACCESS_MANAGEMENT = 'iam-access-management';
/** The child service whose actions guard custom roles (`iam-access-management.customRole.*`). */
export const ROLE_MANAGEMENT = 'iam-access-management.customRole';

const SCOPE_FIELDS = ['serviceInstance', 'resourceType', 'resource', 'resourceGroupId'] as const;
/** Attributes that say which services a scope spans: they choose the target's service, not its attributes. */
const SERVICE_FIELDS: ReadonlySet<string> = new Set(['accountId', 'serviceName', 'serviceType', 'service_group_id', ...SCOPE_FIELDS]);

/**
 * The value an attribute the scope leaves open takes in the second question: no id names it, so
 * only a policy that accepts any value (no test, `*`, `stringExists: true`) matches it.
 */
const OPEN_VALUE = '*any*';

/** The value of a `stringEquals` attribute with a string value; undefined for any other test. */
export const equalsValue = (attrs: readonly AttributeCondition[], key: string) => {
  const attr = attrs.find((a) => a.key === key && a.operator === 'stringEquals');
  return typeof attr?.value === 'string' ? attr.value : undefined;
};

/** The service types of a service group's members (normally one: `IAM` is all account-management services). */
export const typesOfGroup = (group: string, catalog: Catalog): Set<ServiceType> =>
  new Set([...catalog.allServices()].filter((s) => s.groupId === group).map((s) => s.type));

/**
 * The targets a grant on a policy resource is authorized against (authz.md §3.1 with §4): the
 * caller must hold the action on every one, so only who administers the whole scope (or more) may
 * grant, replace, delete or read on it. Each target stands for the scope's REAL kind:
 * - a service (with its instance, resource group, resource type or resource): that service;
 * - a service group: the group's kind of services (servicesOfKind), which a policy on one of its
 *   services does not match;
 * - `serviceType`: all IAM-enabled services (NO_SERVICE) or all account-management services;
 * - a resource group, instance or resource object named without a service: resources of
 *   IAM-enabled services (account-management services have no resource groups);
 * - nothing that names services: the whole account, i.e. both kinds, asked as two targets.
 * Only `stringEquals` attributes narrow a target; a wildcard, list or existence test is left out,
 * which makes the target wider and the check stricter — never the other way. Each target is asked
 * twice: with the attributes the scope leaves open absent, and with them present (OPEN_VALUE), so
 * a granter's policy that covers only resources without, say, an instance (`stringExists: false`)
 * does not pass for a scope that also holds instances.
 */
export function grantTargets(accountId: string, resource: readonly AttributeCondition[], catalog: Catalog): AccessTarget[] {
  const base: Omit<AccessTarget, 'serviceName'> = { accountId };
  for (const key of SCOPE_FIELDS) {
    const value = equalsValue(resource, key);
    if (value !== undefined) base[key] = value;
  }
  const attributes: Record<string, string> = {};
  for (const attr of resource) {
    const value = equalsValue([attr], attr.key);
    if (value !== undefined && !SERVICE_FIELDS.has(attr.key)) attributes[attr.key] = value;
  }
  if (Object.keys(attributes).length > 0) base.attributes = attributes;
  const open: Omit<AccessTarget, 'serviceName'> = { ...base, attributes: { region: OPEN_VALUE, ...base.attributes } };
  for (const key of SCOPE_FIELDS) open[key] ??= OPEN_VALUE;
  // A named instance's resource group is the one it lives in: the decision point looks it up.
  if (base.serviceInstance !== undefined && base.resourceGroupId === undefined) delete open.resourceGroupId;
  const on = (serviceName: string): AccessTarget[] => [{ ...base, serviceName }, { ...open, serviceName }];

  const name = equalsValue(resource, 'serviceName');
  if (name !== undefined) return on(name);
  const type = equalsValue(resource, 'serviceType') as ServiceType | undefined;
  const group = equalsValue(resource, 'service_group_id');
  if (group !== undefined) {
    const types = type !== undefined ? [type] : [...typesOfGroup(group, catalog)];
    return types.flatMap((t) => on(servicesOfKind(t, group)));
  }
  if (type !== undefined) return on(servicesOfKind(type));
  if (SCOPE_FIELDS.some((key) => base[key] !== undefined)) return on(NO_SERVICE);
  return [...on(servicesOfKind('service')), ...on(servicesOfKind('platform_service'))];
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

