import type { Actor } from '../../kernel/principal.js';
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

/** An entry of an assignment's per-account results (the SDK's AssignmentResourceEntry). */
export interface ResourceEntry {
  id: string;
  name?: string;
  version?: string;
  resource: string;
  error: string;
  operation?: string;
  status: 'succeeded' | 'failed';
}

/**
 * Applies and removes the policies of policy templates for a group in a child account: the policy
 * template domain provides it; without it, references are reported as failed.
 */
export interface PolicyTemplateApplier {
  /** Throws forbidden unless the actor could create the referenced template's policy in `accountId` (authz.md §3.1). */
  authorizeReference(actor: Actor, accountId: string, ref: { id: string; version: string }): Promise<void>;
  /** Creates or updates the group's policy of the reference in `accountId` inside `w`; returns the policy id. */
  applyToGroup(w: Write, run: { accountId: string; groupId: string; ref: { id: string; version: string }; by: string }): Promise<string>;
}
