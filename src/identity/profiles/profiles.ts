import { invalid } from '../../kernel/errors.js';
import { iamIdOfProfile, ids } from '../../kernel/ids.js';
import { nextTag } from '../../kernel/etag.js';
import type { Actor } from '../../kernel/principal.js';
import type { ReadOptions } from '../apikeys.js';
import { audited, historyEntry, identityCrn, listingScope, mutateEntity, targetOf, updateEntity, type EntityKind } from '../context.js';
import { identityErrors } from '../errors.js';
import { listingOf, paramReader, toPage, windowOf, type ListRequest } from '../paging.js';
import { authorizeOnProfile, profileSubject, visibleProfile, type ProfileContext } from './context.js';
import type { ProfileChanges } from './store.js';
import type { Detailed, Page, TrustedProfile } from '../types.js';
import { descriptionOf, requireName } from '../validate.js';

/**
 * Trusted profiles: identities of an account that others assume (users and service IDs its
 * identity list names, federated users and compute resources its claim rules and links match).
 * Names are unique per account (409). Deleting a profile deletes its rules, links and identity
 * list, and takes its policies and access-group memberships with it ("identity removed").
 */

export interface CreateProfileInput {
  accountId: string;
  name: string;
  description?: string;
  email?: string;
}

export interface UpdateProfileInput {
  name?: string;
  description?: string;
  email?: string;
}

const SORTABLE = ['name', 'description', 'created_at', 'modified_at'] as const;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** An empty e-mail clears it (null); any other must look like an address. */
function emailOf(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!EMAIL.test(value)) throw invalid(`email "${value}" is not an e-mail address.`);
  return value;
}

export function createProfileOperations(p: ProfileContext) {
  const { ctx, store } = p;

  async function detailed(profile: TrustedProfile, options: ReadOptions): Promise<Detailed<TrustedProfile>> {
    const result: Detailed<TrustedProfile> = { entity: profile };
    if (options.includeHistory) result.history = await ctx.store.historyOf(profile.id);
    // Profiles authenticate through the token grants, not API keys: their activity is that of their IAM id's keys (none).
    if (options.includeActivity) result.activity = await ctx.store.activityOf(profile.iamId);
    return result;
  }

  const kind: EntityKind<TrustedProfile, ProfileChanges> = {
    label: 'Trusted profile',
    feedEntity: 'profile',
    read: (id, trx) => store.getProfile(id, trx),
    update: store.updateProfile,
    notFound: identityErrors.profileNotFound,
    visible: (actor, id) => visibleProfile(p, actor, id),
    authorize: (actor, action, profile) => authorizeOnProfile(p, actor, action, profile),
  };

  return {
    async create(actor: Actor, input: CreateProfileInput): Promise<TrustedProfile> {
      const id = ids.profile();
      const subject = profileSubject('create', id, input.accountId);
      return audited(ctx, actor, subject, async (commit) => {
        // IBM answers an account id that names no account with 400; any other account is the authorizer's (403).
        if (!(await ctx.accounts.getAccount(input.accountId))) throw invalid(`account_id ${input.accountId} is not an account.`);
        await ctx.authorizer.authorize(actor.principal, 'iam-identity.profile.create', targetOf(input.accountId, { type: 'profile', id }), actor.environment);
        const at = ctx.clock.now().toISOString();
        const profile: TrustedProfile = {
          id,
          iamId: iamIdOfProfile(id),
          crn: identityCrn(input.accountId, 'profile', id),
          accountId: input.accountId,
          name: requireName('name', input.name),
          description: descriptionOf(input.description),
          email: emailOf(input.email),
          createdBy: actor.principal.iamId,
          createdAt: at,
          modifiedAt: at,
          entityTag: nextTag(),
          identitiesTag: nextTag(),
        };
        return commit(
          async (w) => {
            await store.insertProfile(w.trx, profile);
            await ctx.store.appendHistory(w.trx, id, historyEntry(ctx, actor, 'create', [profile.name], `Trusted profile ${id} created.`));
            w.changed({ entity: 'profile', entityId: id, accountId: input.accountId, op: 'create' });
            return profile;
          },
          { name: profile.name },
        );
      });
    },

    async get(actor: Actor, id: string, options: ReadOptions): Promise<Detailed<TrustedProfile>> {
      const profile = await visibleProfile(p, actor, id);
      await authorizeOnProfile(p, actor, 'iam-identity.profile.get', profile);
      return detailed(profile, options);
    },

    /**
     * Lists the profiles of an account (`account_id` required unless a pagetoken carries it): all
     * of them when the caller may read every profile there, else those they created.
     */
    async list(actor: Actor, request: ListRequest): Promise<Page<Detailed<TrustedProfile>>> {
      const { params, cursor } = listingOf(request);
      const read = paramReader(params);
      const accountId = read.text('accountId');
      if (accountId === undefined) throw invalid('account_id is required unless a pagetoken is given.');
      const window = windowOf(read, SORTABLE, cursor);
      const scope = await listingScope(ctx, actor, 'iam-identity.profile.get', accountId);
      const name = read.text('name');
      const slice = await store.listProfiles(
        {
          accountId,
          ...(name !== undefined ? { name } : {}),
          ...(scope === 'own' ? { createdBy: actor.principal.iamId } : {}),
        },
        window,
      );
      const items = await Promise.all(slice.items.map((profile) => detailed(profile, { includeHistory: read.flag('includeHistory') })));
      return toPage({ ...slice, items }, params, window);
    },

    update(actor: Actor, id: string, ifMatch: string, input: UpdateProfileInput): Promise<TrustedProfile> {
      return updateEntity(ctx, actor, kind, id, ifMatch, input, () => {
        const columns: ProfileChanges = {};
        if (input.name !== undefined) columns.name = requireName('name', input.name);
        if (input.description !== undefined) columns.description = descriptionOf(input.description);
        if (input.email !== undefined) columns.email = emailOf(input.email);
        return columns;
      });
    },

    /** Deletes the profile, its rules, links, identity list and history, its policies and memberships, in one transaction. */
    delete(actor: Actor, id: string): Promise<void> {
      return mutateEntity(ctx, actor, kind, id, 'delete', (_profile, commit) =>
        commit(async (w) => {
          const current = await store.getProfile(id, w.trx);
          if (!current) throw identityErrors.profileNotFound(id);
          for (const remove of ctx.onIdentityRemoved ?? []) await remove(w, current.accountId, current.iamId, actor.principal.iamId);
          await store.deleteProfile(w.trx, id);
          await ctx.store.deleteHistory(w.trx, [id]);
          w.changed({ entity: 'profile', entityId: id, accountId: current.accountId, op: 'delete' });
        }),
      );
    },
  };
}

export type ProfileOperations = ReturnType<typeof createProfileOperations>;
