import type { PolicySubject } from '../../pdp/types.js';
import type { TargetContext, TemplateMetadata } from '../types.js';
import type { Write } from '../../store/unit-of-work.js';

/**
 * An access-group template's definition, in IBM's wire names (it is stored and shown as given):
 * the group, its static members, its dynamic-membership rules, what the child account may still
 * change (action controls), and the policy templates whose policies the group receives.
 */
export interface GroupTemplateBody {
  group: GroupDefinition;
  policy_template_references: PolicyTemplateRef[];
}

export interface GroupDefinition {
  name: string;
  description?: string;
  members?: {
    users?: string[];
    services?: string[];
    action_controls?: { add?: boolean; remove?: boolean };
  };
  assertions?: {
    rules?: RuleDefinition[];
    action_controls?: { add?: boolean; remove?: boolean };
  };
  action_controls?: { access?: { add?: boolean } };
}

export interface RuleDefinition {
  name?: string;
  expiration?: number;
  realm_name?: string;
  conditions?: { claim?: string; operator?: string; value?: string }[];
  action_controls?: { remove?: boolean };
}

export interface PolicyTemplateRef {
  id?: string;
  version?: string;
}

/** A reference as a run uses it: the policy template and its version. */
export interface CheckedRef {
  id: string;
  version: string;
}

/**
 * Places the policies of referenced policy templates on a subject in a child account (the policy
 * template kind implements it: kinds/policy-references.ts). A reference must name a committed
 * access policy template of the referring template's account; anything else fails that reference.
 */
export interface PolicyTemplateApplier {
  /**
   * Throws unless the reference can be placed and the assigner could place its policy in the child
   * account (with `previousId`: update that policy). Reads the database: call it outside any write.
   */
  authorize(run: { ownerAccountId: string; accountId: string; ref: CheckedRef; previousId?: string; authorizeInTarget: TargetContext<unknown>['authorizeInTarget'] }): Promise<void>;
  /** Throws unless the assigner could retire the policy `previousId` in the child account (outside any write). */
  authorizeRetire(run: { accountId: string; previousId: string; authorizeInTarget: TargetContext<unknown>['authorizeInTarget'] }): Promise<void>;
  /** Creates (or updates `previousId`) the reference's policy for `subject` inside `w`, enterprise-managed by `metadata`; returns its id. */
  place(
    w: Write,
    run: { ownerAccountId: string; accountId: string; subject: PolicySubject; ref: CheckedRef; previousId?: string; metadata: TemplateMetadata; byIamId: string },
  ): Promise<string>;
  /** Retires the policy inside `w` (a policy already gone is fine). */
  retire(w: Write, policyId: string, byIamId: string): Promise<void>;
  /** Whether the policy no longer is what the reference makes for `subject` (changed, retired, gone, or the reference unloadable). */
  drifted(run: { ownerAccountId: string; accountId: string; subject: PolicySubject; ref: CheckedRef; policyId: string | undefined }): Promise<boolean>;
}
