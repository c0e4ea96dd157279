import type { AccessGroup } from '../../access-groups/types.js';
import { templateErrors } from '../managed/errors.js';
import type { TemplateStore } from '../managed/store.js';

interface GroupControls {
  members?: { add?: boolean; remove?: boolean };
  assertions?: { add?: boolean; remove?: boolean };
}

/** Which action control allows each access-groups action on a managed group; absent: never allowed. */
const ALLOWED_BY: Record<string, (c: GroupControls) => boolean | undefined> = {
  'iam-groups.members.add': (c) => c.members?.add,
  'iam-groups.members.delete': (c) => c.members?.remove,
  'iam-groups.rules.create': (c) => c.assertions?.add,
  'iam-groups.rules.update': (c) => c.assertions?.remove,
  'iam-groups.rules.delete': (c) => c.assertions?.remove,
};

/** Reads: allowed on managed groups like on any other. */
const READS = /\.(read|list|audit)$/;

/**
 * The guard the access-groups domain calls before changing a group: a group an enterprise
 * assignment created is changed only through that assignment; in the child account, renaming and
 * deleting it are refused, and adding or removing members or rules only as the template's action
 * controls allow (403 naming the assignment).
 */
export function managedGroupGuard(store: TemplateStore) {
  return async (group: AccessGroup, action: string): Promise<void> => {
    if (READS.test(action)) return;
    const managed = await store.managedResource('group', group.id);
    if (!managed) return;
    if (ALLOWED_BY[action]?.(managed.actionControls as GroupControls) === true) return;
    throw templateErrors.managed('access group', group.id, managed.assignmentId);
  };
}
