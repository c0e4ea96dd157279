import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import type { LimitRange } from '../kernel/cursor.js';
import type { AuditStore } from './store.js';

/** What the audit operations share. */
export interface AuditContext {
  store: Pick<AuditStore, 'listEvents'>;
  authorizer: Authorizer;
}

/**
 * Reading an account's audit trail is an IAM Identity action of the whole account (a Portcullis
 * extension; IBM keeps its trail in Activity Tracker): `iam-identity.audit.read`, which the catalog
 * seed gives the platform roles that may read identities' activity (Administrator, Editor,
 * Operator, Viewer). A policy on one resource type of iam-identity (e.g. trusted profiles) does
 * not reach it: the trail covers every service of the account.
 */
export const SERVICE_NAME = 'iam-identity';
export const READ_ACTION = 'iam-identity.audit.read';

export const accountTarget = (accountId: string): AccessTarget => ({ accountId, serviceName: SERVICE_NAME });

/** Page sizes of the listing. */
export const PAGE_LIMITS: LimitRange = { min: 1, max: 100, default: 20 };
