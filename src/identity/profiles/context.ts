import { iamIdOfProfile } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/principal.js';
import type { Write } from '../../store/unit-of-work.js';
import { historyEntry, targetOf, type AuditSubject, type IdentityContext, type ProfileChange } from '../context.js';
import { identityErrors } from '../errors.js';
import type { ProfileStore } from './store.js';
import type { TrustedProfile } from '../types.js';

/**
 * What the trusted-profile operations (profiles, claim rules, links, identities) share: the
 * profile store, visibility (another account's profile answers like a missing one), authorization
 * on a profile, the hand-over check, and the bookkeeping of a change to a profile's trust.
 */

/**
 * Throws DomainError('forbidden') unless `actor` could grant every access `iamId` holds in the
 * account (its own policies and those of its access groups; authz.md §3.1). Whoever may assume a
 * profile receives its access, so changing who may assume one is such a grant.
 */
export type AuthorizeHandOver = (actor: Actor, accountId: string, iamId: string) => Promise<void>;

export interface ProfileContext {
  ctx: IdentityContext;
  store: ProfileStore;
  authorizeHandOver: AuthorizeHandOver;
}

export const profileSubject = (action: string, targetId: string, accountId: string | null = null): AuditSubject => ({
  action: `iam-identity.profile.${action}`,
  targetType: 'profile',
  targetId,
  accountId,
});

/** The profile, if the actor's account holds it; 404 otherwise (also for another account's profile). */
export async function visibleProfile(p: ProfileContext, actor: Actor, id: string): Promise<TrustedProfile> {
  const profile = await p.store.getProfile(id);
  if (!profile || profile.accountId !== actor.principal.accountId) throw identityErrors.profileNotFound(id);
  return profile;
}

/**
 * Asks the authorizer whether the actor may perform `action` (`iam-identity.profile.*`) on the
 * profile; then, for a change, whether the profile's enterprise assignment leaves it to this
 * account (guardManagedProfile; 403 if not). `changes`: the rules and identities the change adds
 * or takes away; absent, it is a change of the profile itself.
 */
export async function authorizeOnProfile(p: ProfileContext, actor: Actor, action: string, profile: TrustedProfile, changes?: readonly ProfileChange[]): Promise<void> {
  await authorizeByPolicy(p, actor, action, profile);
  if (!READS.test(action)) await guardManaged(p, profile, action, changes);
}

/** The authorizer's decision alone, for a change whose items are known only after it (identities replaced: guardManaged follows). */
export const authorizeByPolicy = (p: ProfileContext, actor: Actor, action: string, profile: TrustedProfile) =>
  p.ctx.authorizer.authorize(actor.principal, action, targetOf(profile.accountId, { type: 'profile', id: profile.id }), actor.environment);

/** A profile an enterprise assignment manages is read like any other, but changed only as the assignment allows. */
export const guardManaged = (p: ProfileContext, profile: TrustedProfile, action: string, changes?: readonly ProfileChange[]) =>
  p.ctx.guardManagedProfile?.(profile.id, action, changes);

const READS = /\.(get|read|list)$/;

/**
 * The profile as it is inside the write, locked against concurrent changes and deletes for the
 * rest of it (store.lockProfile); 404 when it was deleted meanwhile.
 */
export async function lockedProfile(p: ProfileContext, w: Write, id: string): Promise<TrustedProfile> {
  if (!(await p.store.lockProfile(w.trx, id))) throw identityErrors.profileNotFound(id);
  return (await p.store.getProfile(id, w.trx))!;
}

/** Records a change of the profile's trust (rules, links, identities) in its history and on the change feed. */
export async function trustChanged(p: ProfileContext, w: Write, actor: Actor, profile: TrustedProfile, action: string, params: string[], message: string) {
  await p.ctx.store.appendHistory(w.trx, profile.id, historyEntry(p.ctx, actor, action, params, message));
  w.changed({ entity: 'profile', entityId: profile.id, accountId: profile.accountId, op: 'update' });
}

/** Whoever may newly assume the profile receives its access: the actor must be able to grant all of it. */
export const authorizeHandOverOf = (p: ProfileContext, actor: Actor, profile: TrustedProfile) =>
  p.authorizeHandOver(actor, profile.accountId, iamIdOfProfile(profile.id));
