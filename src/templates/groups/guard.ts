import type { AccessGroup } from '../../access-groups/types.js';
import { DomainError } from '../../kernel/errors.js';
import type { TemplateStore } from '../store.js';
import type { ManagedLookup } from './managed.js';
import type { GroupTemplateBody } from './types.js';

/** Which action control allows each access-groups action on a managed group; absent: never allowed. */
const ALLOWED_BY: Record<string, (b: GroupTemplateBody) => boolean | undefined> = {
  'iam-groups.members.add': (b) => b.group.members?.action_controls?.add,
  'iam-groups.members.delete': (b) => b.group.members?.action_controls?.remove,
  'iam-groups.rules.create': (b) => b.group.assertions?.action_controls?.add,
  'iam-groups.rules.update': (b) => b.group.assertions?.action_controls?.remove,
  'iam-groups.rules.delete': (b) => b.group.assertions?.action_controls?.remove,
};

/** Reads are allowed on managed groups like on any other. */
const READS = /\.(read|list|audit)$/;

/**
 * The guard the access-groups domain calls before changing a group (AccessGroupsDeps.guardManaged):
 * a group an enterprise assignment created changes only through that assignment. In the child
 * account, renaming and deleting it are refused, and adding or removing members or rules only as
 * the applied version's action controls allow (403 naming the assignment).
 */
export function managedGroupGuard(managedBy: ManagedLookup, store: Pick<TemplateStore, 'getVersion'>) {
  return async (group: AccessGroup, action: string): Promise<void> => {
    if (READS.test(action)) return;
    const managed = await managedBy(group.id);
    if (!managed || managed.kind !== 'access_group') return;
    const version = await store.getVersion<GroupTemplateBody>(managed.templateId, managed.templateVersion);
    if (version && ALLOWED_BY[action]?.(version.body) === true) return;
    throw new DomainError(
      'forbidden',
      'enterprise_managed',
      `The access group ${group.id} is managed by the enterprise template assignment ${managed.assignmentId} and cannot be changed this way in this account.`,
    );
  };
}
