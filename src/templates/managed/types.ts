/**
 * Enterprise-managed identity templates as their services see them. A template is a series of
 * versions sharing one id; a version is editable until committed, then immutable. An assignment
 * applies one committed version to a child account or to every account of an account group,
 * asynchronously: it is `accepted`, then `in_progress`, then `succeeded` or `failed`, with one
 * result per target account.
 */

/** The template kinds of this module; each is a plug-in (TemplateKind) of the same mechanics. */
export type KindName = 'group' | 'profile' | 'account_settings';

export interface TemplateVersion<B = unknown> {
  kind: KindName;
  id: string;
  version: number;
  accountId: string;
  name: string;
  description: string;
  committed: boolean;
  /** The kind's definition, checked by the kind. */
  body: B;
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
}

export type TargetType = 'Account' | 'AccountGroup';
export type AssignmentStatus = 'accepted' | 'in_progress' | 'succeeded' | 'failed';
export type AssignmentOperation = 'assign' | 'update' | 'remove';

/** What one run of an assignment did in one target account; `detail` is in the kind's wire shape. */
export interface AccountResult {
  target: string;
  status: 'succeeded' | 'failed';
  detail: Record<string, unknown>;
}

export interface Assignment {
  kind: KindName;
  id: string;
  accountId: string;
  templateId: string;
  templateVersion: number;
  targetType: TargetType;
  target: string;
  operation: AssignmentOperation;
  status: AssignmentStatus;
  resources: AccountResult[];
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
  entityTag: string;
}

/** A resource an assignment made in a child account. */
export interface ManagedResource {
  kind: KindName;
  resourceId: string;
  accountId: string;
  assignmentId: string;
  templateId: string;
  templateVersion: number;
  /** The version's action controls: what the child account may still do to the resource. */
  actionControls: Record<string, unknown>;
}

/** One page of a listing: offset-based (access groups) or token-based (identity) alike. */
export interface Slice<T> {
  items: T[];
  totalCount: number;
  offset: number;
  limit: number;
}
