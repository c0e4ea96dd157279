import { accountOfScope, parseCrn } from '../../kernel/crn.js';
import { invalid, notFound } from '../../kernel/errors.js';
import { nextTag } from '../../kernel/etag.js';
import { ids } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/principal.js';
import { audited } from '../context.js';
import { identityErrors } from '../errors.js';
import { IDENTITY_LIMITS } from '../limits.js';
import {
  authorizeHandOverOf,
  authorizeOnProfile,
  lockedProfile,
  profileSubject,
  trustChanged,
  visibleProfile,
  type ProfileContext,
} from './context.js';
import type { LinkMatch } from './store.js';
import { COMPUTE_RESOURCE_TYPES, type ComputeResourceType, type LinkTarget, type ProfileLink, type TrustedProfile } from '../types.js';

/**
 * Links of a trusted profile to compute resources: the resource (a Kubernetes service account of
 * a cluster: `IKS_SA`/`ROKS_SA` with namespace and name; a Code Engine component: `CE` with
 * component type and name; a virtual or bare-metal server: `VSI`/`PVS`/`BMS`) may assume the
 * profile. The CRN's account must be the profile's unless the link is `is_cross_account`.
 * Creating a link is a grant of the profile's access (authorizeHandOver); links are managed with
 * `iam-identity.profile.linkToResource`. At most IDENTITY_LIMITS.crLinksPerProfile per profile.
 */

export interface CreateLinkInput {
  crType: string;
  link: LinkTarget;
  name?: string;
  isCrossAccount?: boolean;
}

const LINK_ACTION = 'iam-identity.profile.linkToResource';
const KUBERNETES: readonly string[] = ['IKS_SA', 'ROKS_SA'];

function crTypeOf(value: string, field: string): ComputeResourceType {
  if (!(COMPUTE_RESOURCE_TYPES as readonly string[]).includes(value)) throw invalid(`${field} "${value}" is not one of ${COMPUTE_RESOURCE_TYPES.join(', ')}.`);
  return value as ComputeResourceType;
}

/** The link's target as stored: empty parts dropped; 400 when the type's required parts are missing or the CRN is another account's. */
function targetOf(profile: TrustedProfile, crType: ComputeResourceType, link: LinkTarget, crossAccount: boolean): LinkTarget {
  const crn = parseCrn(link.crn);
  if (!crn) throw invalid(`link.crn "${link.crn}" is not a CRN.`);
  const account = accountOfScope(crn.scope);
  if (!crossAccount && account !== profile.accountId) {
    throw invalid(`link.crn must be a resource of account ${profile.accountId} unless is_cross_account is true.`);
  }
  const target: LinkTarget = { crn: link.crn };
  for (const key of ['namespace', 'name', 'componentType', 'componentName'] as const) {
    const value = link[key];
    if (value !== undefined && value !== '') target[key] = value;
  }
  if (KUBERNETES.includes(crType) && (!target.namespace || !target.name)) {
    throw invalid(`link.namespace and link.name (the service account) are required for cr_type ${crType}.`);
  }
  if (crType === 'CE' && (!target.componentType || !target.componentName)) {
    throw invalid('link.component_type and link.component_name are required for cr_type CE.');
  }
  return target;
}

export function createLinkOperations(p: ProfileContext) {
  const { ctx, store } = p;

  async function authorizedProfile(actor: Actor, profileId: string, action: string): Promise<TrustedProfile> {
    const profile = await visibleProfile(p, actor, profileId);
    await authorizeOnProfile(p, actor, action, profile);
    return profile;
  }

  return {
    async create(actor: Actor, profileId: string, input: CreateLinkInput): Promise<ProfileLink> {
      const id = `ProfileLink-${ids.uuid()}`;
      const subject = profileSubject('linkToResource', profileId);
      return audited(ctx, actor, subject, async (commit) => {
        const profile = await authorizedProfile(actor, profileId, LINK_ACTION);
        subject.accountId = profile.accountId;
        const crType = crTypeOf(input.crType, 'cr_type');
        const isCrossAccount = input.isCrossAccount ?? false;
        const target = targetOf(profile, crType, input.link, isCrossAccount);
        await authorizeHandOverOf(p, actor, profile);
        const at = ctx.clock.now().toISOString();
        const link: ProfileLink = {
          id,
          profileId,
          name: input.name === undefined || input.name === '' ? null : input.name,
          crType,
          isCrossAccount,
          target,
          createdAt: at,
          modifiedAt: at,
          entityTag: nextTag(),
        };
        return commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            if ((await store.countLinks(w.trx, profileId)) >= IDENTITY_LIMITS.crLinksPerProfile) {
              throw identityErrors.profileLimitReached('links', IDENTITY_LIMITS.crLinksPerProfile);
            }
            await store.insertLink(w.trx, link);
            await trustChanged(p, w, actor, current, 'create_link', [id, crType, target.crn], `Link ${id} added to trusted profile ${profileId}.`);
            return link;
          },
          { link_id: id, cr_type: crType, crn: target.crn },
        );
      });
    },

    async get(actor: Actor, profileId: string, linkId: string): Promise<ProfileLink> {
      await authorizedProfile(actor, profileId, 'iam-identity.profile.get');
      const link = await store.getLink(profileId, linkId);
      if (!link) throw identityErrors.linkNotFound(linkId);
      return link;
    },

    async list(actor: Actor, profileId: string): Promise<ProfileLink[]> {
      await authorizedProfile(actor, profileId, 'iam-identity.profile.get');
      return store.linksOf(profileId);
    },

    async delete(actor: Actor, profileId: string, linkId: string): Promise<void> {
      const subject = profileSubject('linkToResource', profileId);
      await audited(ctx, actor, subject, async (commit) => {
        const profile = await authorizedProfile(actor, profileId, LINK_ACTION);
        subject.accountId = profile.accountId;
        await commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            if (!(await store.deleteLink(w.trx, profileId, linkId))) throw identityErrors.linkNotFound(linkId);
            await trustChanged(p, w, actor, current, 'delete_link', [linkId], `Link ${linkId} removed from trusted profile ${profileId}.`);
          },
          { link_id: linkId },
        );
      });
    },

    /** Deletes the profile's links of that type matching every target part given; 404 when none does. */
    async deleteMatching(actor: Actor, profileId: string, match: LinkMatch): Promise<void> {
      const subject = profileSubject('linkToResource', profileId);
      await audited(ctx, actor, subject, async (commit) => {
        const profile = await authorizedProfile(actor, profileId, LINK_ACTION);
        subject.accountId = profile.accountId;
        crTypeOf(match.crType, 'type');
        await commit(
          async (w) => {
            const current = await lockedProfile(p, w, profileId);
            const deleted = await store.deleteLinksMatching(w.trx, profileId, match);
            if (deleted.length === 0) throw notFound('Link', `of type ${match.crType} matching the given parameters`);
            await trustChanged(p, w, actor, current, 'delete_link', deleted, `Links ${deleted.join(', ')} removed from trusted profile ${profileId}.`);
            return deleted;
          },
          (deleted) => ({ link_ids: deleted }),
        );
      });
    },
  };
}

export type LinkOperations = ReturnType<typeof createLinkOperations>;
