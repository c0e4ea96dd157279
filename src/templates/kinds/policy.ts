import type { Catalog } from '../../catalog/index.js';
import { DomainError } from '../../kernel/errors.js';
import { nextTag, staleTag } from '../../kernel/etag.js';
import { ids } from '../../kernel/ids.js';
import { compilePolicy } from '../../pdp/compile.js';
import type { PolicySubject, Rule } from '../../pdp/types.js';
import { policyErrors } from '../../policies/errors.js';
import type { CustomRoleStore } from '../../policies/roles-store.js';
import { checkRuleAndPattern } from '../../policies/rules.js';
import { conflictKeyOf, type PolicyStore } from '../../policies/store.js';
import { grantTargets } from '../../policies/targets.js';
import type { ManagedBy, PolicyDraft, PolicyRecord } from '../../policies/types.js';
import { parseV2, type V2Attribute } from '../../policies/v2.js';
import type { Trx, Write } from '../../store/unit-of-work.js';
import { resourceFailure } from '../errors.js';
import type { TemplateStore } from '../store.js';
import type { TargetContext, TemplateKind } from '../types.js';
import { policyApiErrors } from './policy-errors.js';

/**
 * Policy templates (`/v1/policy_templates`): a v2-style policy without an account. An
 * authorization template carries its source (`subject`) and is assigned directly
 * (`/v1/policy_assignments`), making one authorization policy in each target account; an access
 * template has no subject — the access-group and trusted-profile templates that reference it give
 * one, through `placePolicy`. Roles are system roles, or custom roles made by role templates
 * (`role_template_references`, resolved to the role an assignment of that template made in the
 * target account).
 */

export interface TemplatePolicy {
  type: string;
  description?: string;
  resource?: { attributes: V2Attribute[]; tags?: V2Attribute[] };
  subject?: { attributes: V2Attribute[] };
  pattern?: string;
  rule?: unknown;
  control?: { grant: { roles?: Array<{ role_id: string }>; role_template_references?: Array<{ id: string; version: string }> } };
}

export interface PolicyKindDeps {
  templates: Pick<TemplateStore, 'getTemplate' | 'getVersion'>;
  policies: Pick<PolicyStore, 'get' | 'insert' | 'update' | 'findActiveDuplicate'>;
  customRoles: Pick<CustomRoleStore, 'listCustomRoles' | 'getByCrn'>;
  catalog: Catalog;
  clock: { now(): Date };
}

/** Where and for whom `placePolicy` makes (or updates) a managed policy. */
export interface PlacePolicyInput {
  /** The target (child) account. */
  accountId: string;
  policy: TemplatePolicy;
  /** The subject of an access policy (from the referring template); authorization policies carry their own. */
  subject?: PolicySubject;
  managedBy: ManagedBy;
  /** The policy an earlier apply made, updated in place when it is still there. */
  previousId?: string;
  /** For `authorizePolicy`: the assigner's authorization in the target account. */
  authorizeInTarget: TargetContext<unknown>['authorizeInTarget'];
  byIamId: string;
}

const errors = policyApiErrors('Policy', 'policy');
const invalid = errors.invalidError;
/** The subject a subject-less access template is parsed with when it is checked on its own. */
const PLACEHOLDER_SUBJECT: PolicySubject = { kind: 'iam_id', iamId: 'IBMid-TEMPLATE' };

const subjectAttributes = (subject: PolicySubject): V2Attribute[] => {
  switch (subject.kind) {
    case 'iam_id':
      return [{ key: 'iam_id', operator: 'stringEquals', value: subject.iamId }];
    case 'access_group':
      return [{ key: 'access_group_id', operator: 'stringEquals', value: subject.groupId }];
    case 'service':
      return subject.attributes.map((a) => ({ key: a.key, operator: a.operator, value: a.value }));
  }
};

/**
 * The policy a template makes in `accountId`: the account becomes the resource's `accountId` and,
 * for an authorization policy without one, the source's. Parsed by the v2 parser (operators,
 * values), so a template says nothing a v2 policy could not.
 */
