import { parseCrn } from '../../kernel/crn.js';
import { invalid } from '../../kernel/errors.js';
import { expectedTag, nextTag, staleTag } from '../../kernel/etag.js';
import { iamIdOfServiceId, subjectKindOf } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/principal.js';
import { audited, type ProfileChange } from '../context.js';
import { identityErrors } from '../errors.js';
import {
  authorizeByPolicy,
  authorizeHandOverOf,
  guardManaged,
  lockedProfile,
  profileSubject,
  trustChanged,
  visibleProfile,
  type ProfileContext,
} from './context.js';
import type { ProfileIdentity, ProfileIdentityType, TrustedProfile } from '../types.js';

/**
 * The identities that may assume a trusted profile: users (by IAM id, optionally from other
 * accounts named in `accounts`), service IDs (by IAM id; `ServiceId-…` is accepted and stored as
 * `iam-ServiceId-…`) and CRN identities (a service instance by CRN; it assumes as `crn-<crn>`).
 * The list has its own entity tag: replacing it all needs If-Match. Adding an identity (or
 * widening the accounts a user may assume it from) hands over the profile's access, so the actor
 * must be able to grant all of it (authorizeHandOver); removing one needs only
 * `iam-identity.profile.update`. Identities are named by format only: naming an identity never
 * reveals whether it exists in another account.
 */

export interface ProfileIdentityInput {
  identifier: string;
  type: string;
  accounts?: string[];
  description?: string;
}

export interface IdentityList {
  entityTag: string;
  identities: ProfileIdentity[];
}

const TYPES: readonly ProfileIdentityType[] = ['user', 'serviceid', 'crn'];
/** Most entries one profile's identity list may hold. */
const MAX_IDENTITIES = 100;

function typeOf(value: string, field: string): ProfileIdentityType {
  if (!(TYPES as readonly string[]).includes(value)) throw invalid(`${field} "${value}" is not one of ${TYPES.join(', ')}.`);
  return value as ProfileIdentityType;
}

/** The identifier as stored for its type (service IDs by IAM id); 400 when it is not one of that type. */
export function normalIdentifier(type: ProfileIdentityType, identifier: string): string {
  switch (type) {
    case 'user':
      if (subjectKindOf(identifier) !== 'user') throw invalid(`identifier "${identifier}" is not the IAM id of a user.`);
      return identifier;
    case 'serviceid': {
      const iamId = identifier.startsWith('ServiceId-') ? iamIdOfServiceId(identifier) : identifier;
      if (!/^iam-ServiceId-[0-9a-fA-F-]{36}$/.test(iamId)) throw invalid(`identifier "${identifier}" is not the id or IAM id of a service ID.`);
      return iamId;
    }
    case 'crn':
      if (!parseCrn(identifier)) throw invalid(`identifier "${identifier}" is not a CRN.`);
      return identifier;
  }
}

const keyOf = (i: Pick<ProfileIdentity, 'type' | 'identifier'>) => `${i.type} ${i.identifier}`;

/** Whether `next` lets anyone assume the profile who `current` did not (a new entry, or a user from more accounts). */
function widens(current: readonly ProfileIdentity[], next: readonly ProfileIdentity[]): boolean {
  const before = new Map(current.map((i) => [keyOf(i), i]));
  return next.some((i) => {
    const old = before.get(keyOf(i));
    return !old || i.accounts.some((a) => !old.accounts.includes(a)) || (old.accounts.length > 0 && i.accounts.length === 0);
  });
}

const sameEntry = (a: ProfileIdentity, b: ProfileIdentity) =>
  a.description === b.description && JSON.stringify([...a.accounts].sort()) === JSON.stringify([...b.accounts].sort());

/**
 * What replacing `current` by `next` adds and takes away, as an enterprise template's action
 * controls judge it (guardManaged): each new entry is an addition; an entry gone, or changed
 * (accounts, description), is taken away as it was.
 */
function identityChanges(current: readonly ProfileIdentity[], next: readonly ProfileIdentity[]): ProfileChange[] {
  const before = new Set(current.map(keyOf));
  const after = new Map(next.map((i) => [keyOf(i), i]));
  const added = next.filter((i) => !before.has(keyOf(i))).map((): ProfileChange => ({ of: 'identities', op: 'add' }));
  const taken = current
    .filter((i) => !after.has(keyOf(i)) || !sameEntry(i, after.get(keyOf(i))!))
    .map((i): ProfileChange => ({ of: 'identities', op: 'remove', item: keyOf(i) }));
  return [...added, ...taken];
}

