import type { Catalog } from '../catalog/index.js';
import { isAllowed, type Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { DomainError } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import { decodeCursor, encodeCursor, isStringPair, limitOf, type LimitRange } from '../kernel/cursor.js';
import { expectedTag, nextTag, onCurrentVersion, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import type { PolicySubject } from '../pdp/types.js';
import { isUniqueViolation } from '../store/conflicts.js';
import { createAudited, type AuditSubject, type Commit, type MutationTools } from '../store/audited.js';
import type { Write, Writer } from '../store/unit-of-work.js';
import { policyErrors } from './errors.js';
import type { PolicyLooks, PolicyPage, PolicyView } from './wire.js';
import { createRoleBook } from './role-book.js';
import type { CustomRoleStore } from './roles-store.js';
import type { PolicyStore, PolicyWindow } from './store.js';
import { accessManagementTarget, grantTargets } from './targets.js';
import type { PolicyDraft, PolicyFilter, PolicyListQuery, PolicyRecord, PolicySortField, Syntax } from './types.js';
import { validateDraft, type SubjectDirectory, type ValidationDeps } from './validate.js';

export interface PolicyServiceDeps {
  store: PolicyStore;
  customRoles: Pick<CustomRoleStore, 'getByCrn' | 'listCustomRoles'>;
  catalog: Catalog;
  subjects: SubjectDirectory;
  /** The account and resource group of a live service instance (scope checks). */
  instances: Pick<ValidationDeps, 'instance'>;
  authorizer: Authorizer;
  writer: Writer;
  clock: Clock;
  /** Saves this node's pending permit counts (PermitLog.flush), before usage is shown. */
  savePermits?: () => Promise<void>;
  /**
   * Throws unless access may be added in the policy's account for `subject` (a create, a replace
   * onto another subject, a restore): an access group an enterprise template manages takes new
   * policies there only as its template allows (templates/groups/guard.ts). Reads the database:
   * called before the write.
   */
  guardSubject?(subject: PolicySubject): Promise<void>;
  /**
   * Whether the policy's account may delete this enterprise-managed policy although it changes
   * otherwise only through its assignment: a trusted-profile template whose action controls leave
   * its placed policies to the child (templates/profiles/guard.ts). Absent: none may be.
   */
  removableManaged?(policyId: string): Promise<boolean>;
}

/** Page sizes of policy listings. */
export const POLICY_LIMITS: LimitRange = { min: 1, max: 100, default: 50 };
const SORT_FIELDS: readonly PolicySortField[] = [
  'id', 'type', 'href', 'created_at', 'created_by_id', 'last_modified_at', 'last_modified_by_id', 'state',
  'last_permit_at', 'last_permit_frequency',
];
const FORMATS = new Set(['include_last_permit', 'display']);

/**
 * Access and authorization policies, v1 and v2 (authz.md §2). Who may change a policy is decided
 * on the policy's own scope, by its real kind (grantTargets, authz.md §3.1):
 * `iam.policy.create|update|delete` on every target of it, for authorization policies too
 * (Administrator on the target service carries them). Reading needs `iam.policy.read` there — or
 * on the account-level target for whole listings — except that anyone may read the policies whose
 * subject is themselves. A policy of another account is reported exactly like a missing one.
 */
export function createPolicyService(deps: PolicyServiceDeps) {
  const { store, catalog, clock } = deps;
  const audited = createAudited(deps);

  /** How the account's policies are shown: its role names (custom roles included), in the format asked for. */
  async function looksOf(accountId: string, format?: string): Promise<PolicyLooks> {
    const roles = createRoleBook(catalog, await deps.customRoles.listCustomRoles(accountId));
    return { roles, display: format === 'display', lastPermit: format === 'include_last_permit' };
  }

  async function view(policy: PolicyRecord, syntax: Syntax, format?: string): Promise<PolicyView> {
    return { policy, syntax, looks: await looksOf(policy.accountId, format) };
  }

  /** Usage is read only after this node's pending permit counts are saved, so a caller sees its own. */
  async function usageSaved(format: string | undefined): Promise<void> {
    if (format === 'include_last_permit') await deps.savePermits?.();
  }

  async function conflictWith(existing: PolicyRecord, syntax: Syntax): Promise<DomainError> {
    return policyErrors.policyConflict(await view(existing, syntax));
  }

  const validationDeps = {
    catalog,
    subjects: deps.subjects,
    customRole: (crn: string) => deps.customRoles.getByCrn(crn),
    instance: (id: string) => deps.instances.instance(id),
  };

  /** Authorizes `action` on every target of a policy scope (grantTargets); the first refusal is a 403. */
  async function authorizeScope(tools: MutationTools, action: string, p: Pick<PolicyRecord, 'accountId' | 'resource'>): Promise<void> {
    for (const target of grantTargets(p.accountId, p.resource, catalog)) await tools.authorize(action, target);
  }

  const facts = (action: string, p: { id: string; accountId: string }, detail?: Record<string, unknown>): AuditSubject => ({
    action,
    targetType: 'policy',
    targetId: p.id,
    accountId: p.accountId,
    ...(detail ? { detail } : {}),
  });

  /** The policy fields a draft sets; a replace sets all of them, so an omitted field is removed. */
  const contentOf = (d: PolicyDraft) => ({
    type: d.type,
    accountId: d.accountId,
    subject: d.subject,
    resource: d.resource,
    tags: d.tags,
    roles: d.roles,
    ...(d.description !== undefined ? { description: d.description } : {}),
    ...(d.rule !== undefined ? { rule: d.rule } : {}),
    ...(d.pattern !== undefined ? { pattern: d.pattern } : {}),
  });

  /** The policy with this id in the caller's account; one of another account is a 404 like a missing one. */
  async function existing(actor: Actor, id: string): Promise<PolicyRecord> {
    const policy = await store.get(id);
    if (!policy || policy.accountId !== actor.principal.accountId) throw policyErrors.policyNotFound(id);
    return policy;
  }

  /**
   * Like `existing`, for a change: an enterprise-managed policy changes only through its
   * assignment (403), unless the change is its deletion and its template leaves that to the account.
   */
  async function changeable(actor: Actor, id: string, deleting = false): Promise<PolicyRecord> {
    const policy = await existing(actor, id);
    if (policy.template && !(deleting && (await deps.removableManaged?.(id)))) throw policyErrors.managed(id);
    return policy;
  }

  /**
   * The policy for a read: one of the caller's account, or an enterprise-managed one of a child
   * account whose assignment belongs to the caller's (enterprise) account — the one crossing of
   * accounts there is, so that an enterprise sees what its assignments made.
   */
  async function readable(actor: Actor, id: string): Promise<PolicyRecord> {
    const policy = await store.get(id);
    if (policy && policy.accountId !== actor.principal.accountId && policy.template?.ownerAccountId === actor.principal.accountId) return policy;
    return existing(actor, id);
  }

  /**
   * Saves a policy change in the mutation's one write, refusing a duplicate of another active
   * policy (409) and a concurrent change (412). Two racing creates meet at the unique index: the
   * loser re-reads and reports the winner as the conflict. (A duplicate rolls the write back and the
   * conflict is rendered after the transaction: reads on the database inside a write would wait for
   * it on SQLite's single connection.)
   */
  async function save(commit: Commit, next: PolicyRecord, previousTag: string | undefined, syntax: Syntax, op: 'create' | 'update' | 'delete'): Promise<void> {
    let duplicate: PolicyRecord | undefined;
    try {
      await commit(async (w) => {
        duplicate = next.state === 'active' ? await store.findActiveDuplicate(next, w.trx) : undefined;
        if (duplicate) throw new Error('duplicate policy');
        if (previousTag === undefined) await store.insert(w.trx, next);
        else if (!(await store.update(w.trx, next, previousTag))) throw staleTag();
        w.changed({ entity: 'policy', entityId: next.id, accountId: next.accountId, op });
      });
    } catch (error) {
      if (duplicate === undefined) {
        if (!isUniqueViolation(error) || next.state !== 'active') throw error;
        duplicate = await store.findActiveDuplicate(next);
        if (!duplicate) throw error;
      }
    }
    if (duplicate) throw await conflictWith(duplicate, syntax);
  }

  /** Reading a policy needs `iam.policy.read` on its scope, unless it is the reader's own; a refusal is audited. */
  async function mayRead(actor: Actor, p: PolicyRecord): Promise<void> {
    if (p.subject.kind === 'iam_id' && p.subject.iamId === actor.principal.iamId) return;
    if (p.template && p.accountId !== actor.principal.accountId) {
      const target = { accountId: actor.principal.accountId, serviceName: 'iam-access-management', resourceType: 'policy-assignment', resource: p.template.assignmentId };
      await audited(actor, facts('iam-access-management.policy-assignment.read', p), (_commit, tools) => tools.authorize('iam-access-management.policy-assignment.read', target));
      return;
    }
    await audited(actor, facts('iam.policy.read', p), (_commit, tools) => authorizeScope(tools, 'iam.policy.read', p));
  }

  return {
    async create(actor: Actor, draft: PolicyDraft): Promise<PolicyView> {
      // Authorized before validation, so a caller learns nothing about an account they may not manage.
      const id = ids.uuid();
      return audited(actor, facts('iam.policy.create', { id, accountId: draft.accountId }, { type: draft.type }), async (commit, tools) => {
        await authorizeScope(tools, 'iam.policy.create', draft);
        const valid = await validateDraft(draft, validationDeps);
        await deps.guardSubject?.(valid.subject);
        const now = clock.now().toISOString();
        const iamId = actor.principal.iamId;
        const policy: PolicyRecord = {
          id,
          ...contentOf(valid),
          state: 'active',
          createdAt: now,
          createdById: iamId,
          lastModifiedAt: now,
          lastModifiedById: iamId,
          entityTag: nextTag(),
        };
        await save(commit, policy, undefined, draft.syntax, 'create');
        return view(policy, draft.syntax);
      });
    },

    async get(actor: Actor, id: string, syntax: Syntax, format?: string): Promise<PolicyView> {
      if (format !== undefined && !FORMATS.has(format)) throw policyErrors.invalidBody(`Unknown format ${format}.`);
      await usageSaved(format);
      const policy = await readable(actor, id);
      await mayRead(actor, policy);
      return view(policy, syntax, format);
    },

    /**
     * Replaces a policy (PUT v1 or v2; a v1 policy replaced through v2 simply becomes whatever v2
     * can express). Its account and type are fixed. The caller must be allowed to update both the
     * old and the new target, so a replace cannot move a grant somewhere the caller does not rule.
     */
    async replace(actor: Actor, id: string, ifMatch: string, draft: PolicyDraft): Promise<PolicyView> {
      const subject = facts('iam.policy.update', { id, accountId: actor.principal.accountId });
      return audited(actor, subject, (commit, tools) => onCurrentVersion(ifMatch, async () => {
        const current = await changeable(actor, id);
        if (draft.accountId !== current.accountId) throw policyErrors.invalidBody('The accountId of a policy cannot change.');
        if (draft.type !== current.type) throw policyErrors.invalidBody('The type of a policy cannot change.');
        await authorizeScope(tools, 'iam.policy.update', current);
        await authorizeScope(tools, 'iam.policy.update', draft);
        const valid = await validateDraft(draft, validationDeps);
        if (JSON.stringify(valid.subject) !== JSON.stringify(current.subject)) await deps.guardSubject?.(valid.subject);
        expectedTag(ifMatch, current.entityTag);
        const policy: PolicyRecord = {
          id: current.id,
          ...contentOf(valid),
          state: current.state,
          createdAt: current.createdAt,
          createdById: current.createdById,
          lastModifiedAt: clock.now().toISOString(),
          lastModifiedById: actor.principal.iamId,
          entityTag: nextTag(current.entityTag),
        };
        await save(commit, policy, current.entityTag, draft.syntax, 'update');
        return view(policy, draft.syntax);
      }));
    },

    /** PATCH v1 `{state}`: delete (`deleted`) or restore (`active`, refused if it now duplicates another). */
    async updateState(actor: Actor, id: string, ifMatch: string, state: string | undefined): Promise<PolicyView> {
      if (state !== 'active' && state !== 'deleted') throw policyErrors.invalidBody('state is active or deleted.');
      const action = state === 'deleted' ? 'iam.policy.delete' : 'iam.policy.update';
      return audited(actor, facts(action, { id, accountId: actor.principal.accountId }, { state }), (commit, tools) => onCurrentVersion(ifMatch, async () => {
        const current = await changeable(actor, id, state === 'deleted');
        await authorizeScope(tools, action, current);
        expectedTag(ifMatch, current.entityTag);
        if (current.state === state) return view(current, 'v1');
        // A restored policy must still be valid: its subject, custom roles and services may be gone.
        if (state === 'active') {
          await validateDraft({ ...current, syntax: 'v1' }, validationDeps);
          await deps.guardSubject?.(current.subject);
        }
        const policy: PolicyRecord = {
          ...current,
          state,
          lastModifiedAt: clock.now().toISOString(),
          lastModifiedById: actor.principal.iamId,
          entityTag: nextTag(current.entityTag),
        };
        await save(commit, policy, current.entityTag, 'v1', state === 'deleted' ? 'delete' : 'update');
        return view(policy, 'v1');
      }));
    },

    /** DELETE v1/v2: the policy turns `deleted` (listed with `state=deleted`, restorable); 404 when it already is. */
    async remove(actor: Actor, id: string): Promise<void> {
      await audited(actor, facts('iam.policy.delete', { id, accountId: actor.principal.accountId }), async (commit, tools) => {
        const current = await changeable(actor, id, true);
        if (current.state === 'deleted') throw policyErrors.policyNotFound(id);
        await authorizeScope(tools, 'iam.policy.delete', current);
        const policy: PolicyRecord = {
          ...current,
          state: 'deleted',
          lastModifiedAt: clock.now().toISOString(),
          lastModifiedById: actor.principal.iamId,
          entityTag: nextTag(current.entityTag),
        };
        await save(commit, policy, current.entityTag, 'v1', 'delete');
      });
    },

    /**
     * Inside another domain's write (a user leaving the account): marks every active policy whose
     * subject is `iamId` deleted, publishing each as a `policy` delete. No authorization here: the
     * caller's own operation was authorized. Returns the ids retired.
     */
    async retireSubjectIn(w: Write, accountId: string, iamId: string, by: string): Promise<string[]> {
      const at = clock.now().toISOString();
      const policies = await store.listActiveOfSubject(accountId, iamId, w.trx);
      for (const current of policies) {
        const retired: PolicyRecord = { ...current, state: 'deleted', lastModifiedAt: at, lastModifiedById: by, entityTag: nextTag(current.entityTag) };
        if (!(await store.update(w.trx, retired, current.entityTag))) throw staleTag();
        w.changed({ entity: 'policy', entityId: current.id, accountId, op: 'delete' });
      }
      return policies.map((p) => p.id);
    },

    /**
     * Lists an account's policies, `limit` per page, continued by `start` (an opaque keyset token).
     * Callers without account-wide `iam.policy.read` see only the policies whose subject they are
     * (an empty list rather than a 403, as IBM does).
     */
    async list(actor: Actor, query: PolicyListQuery, syntax: Syntax): Promise<PolicyPage> {
      const { filter, window, format } = parseListQuery(query);
      await usageSaved(format);
      if (!(await isAllowed(deps.authorizer, actor, 'iam.policy.read', accessManagementTarget(filter.accountId)))) {
        const self = actor.principal.iamId;
        if (filter.accessGroupId !== undefined || (filter.iamId !== undefined && filter.iamId !== self)) {
          return { syntax, query, limit: window.limit, policies: [], looks: await looksOf(filter.accountId) };
        }
        filter.iamId = self;
      }
      const slice = await store.list(filter, window);
      const last = slice.keys[slice.keys.length - 1];
      const next = slice.more && last ? encodeStart(last) : undefined;
      const looks = await looksOf(filter.accountId, format);
      return { syntax, query, limit: window.limit, policies: slice.items, ...(next !== undefined ? { next } : {}), looks };
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;

/** A `start` token: the (sort value, id) key of the last policy of the previous page. */
const encodeStart = (key: [string, string]) => encodeCursor(key);

const decodeStart = (start: string): [string, string] =>
  decodeCursor(start, isStringPair, () => policyErrors.invalidBody('The start token is not one this API handed out.'));

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw policyErrors.invalidBody(`Query parameter ${name} must be one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

function parseListQuery(query: PolicyListQuery): { filter: PolicyFilter; window: PolicyWindow; format?: string } {
  if (!query.accountId) throw policyErrors.missingQuery('account_id');
  const limit = limitOf(query.limit, POLICY_LIMITS, 'Query parameter limit', policyErrors.invalidBody);
  const descending = query.sort?.startsWith('-') ?? false;
  const sort = oneOf('sort', descending ? query.sort!.slice(1) : query.sort, SORT_FIELDS) ?? 'created_at';
  const format = oneOf('format', query.format, [...FORMATS]);
  const filter: PolicyFilter = {
    accountId: query.accountId,
    state: oneOf('state', query.state, ['active', 'deleted'] as const) ?? 'active',
  };
  const type = oneOf('type', query.type, ['access', 'authorization'] as const);
  const serviceType = oneOf('service_type', query.serviceType, ['service', 'platform_service'] as const);
  if (type !== undefined) filter.type = type;
  if (serviceType !== undefined) filter.serviceType = serviceType;
  if (query.iamId !== undefined) filter.iamId = query.iamId;
  if (query.accessGroupId !== undefined) filter.accessGroupId = query.accessGroupId;
  if (query.serviceName !== undefined) filter.serviceName = query.serviceName;
  if (query.serviceGroupId !== undefined) filter.serviceGroupId = query.serviceGroupId;
  if (query.tagName !== undefined) filter.tagName = query.tagName;
  if (query.tagValue !== undefined) filter.tagValue = query.tagValue;
  const window: PolicyWindow = { sort, descending, limit, ...(query.start ? { after: decodeStart(query.start) } : {}) };
  return { filter, window, ...(format !== undefined ? { format } : {}) };
}
