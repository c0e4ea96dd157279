import type { AccountsStore } from '../accounts/store.js';
import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { formatCrn, accountScope } from '../kernel/crn.js';
import { DomainError } from '../kernel/errors.js';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import type { Db } from '../store/db.js';
import { createAudited, type AuditSubject, type Commit, type MutationTools } from '../store/audited.js';
import type { Trx, Write, Writer } from '../store/unit-of-work.js';
import { identityErrors } from './errors.js';
import type { MfaEnrolments } from './mfa-reports.js';
import type { IdentityStore } from './store.js';
import type { AuthorizeHandOver } from './profiles/context.js';
import type { HistoryRecord } from './types.js';
import { presentFields } from './validate.js';

/**
 * What the identity services share: their dependencies and the helpers every mutation uses
 * (entity tags, authorization targets, history, audited transactions), written once.
 */

export interface IdentityDeps {
  db: Db;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  accounts: AccountsStore;
  /**
   * What else leaves with a deleted service ID (its group memberships, its policies), inside the
   * deleting write. Those domains are built after identity: the registry fills this list once they
   * all exist.
   */
  onIdentityRemoved?: readonly IdentityRemoval[];
  /**
   * Throws DomainError('forbidden') unless the actor could grant every access an identity holds in
   * an account (its policies and its access groups'): changing who may assume a trusted profile
   * hands its access over (authz.md §3.1).
   */
  authorizeHandOver: AuthorizeHandOver;
  /**
   * Refuses (403) a change of a trusted profile an enterprise template assignment manages: such a
   * profile changes only through its assignment, except for what the template's action controls
   * leave to the child account. `changes` names the rules and identities a change adds or takes
   * away (ProfileChange); absent, the change is to the profile itself (name, description, links,
   * deletion), which is always refused. Absent guard: no profile is managed.
   */
  guardManagedProfile?(profileId: string, action: string, changes?: readonly ProfileChange[]): Promise<void>;
  /**
   * The account-settings templates applied to an account (the effective settings'
   * `assigned_templates`): each template's id, version and name and the settings it names, in
   * IBM's wire shape. Absent: none are.
   */
  assignedSettingsTemplates?(accountId: string): Promise<{ templateId: string; templateVersion: number; templateName: string; settings: object }[]>;
  /** Which users have confirmed a second factor (the sign-in domain), for MFA status and reports. */
  mfaEnrolments: MfaEnrolments;
}

/**
 * One change to the trust of a trusted profile, as an enterprise template's action controls judge
 * it: adding a claim rule or an identity, or changing or taking away the one named by `item` (a
 * claim rule id, or an identity's `type identifier`).
 */
export type ProfileChange = { of: 'rules' | 'identities'; op: 'add' } | { of: 'rules' | 'identities'; op: 'remove'; item: string };

/** Removes what one domain holds for an identity leaving an account, inside the removing write. */
export type IdentityRemoval = (w: Write, accountId: string, iamId: string, byIamId: string) => Promise<unknown>;

export interface IdentityContext extends Omit<IdentityDeps, 'db'> {
  store: IdentityStore;
}

export const SERVICE_NAME = 'iam-identity';

/** The CRN of an identity entity, e.g. `crn:v1:bluemix:public:iam-identity::a/<acct>::apikey:ApiKey-…`. */
export const identityCrn = (accountId: string, resourceType: string, id: string) =>
  formatCrn({ serviceName: SERVICE_NAME, scope: accountScope(accountId), resourceType, resource: id });

/**
 * The authorization target of an identity entity; without an id, the entities of that type (owned
 * by `ownerIamId`, when given); without a resource, the account.
 */
export function targetOf(
  accountId: string,
  resource?: { type: string; id?: string; ownerIamId?: string },
): AccessTarget {
  const target: AccessTarget = { accountId, serviceName: SERVICE_NAME };
  if (resource) {
    target.resourceType = resource.type;
    if (resource.id !== undefined) target.resource = resource.id;
    if (resource.ownerIamId !== undefined) target.ownerIamId = resource.ownerIamId;
  }
  return target;
}

/**
 * How much of an account's collection a listing may show: `all` when the actor may perform
 * `action` on the whole account; `own` when they may not but it is their own account (members see
 * what they own). Any other refusal is thrown.
 */
export async function listingScope(ctx: IdentityContext, actor: Actor, action: string, accountId: string): Promise<'all' | 'own'> {
  try {
    await ctx.authorizer.authorize(actor.principal, action, targetOf(accountId), actor.environment);
    return 'all';
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'forbidden' && accountId === actor.principal.accountId) return 'own';
    throw error;
  }
}

/** A history entry of the actor doing `action` now. */
export function historyEntry(ctx: IdentityContext, actor: Actor, action: string, params: string[], message: string): HistoryRecord {
  return {
    timestamp: ctx.clock.now().toISOString(),
    iamId: actor.principal.iamId,
    iamIdAccount: actor.principal.accountId,
    action,
    params,
    message,
  };
}

/** The columns every conditional update stamps. */
export interface Stamp {
  modified_at: string;
  entity_tag: string;
}

/** An entity that carries an entity tag and, when it has a lock (trusted profiles have none), can be locked against updates and deletes. */
export interface Lockable {
  accountId: string;
  locked?: boolean;
  entityTag: string;
}

