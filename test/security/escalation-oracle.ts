/**
 * The escalation matrix's oracle, written from reference/authz.md §3.1 and §4 alone (no production
 * code): a scope is the set of resources it matches in a small universe that has one resource of
 * every kind the scopes tell apart, and a grant on a scope is allowed to the owner or to whoever
 * holds Administrator on every resource of it. "Who administers what" is read off the granter's
 * own holdings the same way.
 */

export const COS = 'cloud-object-storage';
export const KMS = 'kms';

/** The facts of one resource of the account (ids of the test's own resource groups and instances). */
export interface Resource {
  service: string;
  type: 'service' | 'platform_service';
  group?: string;
  resourceGroup?: string;
  instance?: string;
  resourceType?: string;
  resource?: string;
}

/** The ids the scopes and the universe are written with (created by the fixture). */
export interface Ids {
  rg: string;
  rg2: string;
  /** A COS instance in `rg`, another in `rg2`, and a KMS instance in `rg`. */
  cos: string;
  cos2: string;
  kms: string;
}

/** A policy scope as the API receives it: v2 resource attributes (v1 is the same with `name`). */
export interface Scope {
  name: string;
  attributes: Array<{ key: string; operator: 'stringEquals' | 'stringMatch'; value: string }>;
  /** The scope's meaning (authz.md §4): which resources it matches. */
  matches(r: Resource): boolean;
}

const eq = (key: string, value: string) => ({ key, operator: 'stringEquals' as const, value });

/** Every scope kind of §3.1/§4, on the test's ids. */
export function scopes(ids: Ids): Scope[] {
  return [
    { name: 'whole account', attributes: [{ key: 'serviceName', operator: 'stringMatch', value: '*' }], matches: () => true },
    { name: 'all IAM-enabled services', attributes: [eq('serviceType', 'service')], matches: (r) => r.type === 'service' },
    { name: 'all account management services', attributes: [eq('serviceType', 'platform_service')], matches: (r) => r.type === 'platform_service' },
    { name: 'service group IAM', attributes: [eq('service_group_id', 'IAM')], matches: (r) => r.group === 'IAM' },
    { name: `service ${COS}`, attributes: [eq('serviceName', COS)], matches: (r) => r.service === COS },
    { name: `service ${KMS}`, attributes: [eq('serviceName', KMS)], matches: (r) => r.service === KMS },
    { name: 'service iam-identity', attributes: [eq('serviceName', 'iam-identity')], matches: (r) => r.service === 'iam-identity' },
    { name: 'service billing', attributes: [eq('serviceName', 'billing')], matches: (r) => r.service === 'billing' },
    { name: 'resource group', attributes: [eq('resourceGroupId', ids.rg)], matches: (r) => r.resourceGroup === ids.rg },
    {
      name: `${COS} in the resource group`,
      attributes: [eq('serviceName', COS), eq('resourceGroupId', ids.rg)],
      matches: (r) => r.service === COS && r.resourceGroup === ids.rg,
    },
    {
      name: `a ${COS} instance`,
      attributes: [eq('serviceName', COS), eq('serviceInstance', ids.cos)],
      matches: (r) => r.service === COS && r.instance === ids.cos,
    },
    {
      name: 'a bucket of the instance',
      attributes: [eq('serviceName', COS), eq('serviceInstance', ids.cos), eq('resourceType', 'bucket'), eq('resource', 'b1')],
      matches: (r) => r.service === COS && r.instance === ids.cos && r.resourceType === 'bucket' && r.resource === 'b1',
    },
  ];
}

/** Access-group and custom-role management are resources too (their services' whole scope). */
export const GROUPS_SERVICE: Resource = { service: 'iam-groups', type: 'platform_service', group: 'IAM' };
export const ROLE_SERVICE: Resource = { service: 'iam-access-management.customRole', type: 'platform_service', group: 'IAM' };

/** One resource of every kind the scopes distinguish. */
export function universe(ids: Ids): Resource[] {
  return [
    { service: COS, type: 'service' },
    { service: COS, type: 'service', instance: ids.cos, resourceGroup: ids.rg },
    { service: COS, type: 'service', instance: ids.cos, resourceGroup: ids.rg, resourceType: 'bucket', resource: 'b1' },
    { service: COS, type: 'service', instance: ids.cos, resourceGroup: ids.rg, resourceType: 'bucket', resource: 'b2' },
    { service: COS, type: 'service', instance: ids.cos2, resourceGroup: ids.rg2 },
    // Instances a resource group may hold later: a grant on the group covers them too.
    { service: COS, type: 'service', instance: 'another', resourceGroup: ids.rg },
    { service: KMS, type: 'service', instance: 'another', resourceGroup: ids.rg },
    { service: KMS, type: 'service' },
    { service: KMS, type: 'service', instance: ids.kms, resourceGroup: ids.rg },
    { service: 'iam-identity', type: 'platform_service', group: 'IAM' },
    GROUPS_SERVICE,
    ROLE_SERVICE,
    { service: 'billing', type: 'platform_service' },
  ];
}

export type PlatformRole = 'Administrator' | 'Editor' | 'Operator' | 'Viewer';

/** What a granter holds: the owner, or platform roles on scopes (directly or through a group). */
export interface Holdings {
  owner: boolean;
  roles: Array<{ role: PlatformRole; scope: Scope }>;
}

/** The granting rule (§3.1): the owner, or Administrator on every resource the scope matches. */
export function mayGrant(h: Holdings, scope: Scope, all: readonly Resource[]): boolean {
  if (h.owner) return true;
  return all.filter((r) => scope.matches(r)).every((r) => h.roles.some((x) => x.role === 'Administrator' && x.scope.matches(r)));
}

/** Whether the granter holds one of `roles` on a management service (§7's action tables). */
export const holdsOn = (h: Holdings, service: Resource, roles: readonly PlatformRole[]) =>
  h.owner || h.roles.some((x) => roles.includes(x.role) && x.scope.matches(service));
