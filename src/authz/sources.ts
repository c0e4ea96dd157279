import type { CatalogService, CustomRole } from '../catalog/types.js';
import type { Clock } from '../kernel/clock.js';
import type { MembershipInput } from '../pdp/snapshot.js';
import type { ActionControl } from '../pdp/action-controls.js';
import type { RestrictionRule, RestrictionZone } from '../pdp/restrictions.js';
import type { Policy } from '../pdp/types.js';
import type { DecisionSource } from './source.js';

/** The reads of each domain store the decision point depends on (each the narrowest it needs). */
export interface DecisionStores {
  catalogServices: {
    list(): Promise<Array<{ service: CatalogService }>>;
    get(name: string): Promise<{ service: CatalogService } | undefined>;
  };
  policies: {
    listActivePolicies(): AsyncGenerator<Policy[]>;
    get(id: string): Promise<Policy | undefined>;
  };
  customRoles: {
    listCustomRoles(): Promise<Array<{ id: string }>>;
    getCustomRole(id: string): Promise<{ id: string } | undefined>;
  };
  /** The custom role as the catalog holds it. */
  catalogRoleOf(record: { id: string }): CustomRole;
  groups: {
    listMemberships(at: string): Promise<Array<{ accountId: string; groupId: string; iamId: string; expiresAt?: string }>>;
    membershipsOf(iamId: string, at: string): Promise<Array<{ accountId: string; groupId: string; iamId: string; expiresAt?: string }>>;
    isPublicAccessEnabled(accountId: string): Promise<boolean>;
    listPublicAccess(): Promise<Array<{ accountId: string; enabled: boolean }>>;
  };
  instances: {
    listInstanceGroups(): Promise<Array<{ accountId: string; instanceId: string; resourceGroupId: string }>>;
    getInstance(guid: string): Promise<{ accountId: string; resourceGroupId: string; state: string } | undefined>;
  };
  /** Context-based restrictions, as the restriction stage reads them. */
  restrictions: {
    zones(): Promise<RestrictionZone[]>;
    rules(): Promise<RestrictionRule[]>;
    zone(id: string): Promise<RestrictionZone | undefined>;
    rule(id: string): Promise<RestrictionRule | undefined>;
  };
  /** Enterprise action controls in child accounts (templates' action-control assignments). */
  actionControls: {
    all(): Promise<ActionControl[]>;
    get(id: string): Promise<ActionControl | undefined>;
  };
}

const membershipOf = (m: { accountId: string; groupId: string; iamId: string; expiresAt?: string }): MembershipInput => ({
  accountId: m.accountId,
  groupId: m.groupId,
  iamId: m.iamId,
  ...(m.expiresAt !== undefined ? { expiresAt: Date.parse(m.expiresAt) } : {}),
});

export function createDecisionSource(stores: DecisionStores, clock: Clock): DecisionSource {
  const now = () => clock.now().toISOString();
  return {
    catalogServices: async () => (await stores.catalogServices.list()).map((r) => r.service),
    catalogService: async (name) => (await stores.catalogServices.get(name))?.service,
    async activePolicies() {
      const all: Policy[] = [];
      for await (const batch of stores.policies.listActivePolicies()) all.push(...batch);
      return all;
    },
    policy: (id) => stores.policies.get(id),
    async customRoles() {
      return (await stores.customRoles.listCustomRoles()).map((r) => ({ id: r.id, role: stores.catalogRoleOf(r) }));
    },
    async customRole(id) {
      const record = await stores.customRoles.getCustomRole(id);
      return record && stores.catalogRoleOf(record);
    },
    async memberships() {
      return (await stores.groups.listMemberships(now())).map(membershipOf);
    },
    async membershipsOf(accountId, iamId) {
      return (await stores.groups.membershipsOf(iamId, now())).filter((m) => m.accountId === accountId).map(membershipOf);
    },
    instanceGroups: () => stores.instances.listInstanceGroups(),
    async instanceGroup(instanceId) {
      const instance = await stores.instances.getInstance(instanceId);
      return instance && instance.state === 'active' ? { accountId: instance.accountId, resourceGroupId: instance.resourceGroupId } : undefined;
    },
    publicAccess: () => stores.groups.listPublicAccess(),
    publicAccessOf: (accountId) => stores.groups.isPublicAccessEnabled(accountId),
    restrictionZones: () => stores.restrictions.zones(),
    restrictionRules: () => stores.restrictions.rules(),
    restrictionZone: (id) => stores.restrictions.zone(id),
    restrictionRule: (id) => stores.restrictions.rule(id),
    actionControls: () => stores.actionControls.all(),
    actionControl: (id) => stores.actionControls.get(id),
  };
}
