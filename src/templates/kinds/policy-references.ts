import { DomainError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import type { Trx } from '../../store/unit-of-work.js';
import { templateErrors } from '../errors.js';
import type { CheckedRef, PolicyTemplateApplier } from '../groups/types.js';
import type { TemplateStore } from '../store.js';
import type { PolicyKind, TemplatePolicy } from './policy.js';

/**
 * The policy template kind's side of `policy_template_references` (access-group templates, and
 * any kind that gives a referenced access template its subject): it loads the referenced version,
 * then authorizes, places, retires and checks the policy through the policy kind, so a referenced
 * policy is made exactly as an assigned one is — authorized for the assigner in the child account
 * before the write, enterprise-managed (its `template` names the policy template and, as root, the
 * referring template) and refused to the child's own policy operations.
 */
export function policyReferenceApplier(kind: PolicyKind, templates: Pick<TemplateStore, 'getTemplate' | 'getVersion'>): PolicyTemplateApplier {
  const errors = kind.kind;

  /**
   * The referenced policy: a committed access policy template of the referring template's account
   * (another account's template answers like a missing one). Refusals name the reference.
   */
  async function load(ownerAccountId: string, ref: CheckedRef, ex?: Db | Trx): Promise<{ policy: TemplatePolicy; version: number }> {
    const version = Number(ref.version);
    const template = await templates.getTemplate(ref.id, ex);
    const found =
      template?.kind === 'policy' && template.accountId === ownerAccountId && Number.isInteger(version)
        ? await templates.getVersion<TemplatePolicy>(ref.id, version, ex)
        : undefined;
    if (!found) throw errors.notFoundError(ref.id, Number.isInteger(version) ? version : undefined);
    if (!found.committed) throw templateErrors.notCommitted(ref.id, version);
    if (found.body.type !== 'access') {
      throw new DomainError('invalid', 'invalid_body', `Policy template '${ref.id}' version '${ref.version}' is an authorization template; a reference places access policies only.`);
    }
    return { policy: found.body, version };
  }

  return {
    async authorize(run) {
      const { policy } = await load(run.ownerAccountId, run.ref);
      await kind.authorizePolicy({
        accountId: run.accountId,
        policy,
        ...(run.previousId !== undefined ? { previousId: run.previousId } : {}),
        authorizeInTarget: run.authorizeInTarget,
      });
    },

    authorizeRetire: (run) => kind.authorizeRetire(run),

    async place(w, run) {
      const { policy, version } = await load(run.ownerAccountId, run.ref, w.trx);
      const { metadata } = run;
      return kind.placePolicy(w, {
        accountId: run.accountId,
        policy,
        subject: run.subject,
        managedBy: {
          templateId: run.ref.id,
          version,
          assignmentId: metadata.assignmentId,
          rootId: metadata.templateId,
          rootVersion: metadata.version,
          ownerAccountId: run.ownerAccountId,
        },
        ...(run.previousId !== undefined ? { previousId: run.previousId } : {}),
        byIamId: run.byIamId,
      });
    },

    retire: (w, policyId, byIamId) => kind.retirePolicy(w, policyId, byIamId),

    async drifted(run) {
      let policy: TemplatePolicy;
      try {
        ({ policy } = await load(run.ownerAccountId, run.ref));
      } catch (error) {
        if (error instanceof DomainError) return true;
        throw error;
      }
      return kind.policyDrifted(run.policyId, run.accountId, policy, run.subject);
    },
  };
}
