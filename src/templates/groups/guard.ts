import type { AccessGroup } from '../../access-groups/types.js';
import { DomainError } from '../../kernel/errors.js';
import type { PolicySubject } from '../../pdp/types.js';
import { templateErrors } from '../errors.js';
import type { TemplateStore } from '../store.js';
import type { ManagedBy, ManagedLookup } from './managed.js';
import type { GroupTemplateBody } from './types.js';

/** Reads are allowed on managed groups like on any other. */
const READS = /\.(read|list|audit)$/;

const refused = (groupId: string, assignmentId: string, what: string) => templateErrors.controlled(`The access group ${groupId}`, assignmentId, what);

/** The applied version's definition of a group an access-group assignment manages; undefined when no assignment does. */
async function managedGroup(managedBy: ManagedLookup, store: Pick<TemplateStore, 'getVersion'>, groupId: string) {
  const managed = await managedBy(groupId);
  if (!managed || managed.kind !== 'access_group') return undefined;
  const version = await store.getVersion<GroupTemplateBody>(managed.templateId, managed.templateVersion);
  return { managed, body: version?.body };
}

/**
 * The guard the access-groups domain calls before changing a group (AccessGroupsDeps.guardManaged):
 * a group an enterprise assignment created changes only through that assignment. In the child
 * account, renaming and deleting it are refused; the rest follows the applied version's action
 * controls (IBM's AccessGroupsV2 `action_controls`), all refused unless set true:
 *
 * - `members.action_controls.add`: adding members;
 * - `members.action_controls.remove`: removing the template's own members (`item`, the member's IAM
 *   id) — members the child added can always be removed;
 * - `assertions.action_controls.add`: adding dynamic rules;
 * - a rule's `action_controls.remove`, else `assertions.action_controls.remove`: updating or
 *   removing the template's own rules (`item`, the rule id) — rules the child added can always be.
 *
 * `item` names the member or rule a member or rule change is about; without one (a whole-group
 * check) only what needs no item is decided.
 */
export function managedGroupGuard(managedBy: ManagedLookup, store: Pick<TemplateStore, 'getVersion'>) {
  return async (group: AccessGroup, action: string, item?: string): Promise<void> => {
    if (READS.test(action)) return;
    const found = await managedGroup(managedBy, store, group.id);
    if (!found) return;
    const { managed, body } = found;
    const no = (what: string) => refused(group.id, managed.assignmentId, what);
    switch (action) {
      case 'iam-groups.members.add':
        if (body?.group.members?.action_controls?.add !== true) throw no('adding members');
        return;
      case 'iam-groups.members.delete': {
        if (item === undefined) return;
        const own = [...(body?.group.members?.users ?? []), ...(body?.group.members?.services ?? [])];
        if (own.includes(item) && body?.group.members?.action_controls?.remove !== true) throw no(`removing the template's member ${item}`);
        return;
      }
      case 'iam-groups.rules.create':
        if (body?.group.assertions?.action_controls?.add !== true) throw no('adding dynamic rules');
        return;
      case 'iam-groups.rules.update':
      case 'iam-groups.rules.delete': {
        if (item === undefined) return;
        const rule = await templateRule(managedBy, managed, item);
        if (rule === undefined) return;
        const index = Number(rule.key.slice('rule:'.length));
        const definition = body?.group.assertions?.rules?.[index];
        const removable = definition?.action_controls?.remove ?? body?.group.assertions?.action_controls?.remove;
        if (removable !== true) throw no(`${action.endsWith('.update') ? 'changing' : 'removing'} the template's dynamic rule ${item}`);
        return;
      }
      default:
        throw new DomainError(
          'forbidden',
          'enterprise_managed',
          `The access group ${group.id} is managed by the enterprise template assignment ${managed.assignmentId} and cannot be changed this way in this account.`,
        );
    }
  };
}

/** The rule's resource row when the group's own assignment made it (a `rule:<n>` key); undefined for a rule the child added. */
async function templateRule(managedBy: ManagedLookup, group: ManagedBy, ruleId: string) {
  const rule = await managedBy(ruleId);
  return rule && rule.assignmentId === group.assignmentId && rule.key.startsWith('rule:') ? rule : undefined;
}

/**
 * The guard the policy domain calls before a policy for `subject` is added in an account
 * (PolicyServiceDeps.guardSubject): access to a managed access group is added in the child account
 * only when the applied version's `action_controls.access.add` is true. Policies the child added
 * stay the child's to change or remove; those the assignment placed change only through it.
 */
export function managedGroupAccessGuard(managedBy: ManagedLookup, store: Pick<TemplateStore, 'getVersion'>) {
  return async (subject: PolicySubject): Promise<void> => {
    if (subject.kind !== 'access_group') return;
    const found = await managedGroup(managedBy, store, subject.groupId);
    if (!found || found.body?.group.action_controls?.access?.add === true) return;
    throw refused(subject.groupId, found.managed.assignmentId, 'adding access policies');
  };
}
