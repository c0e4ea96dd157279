import { randomUUID } from 'node:crypto';
import type { AccessTarget } from '../kernel/authorizer.js';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited, resourceKind } from '../store/audited.js';
import { RESOURCE_TYPE, SERVICE_NAME, type WorkloadContext } from './context.js';
import { issuerErrors } from './errors.js';
import { columnsOf } from './store.js';
import type { IssuerInput, TrustedIssuer } from './types.js';
import { checkIssuerInput } from './validate.js';

/**
 * Trusted issuers of workload tokens, per account. Every call is decided by the PDP on
 * `iam-identity.trusted-issuer.<create|get|list|update|delete>` (catalog seed: Administrator and
 * Editor manage, Viewer reads). Trusting an issuer grants nothing by itself: a token it signs
 * reaches a profile only through that profile's links and Profile-CR rules. An issuer of another
 * account answers like a missing one (404). The issuer URL is unique per account (409).
 */

const { action: ACTION, targetOf, subjectOf } = resourceKind(SERVICE_NAME, RESOURCE_TYPE);

export function createIssuerOperations(ctx: WorkloadContext) {
  const { store, authorizer, clock } = ctx;
  const audited = createAudited(ctx);
  const authorize = (actor: Actor, verb: string, target: AccessTarget) => authorizer.authorize(actor.principal, ACTION(verb), target, actor.environment);

  /** The issuer, if the actor's account holds it; 404 otherwise (also before any authorization). */
  async function visible(actor: Actor, id: string): Promise<TrustedIssuer> {
    const issuer = await store.getIssuer(id);
    if (!issuer || issuer.accountId !== actor.principal.accountId) throw issuerErrors.notFound(id);
    return issuer;
  }

  return {
    async create(actor: Actor, accountId: string, input: IssuerInput): Promise<TrustedIssuer> {
      const id = `TrustedIssuer-${randomUUID()}`;
      return audited(actor, subjectOf('create', id, accountId), async (commit) => {
        await authorize(actor, 'create', targetOf(accountId));
        const checked = await checkIssuerInput(input, ctx.jwksHttpAllowed);
        const at = clock.now().toISOString();
        const issuer: TrustedIssuer = { id, accountId, ...checked, createdBy: actor.principal.iamId, createdAt: at, modifiedAt: at, entityTag: nextTag() };
        return commit(
          async (w) => {
            await store.insertIssuer(w.trx, issuer);
            w.changed({ entity: RESOURCE_TYPE, entityId: id, accountId, op: 'create' });
            return issuer;
          },
          { issuer: issuer.issuer, type: issuer.type },
        );
      });
    },

    async get(actor: Actor, id: string): Promise<TrustedIssuer> {
      const issuer = await visible(actor, id);
      await authorize(actor, 'get', targetOf(issuer.accountId, id));
      return issuer;
    },

    async list(actor: Actor, accountId: string): Promise<TrustedIssuer[]> {
      await authorize(actor, 'list', targetOf(accountId));
      return store.listIssuers(accountId);
    },

    /** Replaces the issuer's fields (If-Match: the entity tag, or `*`). */
    async update(actor: Actor, id: string, ifMatch: string, input: IssuerInput): Promise<TrustedIssuer> {
      const subject = subjectOf('update', id, null);
      return audited(actor, subject, async (commit) => {
        const current = await visible(actor, id);
        subject.accountId = current.accountId;
        await authorize(actor, 'update', targetOf(current.accountId, id));
        const checked = await checkIssuerInput(input, ctx.jwksHttpAllowed);
        return commit(async (w) => {
          const now = await store.getIssuer(id, w.trx);
          if (!now) throw issuerErrors.notFound(id);
          const expected = expectedTag(ifMatch, now.entityTag);
          const updated: TrustedIssuer = { ...now, ...checked, modifiedAt: clock.now().toISOString(), entityTag: nextTag(now.entityTag) };
          if (!(await store.updateIssuer(w.trx, id, expected, columnsOf(updated)))) throw staleTag();
          w.changed({ entity: RESOURCE_TYPE, entityId: id, accountId: now.accountId, op: 'update' });
          return updated;
        });
      });
    },

    async delete(actor: Actor, id: string): Promise<void> {
      const subject = subjectOf('delete', id, null);
      await audited(actor, subject, async (commit) => {
        const current = await visible(actor, id);
        subject.accountId = current.accountId;
        await authorize(actor, 'delete', targetOf(current.accountId, id));
        await commit(async (w) => {
          if (!(await store.deleteIssuer(w.trx, id))) throw issuerErrors.notFound(id);
          w.changed({ entity: RESOURCE_TYPE, entityId: id, accountId: current.accountId, op: 'delete' });
        });
      });
    },
  };
}

export type IssuerOperations = ReturnType<typeof createIssuerOperations>;
