import type { ProfileChange } from '../../identity/context.js';
import type { PolicySubject } from '../../pdp/types.js';
import { templateErrors } from '../errors.js';
import type { ManagedBy, ManagedLookup } from '../groups/managed.js';
import type { TemplateStore } from '../store.js';
import { identityKey, type ProfileTemplateBody } from './kind.js';

/**
 * What a child account may do to a trusted profile an enterprise assignment created, by the
 * applied version's `action_controls` (IBM's IamIdentityV1 ActionControls), each refused unless
 * set true:
 *
 * - `rules.add`, `identities.add`: adding claim rules, identities;
 * - `rules.remove`, `identities.remove`: changing or removing the template's own rules and
 *   identities — those the child added are always its own to change or remove;
 * - `policies.add`: giving the profile access policies (the policy domain's guardSubject);
 * - `policies.remove`: deleting the policies the assignment placed on the profile (its policy
 *   template references; the policy domain's removableManaged).
 *
 * The profile itself (name, description, links, deletion) changes only through the assignment.
 */

const PROFILE_IAM_ID = /^iam-(Profile-.+)$/;

/** The applied version's definition of a profile a trusted-profile assignment manages; undefined when no assignment does. */
async function managedProfile(managedBy: ManagedLookup, store: Pick<TemplateStore, 'getVersion'>, profileId: string) {
  const managed = await managedBy(profileId);
  if (managed?.kind !== 'profile') return undefined;
  const version = await store.getVersion<ProfileTemplateBody>(managed.templateId, managed.templateVersion);
  return { managed, controls: version?.body.action_controls, body: version?.body };
}

const refused = (profileId: string, managed: ManagedBy, change: string) => templateErrors.controlled(`The trusted profile ${profileId}`, managed.assignmentId, change);

/** The guard the identity domain calls before changing a trusted profile (IdentityDeps.guardManagedProfile). */
export function managedProfileGuard(managedBy: ManagedLookup, store: Pick<TemplateStore, 'getVersion'>) {
  /** Whether the item a change takes away is the template's own: a rule its assignment placed, an identity of the applied version. */
  async function templates(change: ProfileChange & { op: 'remove' }, managed: ManagedBy, body: ProfileTemplateBody | undefined): Promise<boolean> {
    if (change.of === 'identities') return (body?.profile.identities ?? []).some((i) => identityKey(i) === change.item);
    const rule = await managedBy(change.item);
    return rule !== undefined && rule.assignmentId === managed.assignmentId && rule.key.startsWith('rule:');
  }

  return async (profileId: string, _action: string, changes?: readonly ProfileChange[]): Promise<void> => {
    const found = await managedProfile(managedBy, store, profileId);
    if (!found) return;
    const { managed, controls, body } = found;
    if (changes === undefined) throw templateErrors.managed(`Trusted profile ${profileId} (assignment ${managed.assignmentId})`);
    for (const change of changes) {
      const noun = change.of === 'rules' ? 'claim rule' : 'identity';
      if (change.op === 'add') {
        if (controls?.[change.of]?.add !== true) throw refused(profileId, managed, `adding ${change.of === 'rules' ? 'claim rules' : 'identities'}`);
      } else if (controls?.[change.of]?.remove !== true && (await templates(change, managed, body))) {
        throw refused(profileId, managed, `changing or removing the template's ${noun} ${change.item}`);
      }
    }
  };
}

/**
 * The guard the policy domain calls before a policy for `subject` is added in an account
 * (PolicyServiceDeps.guardSubject): access is given to a managed trusted profile only when the
 * applied version's `action_controls.policies.add` is true.
 */
export function managedProfileAccessGuard(managedBy: ManagedLookup, store: Pick<TemplateStore, 'getVersion'>) {
  return async (subject: PolicySubject): Promise<void> => {
    const profileId = subject.kind === 'iam_id' ? PROFILE_IAM_ID.exec(subject.iamId)?.[1] : undefined;
    if (profileId === undefined) return;
    const found = await managedProfile(managedBy, store, profileId);
    if (!found || found.controls?.policies.add === true) return;
    throw refused(profileId, found.managed, 'adding access policies');
  };
}

/**
 * Whether the child account may delete an enterprise-managed policy (PolicyServiceDeps.removableManaged):
 * one a trusted-profile assignment placed on its profile, when the applied version's
 * `action_controls.policies.remove` is true. Every other managed policy changes only through its assignment.
 */
export function managedPolicyRemovable(managedBy: ManagedLookup, store: Pick<TemplateStore, 'getVersion'>) {
  return async (policyId: string): Promise<boolean> => {
    const managed = await managedBy(policyId);
    if (managed?.kind !== 'profile') return false;
    const version = await store.getVersion<ProfileTemplateBody>(managed.templateId, managed.templateVersion);
    return version?.body.action_controls?.policies.remove === true;
  };
}
