import type { CatalogService, CustomRole } from '../catalog/types.js';
import type { MembershipInput } from '../pdp/snapshot.js';
import type { ActionControl } from '../pdp/action-controls.js';
import type { RestrictionRule, RestrictionZone } from '../pdp/restrictions.js';
import type { Policy } from '../pdp/types.js';

/**
 * The narrow reads the decision point needs from the stores: everything at start-up, and one
 * entity at a time when the change feed says it changed. Implemented in the registry over the
 * policy, access-group and resource stores.
 */
export interface DecisionSource {
  /** Every active policy of every account. */
  activePolicies(): Promise<Policy[]>;
  /** The policy, whatever its state, or undefined when it no longer exists. */
  policy(id: string): Promise<Policy | undefined>;
  /** Services registered through the catalog API (the seed is in code). */
  catalogServices(): Promise<CatalogService[]>;
  /** A registered service, or undefined when it was removed. */
  catalogService(name: string): Promise<CatalogService | undefined>;
  /** Every custom role, with the id its feed entries carry. */
  customRoles(): Promise<Array<{ id: string; role: CustomRole }>>;
  /** The custom role, or undefined when it no longer exists. */
  customRole(id: string): Promise<CustomRole | undefined>;
  /** Static memberships, and dynamic ones that have not expired yet (with their expiry). */
  memberships(): Promise<MembershipInput[]>;
  /** One identity's current memberships in one account. */
  membershipsOf(accountId: string, iamId: string): Promise<MembershipInput[]>;
  /** Resource group of every live service instance. */
  instanceGroups(): Promise<Array<{ accountId: string; instanceId: string; resourceGroupId: string }>>;
  /** The resource group of one live instance, or undefined when it is gone. */
  instanceGroup(instanceId: string): Promise<{ accountId: string; resourceGroupId: string } | undefined>;
  /** Every account and whether its Public Access group applies to everyone. */
  publicAccess(): Promise<Array<{ accountId: string; enabled: boolean }>>;
  /** Whether the account's Public Access group applies to everyone. */
  publicAccessOf(accountId: string): Promise<boolean>;
  /** Every context-based restriction zone and rule. */
  restrictionZones(): Promise<RestrictionZone[]>;
  restrictionRules(): Promise<RestrictionRule[]>;
  /** One zone or rule, or undefined when it no longer exists. */
  restrictionZone(id: string): Promise<RestrictionZone | undefined>;
  restrictionRule(id: string): Promise<RestrictionRule | undefined>;
  /** Every enterprise action control in a child account, and one by id (undefined once removed). */
  actionControls(): Promise<ActionControl[]>;
  actionControl(id: string): Promise<ActionControl | undefined>;
}