function draftOf(policy: TemplatePolicy, accountId: string, roles: string[], subject?: PolicySubject): PolicyDraft {
  const account: V2Attribute = { key: 'accountId', operator: 'stringEquals', value: accountId };
  const subjectAttrs =
    policy.type === 'authorization'
      ? [...(policy.subject?.attributes ?? []), ...(policy.subject?.attributes.some((a) => a.key === 'accountId') ? [] : [account])]
      : subjectAttributes(subject ?? PLACEHOLDER_SUBJECT);
  return parseV2({
    type: policy.type,
    ...(policy.description !== undefined ? { description: policy.description } : {}),
    subject: { attributes: subjectAttrs },
    resource: { attributes: [account, ...(policy.resource?.attributes ?? [])], ...(policy.resource?.tags ? { tags: policy.resource.tags } : {}) },
    control: { grant: { roles: roles.map((role_id) => ({ role_id })) } },
    ...(policy.pattern !== undefined ? { pattern: policy.pattern } : {}),
    ...(policy.rule !== undefined ? { rule: policy.rule } : {}),
  });
}

export function createPolicyKind(deps: PolicyKindDeps) {
  const { catalog } = deps;

  function checkSystemRoles(roles: string[]): void {
    for (const crn of roles) {
      const role = catalog.role(crn);
      if (!role || role.kind === 'custom') throw policyErrors.unknownRole(crn);
    }
  }

  /** The custom role an assignment of role template `id` made in the account (any version). */
  async function referencedRole(accountId: string, ref: { id: string; version: string }, trx?: Trx): Promise<string> {
    const role = (await deps.customRoles.listCustomRoles(accountId, undefined, trx)).find((r) => r.template?.templateId === ref.id);
    if (!role) throw invalid(`Role template '${ref.id}' version '${ref.version}' is not assigned to account ${accountId}.`);
    return role.crn;
  }

  async function rolesIn(accountId: string, policy: TemplatePolicy, trx?: Trx): Promise<string[]> {
    const grant = policy.control?.grant;
    const roles = (grant?.roles ?? []).map((r) => r.role_id);
    for (const ref of grant?.role_template_references ?? []) roles.push(await referencedRole(accountId, ref, trx));
    return [...new Set(roles)];
  }

  /** The validated draft of the policy in the account, compiled as the decision point would (reads through `trx` inside a write). */
  async function expectedDraft(accountId: string, policy: TemplatePolicy, subject?: PolicySubject, trx?: Trx): Promise<PolicyDraft> {
    const roles = await rolesIn(accountId, policy, trx);
    if (roles.length === 0) throw invalid('A policy template grants at least one role.');
    const draft = draftOf(policy, accountId, roles, subject);
    checkRuleAndPattern(draft.rule, draft.pattern);
    try {
      compilePolicy({ ...draft, id: 'template', state: 'active' });
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'invalid') throw invalid(error.message);
      throw error;
    }
    return draft;
  }

  /**
   * Authorizes, before the write, what `placePolicy` (or `retirePolicy`, with `removing`) will do
   * in the target account: for the assigner there (authz.md §3.1), `iam.policy.create|update|delete`
   * on every grant target of the policy. Reads through the database: call it outside any write.
   */
  async function authorizePolicy(input: Omit<PlacePolicyInput, 'managedBy' | 'byIamId'>, removing = false): Promise<void> {
    if (removing) return authorizeRetire(input);
    const previous = input.previousId === undefined ? undefined : await deps.policies.get(input.previousId);
    const current = previous?.state === 'active' && previous.accountId === input.accountId ? previous : undefined;
    const draft = await expectedDraft(input.accountId, input.policy, input.subject);
    for (const target of grantTargets(input.accountId, draft.resource, catalog)) {
      await input.authorizeInTarget(current ? 'iam.policy.update' : 'iam.policy.create', target);
    }
  }

  /**
   * Authorizes, before the write, what `retirePolicy` will do: `iam.policy.delete` on every grant
   * target of the live policy (none when it is gone already). Needs no template content, so a
   * removal works after the template's version is gone. Call it outside any write.
   */
  async function authorizeRetire(input: Pick<PlacePolicyInput, 'accountId' | 'previousId' | 'authorizeInTarget'>): Promise<void> {
    const previous = input.previousId === undefined ? undefined : await deps.policies.get(input.previousId);
    if (previous?.state !== 'active' || previous.accountId !== input.accountId) return;
    for (const target of grantTargets(input.accountId, previous.resource, catalog)) await input.authorizeInTarget('iam.policy.delete', target);
  }

  /**
   * Makes or updates one managed policy in the target account, inside `w` (authorized beforehand
   * by `authorizePolicy`); a duplicate of another active policy there is a 409. Returns the policy id.
   */
  async function placePolicy(w: Write, input: Omit<PlacePolicyInput, 'authorizeInTarget'>): Promise<string> {
    const draft = await expectedDraft(input.accountId, input.policy, input.subject, w.trx);
    const previous = input.previousId === undefined ? undefined : await deps.policies.get(input.previousId, w.trx);
    const current = previous?.state === 'active' && previous.accountId === input.accountId ? previous : undefined;
    const at = deps.clock.now().toISOString();
    const record: PolicyRecord = {
      id: current?.id ?? ids.uuid(),
      type: draft.type,
      accountId: input.accountId,
      ...(draft.description !== undefined ? { description: draft.description } : {}),
      subject: draft.subject,
      resource: draft.resource,
      tags: draft.tags,
      roles: draft.roles,
      ...(draft.rule !== undefined ? { rule: draft.rule as Rule } : {}),
      ...(draft.pattern !== undefined ? { pattern: draft.pattern } : {}),
      state: 'active',
      createdAt: current?.createdAt ?? at,
      createdById: current?.createdById ?? input.byIamId,
      lastModifiedAt: at,
      lastModifiedById: input.byIamId,
      entityTag: nextTag(current?.entityTag),
      template: input.managedBy,
    };
    const duplicate = await deps.policies.findActiveDuplicate(record, w.trx);
    if (duplicate) {
      throw new DomainError('conflict', 'policy_conflict_error', `A policy with the same subject, resource and conditions already exists in account ${input.accountId}: ${duplicate.id}.`);
    }
    if (current) {
      if (!(await deps.policies.update(w.trx, record, current.entityTag))) throw staleTag();
    } else {
      await deps.policies.insert(w.trx, record);
    }
    w.changed({ entity: 'policy', entityId: record.id, accountId: input.accountId, op: current ? 'update' : 'create' });
    return record.id;
  }

  /** Retires a managed policy (state `deleted`, as any deleted policy), inside `w`; a missing or retired one is fine. */
  async function retirePolicy(w: Write, id: string, byIamId: string): Promise<void> {
    const current = await deps.policies.get(id, w.trx);
    if (!current || current.state !== 'active') return;
    const retired: PolicyRecord = { ...current, state: 'deleted', lastModifiedAt: deps.clock.now().toISOString(), lastModifiedById: byIamId, entityTag: nextTag(current.entityTag) };
    if (!(await deps.policies.update(w.trx, retired, current.entityTag))) throw staleTag();
    w.changed({ entity: 'policy', entityId: id, accountId: current.accountId, op: 'delete' });
  }

  /** Whether the managed policy no longer is what the template makes (changed, retired or gone). */
  async function policyDrifted(id: string | undefined, accountId: string, policy: TemplatePolicy, subject?: PolicySubject): Promise<boolean> {
    const live = id === undefined ? undefined : await deps.policies.get(id);
    if (!live || live.state !== 'active') return true;
    let expected: PolicyDraft;
    try {
      expected = await expectedDraft(accountId, policy, subject);
    } catch {
      return true;
    }
    const sameRoles = [...live.roles].sort().join() === [...expected.roles].sort().join();
    return !sameRoles || conflictKeyOf(live) !== conflictKeyOf({ ...expected, subject: expected.subject }) || live.description !== expected.description;
  }

  const kind: TemplateKind<TemplatePolicy> = {
    name: 'policy',
    ...errors,
    actions: {
      template: 'iam-access-management.policy-template',
      assignment: 'iam-access-management.policy-assignment',
      serviceName: 'iam-access-management',
      resourceType: 'policy-template',
      assignmentType: 'policy-assignment',
    },

    async validate(body, accountId) {
      const policy = body as TemplatePolicy;
      if (policy.type !== 'access' && policy.type !== 'authorization') throw invalid(`Policy type must be access or authorization, not ${JSON.stringify(policy.type)}.`);
      if (!policy.resource || policy.resource.attributes.length === 0) throw invalid('The policy resource is required.');
      if (policy.resource.attributes.some((a) => a.key === 'accountId')) {
        throw invalid('A policy template has no accountId: its policies are made in each account it is assigned to.');
      }
      if (policy.type === 'access' && policy.subject) {
        throw invalid('An access policy template has no subject: the access group or trusted profile template that references it gives one.');
      }
      if (policy.type === 'authorization' && !policy.subject) throw invalid('An authorization policy template needs a subject (the source service).');
      const grant = policy.control?.grant;
      const roles = (grant?.roles ?? []).map((r) => r.role_id);
      const refs = grant?.role_template_references ?? [];
      if (roles.length + refs.length === 0) throw invalid('A policy template grants at least one role: control.grant.roles or role_template_references.');
      checkSystemRoles(roles);
      for (const ref of refs) {
        const template = await deps.templates.getTemplate(ref.id);
        const version = Number(ref.version);
        if (!template || template.kind !== 'role' || template.accountId !== accountId || !Number.isInteger(version) || !(await deps.templates.getVersion(ref.id, version))) {
          throw invalid(`Role template '${ref.id}' version '${ref.version}' does not exist in this account.`);
        }
      }
      const draft = draftOf(policy, accountId, roles.length > 0 ? roles : ['crn:v1:bluemix:public:iam::::role:Viewer']);
      checkRuleAndPattern(draft.rule, draft.pattern);
      return policy;
    },

    async authorize(ctx, removing) {
      const previousId = ctx.previous.find((r) => r.key === 'policy')?.resourceId;
      await resourceFailure('policy', async () => {
        if (!removing && ctx.version.body.type !== 'authorization') {
          throw invalid('An access policy template is assigned through the access group or trusted profile templates that reference it.');
        }
        await authorizePolicy({ accountId: ctx.accountId, policy: ctx.version.body, ...(previousId !== undefined ? { previousId } : {}), authorizeInTarget: ctx.authorizeInTarget }, removing);
      });
    },

    async apply(w, ctx) {
      const policy = ctx.version.body;
      const previousId = ctx.previous.find((r) => r.key === 'policy')?.resourceId;
      const id = await resourceFailure('policy', () =>
        placePolicy(w, {
          accountId: ctx.accountId,
          policy,
          managedBy: { ...ctx.metadata, ownerAccountId: ctx.assignment.accountId },
          ...(previousId !== undefined ? { previousId } : {}),
          byIamId: ctx.principal.iamId,
        }),
      );
      return [{ key: 'policy', resourceId: id }];
    },

    async remove(w, ctx) {
      for (const r of ctx.previous) if (r.resourceId !== undefined) await retirePolicy(w, r.resourceId, ctx.principal.iamId);
    },

    async drift(ctx) {
      const held = ctx.previous.find((r) => r.key === 'policy');
      if (!held) return [];
      return (await policyDrifted(held.resourceId, ctx.accountId, ctx.version.body)) ? ['policy'] : [];
    },
  };

  return { kind, authorizePolicy, authorizeRetire, placePolicy, retirePolicy, policyDrifted };
}

export type PolicyKind = ReturnType<typeof createPolicyKind>;
