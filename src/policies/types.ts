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
  /** Set when a template assignment made the policy: it is enterprise-managed (see ManagedBy). */
  template?: ManagedBy;
}

/**
 * The template metadata of an enterprise-managed policy or custom role: IBM's `template{id,
 * version, assignment_id, root_id, root_version}`, plus the (enterprise) account whose assignment
 * manages it. Such a resource changes and goes only through its assignment.
 */
export interface ManagedBy {
  templateId: string;
  version: number;
  assignmentId: string;
  rootId?: string;
  rootVersion?: number;
  /** The account of the template and assignment. */
  ownerAccountId: string;
}

/** IBM's `template` object of a managed resource (versions are strings on this API). */
export const templateMetadataOf = (m: ManagedBy) => ({
  id: m.templateId,
  version: String(m.version),
  assignment_id: m.assignmentId,
  ...(m.rootId !== undefined ? { root_id: m.rootId } : {}),
  ...(m.rootVersion !== undefined ? { root_version: String(m.rootVersion) } : {}),
});

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
  /** Set when a role-template assignment made the role: it is enterprise-managed. */
  template?: ManagedBy;
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
