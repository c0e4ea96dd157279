import type { AttributeCondition, Policy as DecisionPolicy, PolicySubject, Rule } from '../pdp/types.js';

/**
 * The policy domain's one internal model. A stored policy IS the decision point's `Policy` (so the
 * PDP loads it without conversion) plus what the management APIs show. The v1 and v2 wire formats
 * are two renderings of it (v1.ts, v2.ts); nothing records which API created a policy.
 */
export interface PolicyRecord extends DecisionPolicy {
  description?: string;
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  /** `<revision>-<32 hex>`; the revision grows by one with every change. */
  entityTag: string;
  /** Usage, not part of the policy: when it last granted a permit and how many; absent if never. */
  lastPermit?: { at: string; frequency: number };
}

/** Which API a request came through: decides how its policy (and a conflicting one) is rendered. */
export type Syntax = 'v1' | 'v2';

/** A policy as a create or replace request describes it, parsed but not yet validated. */
export interface PolicyDraft {
  syntax: Syntax;
  type: 'access' | 'authorization';
  description?: string;
  /** The `accountId` resource attribute: the account the policy lives in. */
  accountId: string;
  subject: PolicySubject;
  /** Resource attributes other than `accountId`. */
  resource: AttributeCondition[];
  tags: AttributeCondition[];
  roles: string[];
  rule?: Rule;
  pattern?: string;
}

export type PolicySortField =
  | 'id' | 'type' | 'href' | 'created_at' | 'created_by_id' | 'last_modified_at' | 'last_modified_by_id' | 'state'
  | 'last_permit_at' | 'last_permit_frequency';

export interface PolicyFilter {
  accountId: string;
  state: 'active' | 'deleted';
  iamId?: string;
  accessGroupId?: string;
  type?: 'access' | 'authorization';
  serviceType?: string;
  serviceName?: string;
  serviceGroupId?: string;
  tagName?: string;
  tagValue?: string;
}

export interface PolicyListQuery {
  accountId?: string;
  iamId?: string;
  accessGroupId?: string;
  type?: string;
  serviceType?: string;
  serviceName?: string;
  serviceGroupId?: string;
  tagName?: string;
  tagValue?: string;
  sort?: string;
  format?: string;
  state?: string;
  limit?: number;
  start?: string;
}

/** A custom role (authz.md §5): an account's own named set of one service's actions. */
export interface CustomRoleRecord {
  /** Hex of the ASCII `customRole-<32 hex>-<Name>` (identifiers.md §4). */
  id: string;
  name: string;
  accountId: string;
  serviceName: string;
  crn: string;
  displayName: string;
  description?: string;
  /** Action ids of `serviceName`, sorted, without duplicates. */
  actions: string[];
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
}

export interface CustomRoleInput {
  name: string;
  displayName: string;
  description?: string;
  accountId: string;
  serviceName: string;
  actions: string[];
}

export interface RoleListQuery {
  accountId?: string;
  serviceName?: string;
  serviceGroupId?: string;
  sourceServiceName?: string;
  policyType?: string;
}

export type IdentityType = 'user' | 'service_id' | 'service';
export const IDENTITY_TYPES: readonly IdentityType[] = ['user', 'service_id', 'service'];

export interface IdentityTypeSetting {
  state: 'enabled' | 'limited' | 'monitor';
  external_allowed_accounts: string[];
}

/** `AccountSettingsAccessManagement` (authz.md §6), IBM's wire names. */
export interface AccessManagementSettings {
  external_account_identity_interaction: { identity_types: Record<IdentityType, IdentityTypeSetting> };
}

/** A PATCH body: any identity types, unchecked (the service validates them). */
export type AccessManagementSettingsPatch = {
  external_account_identity_interaction?: {
    identity_types?: Partial<Record<IdentityType, { state: string; external_allowed_accounts: string[] }>>;
  };
};
