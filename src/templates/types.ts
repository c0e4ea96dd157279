import type { DomainError, ErrorKind } from '../kernel/errors.js';
import type { Principal } from '../kernel/principal.js';
import type { Write } from '../store/unit-of-work.js';

/**
 * Enterprise-managed IAM templates, every kind alike: versioned definitions kept in an (enterprise)
 * account, and assignments of a committed version to child accounts or account groups that create
 * and keep managed resources there. What differs per kind — its content's shape, what it creates in
 * a child account, how that is removed and checked for drift — is a `TemplateKind` plugged into the
 * shared mechanics (versions.ts, assignments.ts).
 */

/** `active`, or `deleted` once the version (or template) is gone: deleted rows are not kept. */
export type TemplateState = 'active';

/** One version of a template. Versions count from 1 per template; the wire renders them as each API does (string or number). */
export interface TemplateVersion<B = unknown> {
  id: string;
  version: number;
  /** The kind's name (`TemplateKind.name`). */
  kind: string;
  accountId: string;
  name: string;
  description?: string;
  /** The kind's content, as its `validate` returned it. */
  body: B;
  committed: boolean;
  state: TemplateState;
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
}

/** The fields of a version a create or update supplies; the kind's content is validated by the kind. */
export interface VersionInput {
  name?: string;
  description?: string;
  body: unknown;
  committed?: boolean;
}

export type TargetType = 'Account' | 'AccountGroup';

/**
 * An assignment's state: `in_progress` while it is being applied (or removed), then `succeeded`
 * when every target account holds every resource, `failed` when any did not apply (each
 * resource result says which and why).
 */
export type AssignmentStatus = 'accepted' | 'in_progress' | 'succeeded' | 'failed';

/** What the assignment is doing or did last: the operation its status is about. */
export type AssignmentOperation = 'create' | 'update' | 'remove';

export interface Assignment {
  id: string;
  kind: string;
  /** The template's (enterprise) account. */
  accountId: string;
  templateId: string;
  templateVersion: number;
  targetType: TargetType;
  /** An account id or account-group id. */
  target: string;
  status: AssignmentStatus;
  operation: AssignmentOperation;
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
}

/** Why a resource did not apply: a domain error's kind (the wire renders its status), code and message. */
export interface ResourceError {
  kind: ErrorKind;
  code: string;
  message: string;
}

/**
 * One managed resource of an assignment in one target account: created (or updated) by the
 * kind's `apply`, identified by a key the kind chooses (`policy`, `group`, `profile`,
 * `policy_template:<id>` …) so that a later apply of a newer version finds and updates it.
 */
export interface AssignmentResource {
  assignmentId: string;
  /** The child account the resource lives in. */
  accountId: string;
  key: string;
  /** The managed resource's id in that account; absent when it never applied. */
  resourceId?: string;
  /** The template version the resource was last applied at. */
  version: number;
  status: 'succeeded' | 'failed';
  error?: ResourceError;
  /** Set on reads only: the live resource no longer matches its version (see TemplateKind.drift). */
  drifted?: boolean;
}

/** What a kind's apply made in one account: one entry per managed resource. */
export interface AppliedResource {
  key: string;
  resourceId: string;
}

/** The template metadata a managed resource carries (IBM's `template{id, version, assignment_id}`). */
export interface TemplateMetadata {
  templateId: string;
  version: number;
  assignmentId: string;
  /** For resources created through a reference (a policy template referenced by a group template): the referring template. */
  rootId?: string;
  rootVersion?: number;
}

/** What a kind's apply, remove and drift receive for one target account. */
export interface TargetContext<B> {
  assignment: Assignment;
  /** The committed version being applied (for remove: the version last applied). */
  version: TemplateVersion<B>;
  /** The child account. */
  accountId: string;
  /** The resources a previous apply of this assignment left in this account (empty on the first). */
  previous: readonly AssignmentResource[];
  metadata: TemplateMetadata;
  /**
   * Authorizes `action` on `target` for the assigning identity *in the child account* (their own
   * access there: ownership or the child's policies naming them). A kind calls it, from its
   * `authorize` (outside the write: it reads the database), for every grant it would make, so an
   * assignment never grants more than its assigner administers in the child account (authz.md
   * §3.1). A refusal is thrown.
   */
  authorizeInTarget(action: string, target: import('../kernel/authorizer.js').AccessTarget): Promise<void>;
  /** The assigning identity (enterprise account), for created-by fields. */
  principal: Principal;
}

/**
 * A template kind: what a template of this kind holds and does to a child account. Each method
 * that writes runs inside the runner's one write per target account: a throw rolls that
 * account's changes back and is reported as that account's failure (see `resourceFailure`).
 */
export interface TemplateKind<B = unknown> {
  /** Stored kind name: `policy`, `action_control`, `role`, `access_group`, `profile`, `account_settings`. */
  name: string;
  /**
   * Validates a version's content (a create, a new version, an update) and returns it normalized;
   * throws DomainError('invalid', …) in the kind's API codes. `accountId` is the template's account;
   * `previous` the content of the version being replaced (update) or of the latest one (new
   * version), for kinds whose later versions may leave fixed fields out.
   */
  validate(body: unknown, accountId: string, previous?: B): Promise<B>;
  /**
   * Creates or updates the managed resources of `ctx.version` in `ctx.accountId` (updating those
   * in `ctx.previous` in place, removing the ones the new version no longer has) and returns them
   * all. Resources carry `ctx.metadata`. Throws on failure (use resourceFailure to name the key).
   */
  apply(w: Write, ctx: TargetContext<B>): Promise<AppliedResource[]>;
  /** Removes the managed resources in `ctx.previous` from `ctx.accountId` (those already gone are fine). */
  remove(w: Write, ctx: TargetContext<B>): Promise<void>;
  /**
   * Optional: authorizes an apply (`removing` false) or a removal in the target account before the
   * runner opens that account's write, with ctx.authorizeInTarget. Authorization may read the
   * database (the owner lookup), which inside a write waits forever on SQLite's one connection;
   * a refusal is reported like a failed apply (use resourceFailure to name the key).
   */
  authorize?(ctx: TargetContext<B>, removing: boolean): Promise<void>;
  /** The keys of the resources in `ctx.previous` that no longer match `ctx.version` (changed or gone). */
  drift(ctx: TargetContext<B>): Promise<string[]>;
  /** The error of an update of a committed version (IBM's exact text per API). */
  committedError(templateId: string, version: number): DomainError;
  /** A refused input (400) in the API's own code. */
  invalidError(message: string): DomainError;
  /** The kind already has a template of this name in the account (409). */
  nameTakenError(name: string): DomainError;
  /** The error of a missing template or version (the API's own code and text). */
  notFoundError(templateId: string, version?: number): DomainError;
  /** The error of a missing assignment. */
  assignmentNotFoundError(assignmentId: string): DomainError;
  /** Catalog actions: `<prefix>.create|read|update|delete` for templates, `<assignmentPrefix>.…` for assignments. */
  actions: { template: string; assignment: string; serviceName: string; resourceType: string; assignmentType: string };
}