/** How the operations of one kind of entity find, authorize and conditionally update it. */
export interface EntityKind<T extends Lockable, C> {
  /** For messages: `API key`, `Service ID`. */
  label: string;
  /** The entity's type: its change-feed entity, audit target type and action segment (`apikey`, `serviceid`). */
  feedEntity: string;
  read(id: string, trx: Trx): Promise<T | undefined>;
  /** Applies the changes when the tag is `expectedTag` (any when undefined); false otherwise. */
  update(trx: Trx, id: string, expectedTag: string | undefined, changes: C & Stamp): Promise<boolean>;
  notFound(id: string): DomainError;
  /** The entity, if the actor's account holds it; 404 otherwise (other accounts' entities do not exist). */
  visible(actor: Actor, id: string): Promise<T>;
  /** Throws unless the actor may perform `action` (`iam-identity.<type>.<verb>`) on the entity. */
  authorize(actor: Actor, action: string, entity: T): Promise<void>;
}

/** The audit subject of `action` (`create`, `update`, …) on an identity entity of `type`. */
export const entitySubject = (type: string, action: string, targetId: string, accountId: string | null = null): AuditSubject => ({
  action: `${SERVICE_NAME}.${type}.${action}`,
  targetType: type,
  targetId,
  accountId,
});

/**
 * One audited mutation `op` of an existing entity: finds it (404 for other accounts), records its
 * account on the audit subject, authorizes `iam-identity.<type>.<verb>` on it (`verb` defaults to
 * `op`; lock and unlock authorize as `update`), then runs `run`. A failure at any step is audited.
 */
export function mutateEntity<T extends Lockable, C, R>(
  ctx: IdentityContext,
  actor: Actor,
  kind: EntityKind<T, C>,
  id: string,
  op: string,
  run: (entity: T, commit: Commit) => Promise<R>,
  verb: string = op,
): Promise<R> {
  const subject = entitySubject(kind.feedEntity, op, id);
  return audited(ctx, actor, subject, async (commit) => {
    const entity = await kind.visible(actor, id);
    subject.accountId = entity.accountId;
    await kind.authorize(actor, `${SERVICE_NAME}.${kind.feedEntity}.${verb}`, entity);
    return run(entity, commit);
  });
}

/**
 * The audited update of an entity's fields from a partial input: `columnsOf` validates the input
 * into columns (it sees the entity, for rules that depend on it); If-Match is checked, a locked
 * entity refuses (409), and the history entry names the fields the input carries.
 */
export function updateEntity<T extends Lockable, C>(
  ctx: IdentityContext,
  actor: Actor,
  kind: EntityKind<T, C>,
  id: string,
  ifMatch: string,
  input: object,
  columnsOf: (entity: T) => C,
): Promise<T> {
  return mutateEntity(ctx, actor, kind, id, 'update', (entity, commit) => {
    const columns = columnsOf(entity);
    const fields = presentFields(input);
    return commit(
      (w) =>
        changeEntity(ctx, w, actor, kind, id, {
          ifMatch,
          columns,
          allowedWhenLocked: false,
          history: ['update', fields, `${kind.label} ${id} updated: ${fields.join(', ') || 'no fields'}.`],
        }),
      { fields },
    );
  });
}

/**
 * The audited change of a flag (lock, unlock, disable, enable): authorized as an update, allowed
 * on a locked entity, with the history entry `<label> <id> <done>.`.
 */
export function flagEntity<T extends Lockable, C>(
  ctx: IdentityContext,
  actor: Actor,
  kind: EntityKind<T, C>,
  id: string,
  op: string,
  columns: C,
  done: string,
): Promise<void> {
  return mutateEntity(
    ctx,
    actor,
    kind,
    id,
    op,
    async (_entity, commit) => {
      await commit((w) => changeEntity(ctx, w, actor, kind, id, { columns, allowedWhenLocked: true, history: [op, [], `${kind.label} ${id} ${done}.`] }));
    },
    'update',
  );
}

export interface EntityChange<C> {
  /** The If-Match value, for updates that need one. */
  ifMatch?: string;
  columns: C;
  /** Lock and disable flags may change on a locked entity; nothing else may. */
  allowedWhenLocked: boolean;
  /** The history entry: action, params, message. */
  history: [string, string[], string];
}

/**
 * Changes an entity inside a write: re-reads it in the transaction (404 when gone), refuses a
 * locked one (409) unless allowed, checks If-Match (412), applies the change with a new tag,
 * records history and the change-feed entry. Returns the entity as stored afterwards.
 */
export async function changeEntity<T extends Lockable, C>(
  ctx: IdentityContext,
  w: Write,
  actor: Actor,
  kind: EntityKind<T, C>,
  id: string,
  change: EntityChange<C>,
): Promise<T> {
  const current = await kind.read(id, w.trx);
  if (!current) throw kind.notFound(id);
  if (current.locked && !change.allowedWhenLocked) throw identityErrors.locked(kind.label, id);
  const expected = expectedTag(change.ifMatch, current.entityTag);
  const stamp: Stamp = { modified_at: ctx.clock.now().toISOString(), entity_tag: nextTag(current.entityTag) };
  if (!(await kind.update(w.trx, id, expected, { ...change.columns, ...stamp }))) throw staleTag();
  await ctx.store.appendHistory(w.trx, id, historyEntry(ctx, actor, ...change.history));
  w.changed({ entity: kind.feedEntity, entityId: id, accountId: current.accountId, op: 'update' });
  return (await kind.read(id, w.trx))!;
}

export type { AuditSubject, Commit } from '../store/audited.js';

/** Runs one audited mutation of the identity domain (store/audited.ts: authorize, write, success or failure event). */
export function audited<T>(ctx: IdentityContext, actor: Actor, subject: AuditSubject, run: (commit: Commit, tools: MutationTools) => Promise<T>): Promise<T> {
  return createAudited(ctx)(actor, subject, run);
}
