import type { PolicySubject } from '../pdp/types.js';
import type { Write } from '../store/unit-of-work.js';
import { resourceFailure } from './errors.js';
import type { CheckedRef, PolicyTemplateApplier } from './groups/types.js';
import type { AppliedResource, TargetContext } from './types.js';

/**
 * The `policy_template_references` of a kind whose managed resource is a policy subject (an access
 * group, a trusted profile): each reference is one managed resource, keyed `policy_template:<id>`,
 * whose policy the applier (kinds/policy-references.ts) places with that subject in the child
 * account. Written once for every referring kind: which policies a version keeps, drops or adds,
 * their authorization before the write, their placement and retirement inside it, and their drift.
 */

const PREFIX = 'policy_template:';
export const referenceKey = (templateId: string) => `${PREFIX}${templateId}`;
export const isReferenceKey = (key: string) => key.startsWith(PREFIX);

type Ctx = TargetContext<unknown>;

export function referencedPolicies(applier: PolicyTemplateApplier, refsOf: (ctx: Ctx) => CheckedRef[]) {
  /** The policies an earlier apply placed (all of them, or only those whose reference the version dropped). */
  const held = (ctx: Ctx, droppedOnly: boolean) => {
    const kept = new Set(refsOf(ctx).map((ref) => referenceKey(ref.id)));
    return ctx.previous.filter((r) => isReferenceKey(r.key) && r.resourceId !== undefined && !(droppedOnly && kept.has(r.key)));
  };
  const previousId = (ctx: Ctx, refId: string) => {
    const id = ctx.previous.find((r) => r.key === referenceKey(refId))?.resourceId;
    return id !== undefined ? { previousId: id } : {};
  };

  return {
    /** Authorizes, for the assigner in the child, retiring what goes and placing (or updating) each reference's policy; outside any write. */
    async authorize(ctx: Ctx, removing: boolean): Promise<void> {
      const { accountId, authorizeInTarget } = ctx;
      for (const r of held(ctx, !removing)) await resourceFailure(r.key, () => applier.authorizeRetire({ accountId, previousId: r.resourceId!, authorizeInTarget }));
      if (removing) return;
      for (const ref of refsOf(ctx)) {
        await resourceFailure(referenceKey(ref.id), () =>
          applier.authorize({ ownerAccountId: ctx.assignment.accountId, accountId, ref, ...previousId(ctx, ref.id), authorizeInTarget }),
        );
      }
    },

    /** Retires the policies of dropped references and places each reference's policy on `subject`, inside `w`. */
    async place(w: Write, ctx: Ctx, subject: PolicySubject): Promise<AppliedResource[]> {
      const by = ctx.principal.iamId;
      for (const r of held(ctx, true)) await resourceFailure(r.key, () => applier.retire(w, r.resourceId!, by));
      const applied: AppliedResource[] = [];
      for (const ref of refsOf(ctx)) {
        const policyId = await resourceFailure(referenceKey(ref.id), () =>
          applier.place(w, { ownerAccountId: ctx.assignment.accountId, accountId: ctx.accountId, subject, ref, ...previousId(ctx, ref.id), metadata: ctx.metadata, byIamId: by }),
        );
        applied.push({ key: referenceKey(ref.id), resourceId: policyId });
      }
      return applied;
    },

    /** Retires every policy an earlier apply placed, inside `w` (a removal). */
    async retireAll(w: Write, ctx: Ctx): Promise<void> {
      for (const r of held(ctx, false)) await resourceFailure(r.key, () => applier.retire(w, r.resourceId!, ctx.principal.iamId));
    },

    /** The keys of placed policies that are no longer what their reference makes for `subject`. */
    async drifted(ctx: Ctx, subject: PolicySubject): Promise<string[]> {
      const out: string[] = [];
      for (const ref of refsOf(ctx)) {
        const placed = ctx.previous.find((r) => r.key === referenceKey(ref.id));
        if (!placed) continue;
        if (await applier.drifted({ ownerAccountId: ctx.assignment.accountId, accountId: ctx.accountId, subject, ref, policyId: placed.resourceId })) out.push(placed.key);
      }
      return out;
    },
  };
}
