import type { LimitRange } from '../kernel/cursor.js';
/** Resource groups, resource instances and reclamations as the services see them. */

export interface ResourceGroup {
  id: string;
  crn: string;
  accountId: string;
  name: string;
  state: 'ACTIVE' | 'DELETED';
  isDefault: boolean;
  quotaId: string;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export type InstanceState = 'active' | 'pending_reclamation' | 'removed';

export interface ResourceInstance {
  guid: string;
  crn: string;
  accountId: string;
  resourceGroupId: string;
  name: string;
  serviceName: string;
  resourceId: string;
  resourcePlanId: string;
  location: string;
  state: InstanceState;
  type: string;
  subType: string | null;
  parameters: Record<string, unknown>;
  tags: string[];
  allowCleanup: boolean;
  locked: boolean;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  deletedAt: string | null;
  deletedBy: string | null;
  scheduledReclaimAt: string | null;
  scheduledReclaimBy: string | null;
  restoredAt: string | null;
  restoredBy: string | null;
}

export type ReclamationState = 'SCHEDULED' | 'RESTORED' | 'RECLAIMED';

export interface Reclamation {
  id: string;
  instanceGuid: string;
  instanceCrn: string;
  accountId: string;
  resourceGroupId: string;
  state: ReclamationState;
  targetTime: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** A service plan instances can be created from (the small plan table of plans.ts). */
export interface Plan {
  id: string;
  name: string;
  /** Catalog service name, the CRN's service segment. */
  serviceName: string;
  /** Catalog id of the service offering (`resource_id`). */
  resourceId: string;
  /** Locations the plan may be provisioned in; `global` plans only there. */
  locations: readonly string[];
}

export interface QuotaDefinition {
  id: string;
  name: string;
  type: string;
  numberOfApps: number;
  numberOfServiceInstances: number;
  defaultNumberOfInstancesPerLitePlan: number;
  instancesPerApp: number;
  instanceMemory: string;
  totalAppMemory: string;
  vsiLimit: number;
  createdAt: string;
  updatedAt: string;
}

export interface GroupFilter {
  accountId: string;
  name?: string;
  isDefault?: boolean;
  /** `YYYY-MM`: groups that existed (created on or before the end of that month). */
  date?: string;
  includeDeleted?: boolean;
}

export interface InstanceFilter {
  accountId: string;
  guid?: string;
  name?: string;
  resourceGroupId?: string;
  resourceId?: string;
  resourcePlanId?: string;
  type?: string;
  subType?: string;
  /** Defaults to every state but `removed`. */
  state?: InstanceState;
  updatedFrom?: string;
  updatedTo?: string;
}

/** Page sizes of Resource Controller listings (`limit`). */
export const RESOURCE_LIMITS: LimitRange = { min: 1, max: 100, default: 100 };