export function createIdentityOperations(p: ProfileContext) {
  const { ctx, store } = p;

  /** The entry as stored, from the request; 400 naming what breaks the rules. */
  async function identityOf(profile: TrustedProfile, input: ProfileIdentityInput, field: string): Promise<ProfileIdentity> {
    const type = typeOf(input.type, `${field}.type`);
    const identifier = normalIdentifier(type, input.identifier);
    const accounts = input.accounts ?? [];
    if (type !== 'user' && accounts.length > 0) throw invalid(`${field}.accounts applies only to identities of type user.`);
    if (accounts.some((a) => a.trim() === '')) throw invalid(`${field}.accounts must not contain empty account ids.`);
    let description = input.description === undefined || input.description === '' ? null : input.description;
    if (description === null && type === 'serviceid') {
      // IBM: a service ID without a description of its own is described as the service ID is (only this account's are read).
      const serviceId = await ctx.store.getServiceIdByIamId(identifier);
      if (serviceId?.accountId === profile.accountId) description = serviceId.description;
    }
    return { type, identifier, iamId: type === 'crn' ? `crn-${identifier}` : identifier, accounts: [...new Set(accounts)], description };
  }

  /** The visible profile, the actor allowed `action` on it by policy; a change is then judged entry by entry (guardManaged, identityChanges). */
  async function authorizedProfile(actor: Actor, profileId: string, action: string): Promise<TrustedProfile> {
    const profile = await visibleProfile(p, actor, profileId);
    await authorizeByPolicy(p, actor, action, profile);
    return profile;
  }
  const guardChanges = (profile: TrustedProfile, changes: ProfileChange[]) => guardManaged(p, profile, 'iam-identity.profile.update', changes);

  return {
    async list(actor: Actor, profileId: string): Promise<IdentityList> {
      const profile = await authorizedProfile(actor, profileId, 'iam-identity.profile.get');
      return { entityTag: profile.identitiesTag, identities: await store.identitiesOf(profileId) };
    },

    /** Replaces the whole list when If-Match holds the list's tag (`*`: any). */
    async replace(actor: Actor, profileId: string, ifMatch: string, inputs: ProfileIdentityInput[]): Promise<IdentityList> {
      const subject = profileSubject('update', profileId);
      return audited(ctx, actor, subject, async (commit) => {
        const profile = await authorizedProfile(actor, profileId, 'iam-identity.profile.update');
        subject.accountId = profile.accountId;
        if (inputs.length > MAX_IDENTITIES) throw invalid(`identities: at most ${MAX_IDENTITIES} identities may assume a trusted profile.`);
        const next = await Promise.all(inputs.map((input, i) => identityOf(profile, input, `identities[${i}]`)));
        const keys = next.map(keyOf);
        const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
        if (duplicate) throw invalid(`identities names ${duplicate} more than once.`);
        // Judged against the list as read now; these checks read the database, so they run before the write.
        const listed = await store.identitiesOf(profileId);
        await guardChanges(profile, identityChanges(listed, next));
        if (widens(listed, next)) await authorizeHandOverOf(p, actor, profile);
        return commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            const expected = expectedTag(ifMatch, current.identitiesTag);
            const tag = nextTag(current.identitiesTag);
            if (!(await store.replaceIdentities(w.trx, profileId, expected, tag, next))) throw staleTag();
            await trustChanged(p, w, actor, current, 'set_identities', keys, `Identities of trusted profile ${profileId} replaced.`);
            return { entityTag: tag, identities: await store.identitiesOf(profileId, w.trx) };
          },
          { identities: keys },
        );
      });
    },

    async get(actor: Actor, profileId: string, type: string, identifier: string): Promise<ProfileIdentity> {
      await authorizedProfile(actor, profileId, 'iam-identity.profile.get');
      const identityType = typeOf(type, 'identity-type');
      const found = await store.getIdentity(profileId, identityType, normalIdentifier(identityType, identifier));
      if (!found) throw identityErrors.profileIdentityNotFound(type, identifier);
      return found;
    },

    /** Adds one identity, or replaces the entry of the same type and identifier. */
    async put(actor: Actor, profileId: string, pathType: string, input: ProfileIdentityInput): Promise<ProfileIdentity> {
      const subject = profileSubject('update', profileId);
      return audited(ctx, actor, subject, async (commit) => {
        const profile = await authorizedProfile(actor, profileId, 'iam-identity.profile.update');
        subject.accountId = profile.accountId;
        typeOf(pathType, 'identity-type');
        if (input.type !== pathType) throw invalid(`type "${input.type}" differs from the identity type of the path, "${pathType}".`);
        const identity = await identityOf(profile, input, 'identity');
        const existing = await store.getIdentity(profileId, identity.type, identity.identifier);
        await guardChanges(profile, identityChanges(existing ? [existing] : [], [identity]));
        await authorizeHandOverOf(p, actor, profile);
        return commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            const existing = await store.identitiesOf(profileId, w.trx);
            if (!existing.some((i) => keyOf(i) === keyOf(identity)) && existing.length >= MAX_IDENTITIES) {
              throw invalid(`At most ${MAX_IDENTITIES} identities may assume a trusted profile.`);
            }
            await store.putIdentity(w.trx, profileId, nextTag(current.identitiesTag), identity);
            await trustChanged(p, w, actor, current, 'set_identity', [keyOf(identity)], `${identity.identifier} may assume trusted profile ${profileId}.`);
            return identity;
          },
          { identity: keyOf(identity) },
        );
      });
    },

    async delete(actor: Actor, profileId: string, type: string, identifier: string): Promise<void> {
      const subject = profileSubject('update', profileId);
      await audited(ctx, actor, subject, async (commit) => {
        const profile = await authorizedProfile(actor, profileId, 'iam-identity.profile.update');
        subject.accountId = profile.accountId;
        const identityType = typeOf(type, 'identity-type');
        const stored = normalIdentifier(identityType, identifier);
        await guardChanges(profile, [{ of: 'identities', op: 'remove', item: keyOf({ type: identityType, identifier: stored }) }]);
        await commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            if (!(await store.deleteIdentity(w.trx, profileId, identityType, stored, nextTag(current.identitiesTag)))) {
              throw identityErrors.profileIdentityNotFound(type, identifier);
            }
            await trustChanged(p, w, actor, current, 'delete_identity', [`${identityType} ${stored}`], `${stored} may no longer assume trusted profile ${profileId}.`);
          },
          { identity: `${identityType} ${stored}` },
        );
      });
    },
  };
}

export type IdentityOperations = ReturnType<typeof createIdentityOperations>;
