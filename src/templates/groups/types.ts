import type { TargetContext } from '../types.js';
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

/**
 * Places the policies of policy templates on a group in a child account: the policy template kind
 * provides it once the registry has one; without it, an assignment with references fails there.
 */
export interface PolicyTemplateApplier {
  /** Throws unless the assigner could place the reference's policy in the child account (outside any write). */
  authorize(run: { accountId: string; ref: { id: string; version: string }; authorizeInTarget: TargetContext<unknown>['authorizeInTarget'] }): Promise<void>;
  /** Creates or updates the group's policy of the reference inside `w`; returns its id. */
  applyToGroup(w: Write, run: { accountId: string; groupId: string; ref: { id: string; version: string } }): Promise<string>;
}
