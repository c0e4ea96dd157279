/** The decision point's own model: normalized policies, requests and decisions (authz.md §2–§3). */

export type AttributeOperator = 'stringEquals' | 'stringExists' | 'stringMatch' | 'stringEqualsAnyOf' | 'stringMatchAnyOf';

/** One `{key, operator, value}` test; `stringExists` takes a boolean, the `…AnyOf` operators a list. */
export interface AttributeCondition {
  key: string;
  operator: AttributeOperator;
  value: string | boolean | string[];
}

export type PolicySubject =
  /** A user, service ID or trusted profile (or a CRN identity's `crn-…` IAM id). */
  | { kind: 'iam_id'; iamId: string }
  /** Members of an access group, or everyone for `AccessGroupId-PublicAccess`. */
  | { kind: 'access_group'; groupId: string }
  /** Authorization policy: a source service / instance / resource group, possibly in another account. */
  | { kind: 'service'; attributes: AttributeCondition[] };

export type RuleOperator =
  | 'stringEquals' | 'stringExists' | 'stringEqualsAnyOf' | 'stringMatch' | 'stringMatchAnyOf'
  | 'timeLessThan' | 'timeLessThanOrEquals' | 'timeGreaterThan' | 'timeGreaterThanOrEquals'
  | 'dateLessThan' | 'dateLessThanOrEquals' | 'dateGreaterThan' | 'dateGreaterThanOrEquals'
  | 'dateTimeLessThan' | 'dateTimeLessThanOrEquals' | 'dateTimeGreaterThan' | 'dateTimeGreaterThanOrEquals'
  | 'dayOfWeekEquals' | 'dayOfWeekAnyOf';

export interface RuleCondition {
  /** `{{environment.attributes.current_time}}`, `{{resource.attributes.path}}`, … */
  key: string;
  operator: RuleOperator;
  value: string | number | boolean | Array<string | number>;
}

export interface RuleGroup {
  operator: 'and' | 'or';
  conditions: Array<RuleCondition | RuleGroup>;
}

export type Rule = RuleCondition | RuleGroup;

export type PolicyState = 'active' | 'deleted';

export interface Policy {
  id: string;
  /** The account the policy lives in; it grants only on resources of this account. */
  accountId: string;
  type: 'access' | 'authorization';
  state: PolicyState;
  subject: PolicySubject;
  /** Resource attributes other than the account; absent attributes are wildcards. */
  resource: AttributeCondition[];
  /** Access-management tags the resource must carry (`stringEquals` / `stringMatch`). */
  tags: AttributeCondition[];
  /** Role CRNs; the policy grants the union of their actions. */
  roles: string[];
  rule?: Rule;
  pattern?: string;
}

/**
 * The resource of a request. The well-known attributes are named; any other attribute a policy
 * may test (e.g. a service's own `path`) is carried the same way.
 */
export interface ResourceAttributes {
  readonly accountId: string;
  readonly serviceName?: string;
  readonly serviceInstance?: string;
  readonly region?: string;
  readonly resourceType?: string;
  readonly resource?: string;
  readonly resourceGroupId?: string;
  readonly [attribute: string]: string | undefined;
}

export interface DecisionSubject {
  /** The IAM id of the caller (`IBMid-…`, `iam-ServiceId-…`, `iam-Profile-…`, `crn-<crn>`); empty when unauthenticated. */
  readonly id: string;
  /**
   * A CRN identity's attributes (`serviceName`, `accountId`, `serviceInstance`, `region`,
   * `resourceType`, `resource`, `resourceGroupId`), matched by authorization policies. When absent
   * and `id` is `crn-<crn>`, they are read from the CRN.
   */
  readonly attributes?: Readonly<Record<string, string | undefined>>;
}

export interface DecisionRequest {
  readonly subject: DecisionSubject;
  readonly action: string;
  readonly resource: ResourceAttributes;
  /** Access-management tags of the resource: tag name → values (`project:a` → `{project: ['a']}`). */
  readonly tags?: Readonly<Record<string, readonly string[]>>;
  readonly environment?: { readonly ip?: string; readonly attributes?: Readonly<Record<string, string | undefined>> };
}

export type DenyCause =
  | 'unknown_action'
  | 'no_service'
  | 'no_role_grants_action_on_service'
  | 'no_policy_for_subject'
  | 'no_policy_for_resource'
  | 'no_role_grants_action'
  | 'condition_not_satisfied'
  /** A context-based restriction refused a request its policies permit. */
  | 'context_restricted'
  /** An enterprise action control takes the action away in the resource's account. */
  | 'action_controlled';

/** Why one policy did or did not grant, in explain mode. */
export interface PolicyTrace {
  policyId: string;
  /** How the policy reached the subject: `iam_id`, an access group id, or `service`. */
  via: string;
  outcome: 'granted' | 'subject_mismatch' | 'resource_mismatch' | 'no_role_grants_action' | 'condition_not_satisfied';
  /** The first resource attribute or tag that did not match. */
  mismatch?: string;
}

export interface Decision {
  readonly permitted: boolean;
  /** Human-readable: which policy granted, or why nothing did. */
  readonly reason: string;
  /** On a deny, the machine-readable reason. */
  readonly cause?: DenyCause;
  readonly policyId?: string;
  readonly role?: string;
  /** On a `context_restricted` deny, the refusing context-based restriction rule. */
  readonly ruleId?: string;
  /** On an `action_controlled` deny, the refusing action control. */
  readonly actionControlId?: string;
  /** On a permit, a report-only rule that would have refused it (to be recorded, not enforced). */
  readonly reportedRuleId?: string;
  /** Present only when explain mode was asked for. */
  readonly explain?: {
    readonly subjects: readonly string[];
    readonly policies: readonly PolicyTrace[];
    /** Every context-based restriction rule that covers the request, the zones it tried, and whether the request satisfied it. */
    readonly restrictions?: ReadonlyArray<{ ruleId: string; mode: string; zones: readonly string[]; satisfied: boolean }>;
  };
}

export interface AuthorizeOptions {
  /** Decision time: conditions, dynamic group memberships. */
  readonly now: Date | number;
  /** Trace every policy considered (slower; allocates). */
  readonly explain?: boolean;
}
