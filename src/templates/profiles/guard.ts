import { templateErrors } from '../errors.js';
import type { ManagedLookup } from '../groups/managed.js';

/**
 * The guard the identity domain calls before changing a trusted profile
 * (IdentityDeps.guardManagedProfile): a profile an enterprise assignment created changes (and is
 * deleted) only through that assignment; in the child account every change is refused (403).
 */
export function managedProfileGuard(managedBy: ManagedLookup) {
  return async (profileId: string): Promise<void> => {
    const managed = await managedBy(profileId);
    if (managed?.kind === 'profile') throw templateErrors.managed(`Trusted profile ${profileId} (assignment ${managed.assignmentId})`);
  };
}
