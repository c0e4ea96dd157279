/** The service catalog: services, the actions they define, and the roles that carry those actions. */

import type { RoleKind, ServiceType } from '../pdp/grants.js';

export type { RoleKind, ServiceType };

export interface CatalogAction {
  /** `<serviceName>.<noun>.<verb>`, e.g. `cloud-object-storage.bucket.get`. */
  id: string;
  displayName: string;
  description?: string;
  /** CRNs of the roles that include this action on its service. */
  roles: string[];
}

export interface CatalogService {
  /** Lower-case alphanumerics and `-`; a child service is `parent.child` (identifiers.md §6). */
  name: string;
  displayName: string;
  /** `service` = IAM-enabled service; `platform_service` = account-management service. */
  type: ServiceType;
  /** Service group, e.g. `IAM` for the IAM account-management services (`service_group_id`). */
  groupId?: string;
  /** CRNs of the roles a policy on this service may grant. */
  roles: string[];
  actions: CatalogAction[];
  /**
   * Roles this service defines for itself (`crn:v1:bluemix:public:<name>::::serviceRole:<Name>`),
   * so a registered service can offer roles beyond the system ones.
   */
  ownRoles?: OwnRole[];
}

export interface OwnRole {
  crn: string;
  displayName: string;
  description: string;
}

export interface Role {
  crn: string;
  /** The last CRN segment, e.g. `Administrator`. */
  name: string;
  displayName: string;
  description: string;
  kind: RoleKind;
  /** The one service a service-specific or custom role applies to. */
  serviceName?: string;
  /** The owning account of a custom role. */
  accountId?: string;
}

export interface CustomRole extends Role {
  kind: 'custom';
  serviceName: string;
  accountId: string;
  /** Action ids, all belonging to `serviceName`. */
  actions: string[];
}

/**
 * An action every service's platform roles carry although another platform component defines it
 * (`resource-controller.*`, `iam.policy.*`, …): its meaning is "on the resource's service".
 */
export interface GenericAction extends CatalogAction {
  /** The component that defines it, e.g. `resource-controller`. */
  component: string;
}
