import { randomUUID } from 'node:crypto';
import type { AccessTarget } from '../kernel/authorizer.js';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited, resourceKind } from '../store/audited.js';
import { RESOURCE_TYPE, SERVICE_NAME, type FederationContext } from './context.js';
import { federationErrors } from './errors.js';
import { columnsOf, type StoredIdp } from './store.js';
import type { CheckedIdp, IdentityProvider, IdpInput } from './types.js';
import { checkIdpInput } from './validate.js';

/**
 * Identity providers of an account. Every call is decided by the PDP on IBM's actions
 * `iam-identity.idp.<create|get|list|update|delete>` (catalog seed: only Administrators create,
 * update and delete, stricter than IBM's table, since an IdP vouches for who the account's members
 * are and whoever may change one can sign in as any member; Editors and Operators read). An IdP of
 * another account answers like a missing one (404). The IdP's own id
 * (entity id, issuer) is unique per account (409). The OIDC client secret is sealed at rest and
 * never shown; responses say only whether one is set.
 */

const { action: ACTION, targetOf, subjectOf } = resourceKind(SERVICE_NAME, RESOURCE_TYPE);

export function createIdpOperations(ctx: FederationContext) {
  const { store, authorizer, clock, keyEncryption } = ctx;
  const audited = createAudited(ctx);
  const authorize = (actor: Actor, verb: string, target: AccessTarget) => authorizer.authorize(actor.principal, ACTION(verb), target, actor.environment);

  /** The IdP, if the actor's account holds it; 404 otherwise (also before any authorization). */
  async function visible(actor: Actor, id: string): Promise<StoredIdp> {
    const stored = await store.getIdp(id);
    if (!stored || stored.idp.accountId !== actor.principal.accountId) throw federationErrors.notFound(id);
    return stored;
  }

  const fieldsOf = (checked: CheckedIdp) => {
    const { clientSecret: _secret, ...fields } = checked;
    return fields;
  };

  return {
    async create(actor: Actor, accountId: string, input: IdpInput): Promise<IdentityProvider> {
      const id = `IdP-${randomUUID()}`;
      return audited(actor, subjectOf('create', id, accountId), async (commit) => {
        await authorize(actor, 'create', targetOf(accountId));
        const checked = await checkIdpInput(input, ctx.settings.httpAllowed);
        const at = clock.now().toISOString();
        const sealed = checked.clientSecret ? keyEncryption.seal(checked.clientSecret, id) : null;
        const idp: IdentityProvider = {
          id,
          accountId,
          ...fieldsOf(checked),
          hasClientSecret: sealed !== null,
          createdBy: actor.principal.iamId,
          createdAt: at,
          modifiedAt: at,
          entityTag: nextTag(),
        };
        return commit(
          async (w) => {
            await store.insertIdp(w.trx, idp, sealed);
            w.changed({ entity: RESOURCE_TYPE, entityId: id, accountId, op: 'create' });
            return idp;
          },
          { protocol: idp.protocol, issuer: idp.issuer },
        );
      });
    },

    async get(actor: Actor, id: string): Promise<IdentityProvider> {
      const { idp } = await visible(actor, id);
      await authorize(actor, 'get', targetOf(idp.accountId, id));
      return idp;
    },

    async list(actor: Actor, accountId: string): Promise<IdentityProvider[]> {
      await authorize(actor, 'list', targetOf(accountId));
      return store.listIdps(accountId);
    },

    /** Replaces the IdP's fields (If-Match: the entity tag, or `*`); a client secret not sent is kept. */
    async update(actor: Actor, id: string, ifMatch: string, input: IdpInput): Promise<IdentityProvider> {
      const subject = subjectOf('update', id, null);
      return audited(actor, subject, async (commit) => {
        const current = await visible(actor, id);
        subject.accountId = current.idp.accountId;
        await authorize(actor, 'update', targetOf(current.idp.accountId, id));
        const checked = await checkIdpInput(input, ctx.settings.httpAllowed);
        return commit(async (w) => {
          const now = await store.getIdp(id, w.trx);
          if (!now) throw federationErrors.notFound(id);
          const expected = expectedTag(ifMatch, now.idp.entityTag);
          const sealed =
            checked.protocol !== 'oidc'
              ? null
              : checked.clientSecret === undefined
                ? now.idp.protocol === 'oidc' ? now.sealedSecret : null
                : checked.clientSecret === null ? null : keyEncryption.seal(checked.clientSecret, id);
          const updated: IdentityProvider = {
            ...now.idp,
            ...fieldsOf(checked),
            hasClientSecret: sealed !== null,
            modifiedAt: clock.now().toISOString(),
            entityTag: nextTag(now.idp.entityTag),
          };
          if (!(await store.updateIdp(w.trx, id, expected, columnsOf(updated, sealed)))) throw staleTag();
          w.changed({ entity: RESOURCE_TYPE, entityId: id, accountId: now.idp.accountId, op: 'update' });
          return updated;
        });
      });
    },

    async delete(actor: Actor, id: string): Promise<void> {
      const subject = subjectOf('delete', id, null);
      await audited(actor, subject, async (commit) => {
        const current = await visible(actor, id);
        subject.accountId = current.idp.accountId;
        await authorize(actor, 'delete', targetOf(current.idp.accountId, id));
        await commit(async (w) => {
          if (!(await store.deleteIdp(w.trx, id))) throw federationErrors.notFound(id);
          w.changed({ entity: RESOURCE_TYPE, entityId: id, accountId: current.idp.accountId, op: 'delete' });
        });
      });
    },
  };
}

export type IdpOperations = ReturnType<typeof createIdpOperations>;
