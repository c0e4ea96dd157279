import type { DomainError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/principal.js';
import type { Write } from '../../store/unit-of-work.js';
import type { Assignment, KindName, ManagedResource, TemplateVersion } from './types.js';

/**
 * A template kind: what the shared mechanics (versions, commit, assignments and their runs) need
 * to know of one kind of template — its names, how to check a definition, what it may grant, and
 * how to create, bring up to date and remove its resource in a child account.
 */
export interface TemplateKind<B> {
  name: KindName;
  /** For messages: `access group template`. */
  label: string;
  /** Template ids are `<prefix><uuid>`. */
  templateIdPrefix: string;
  assignmentIdPrefix: string;
  /** The catalog service whose actions decide on the kind: `iam-groups`, `iam-identity`. */
  serviceName: string;
  /** The catalog resource types of the actions: `group-template` → `iam-groups.group-template.create`. */
  templateResource: string;
  assignmentResource: string;
  /** Checks a definition a client sent; throws DomainError('invalid') with a clear message. */
  check(body: B): B;
  /** What the child account may still do to the resource (recorded with it). */
  actionControls(body: B): Record<string, unknown>;
  /**
   * Throws DomainError('forbidden') unless the actor could grant, in the enterprise account, all
   * the access the definition gives (authz.md §3.1): an assignment cannot give in a child account
   * more than the enterprise administrator who makes it administers.
   */
  authorizeGrant(actor: Actor, enterpriseAccountId: string, body: B): Promise<void>;
  /**
   * Creates the resource in `run.accountId` or brings the one the assignment manages there to the
   * version, inside `w`; throws a DomainError when it cannot (the write then leaves nothing).
   * Returns the resource id and the result detail in the kind's wire shape, and `failure` when a
   * part of it could not be applied (the rest stays; the account's result is `failed`).
   */
  apply(w: Write, run: ApplyRun<B>): Promise<{ resourceId: string; detail: Record<string, unknown>; failure?: string }>;
  /** The result detail of a failed apply, in the kind's wire shape. */
  failedDetail(run: ApplyRun<B>, error: DomainError): Record<string, unknown>;
  /** Removes a managed resource inside `w`; returns the result detail. */
  remove(w: Write, managed: ManagedResource, by: string): Promise<Record<string, unknown>>;
}

/** One account of an assignment run. */
export interface ApplyRun<B> {
  accountId: string;
  version: TemplateVersion<B>;
  assignment: Assignment;
  /** What the assignment already manages in the account, when it ran there before. */
  managed?: ManagedResource;
  /** Who made the assignment (the resources' creator). */
  by: string;
  at: string;
}
