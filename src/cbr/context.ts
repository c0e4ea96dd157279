import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { accountScope, formatCrn } from '../kernel/crn.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited, type AuditSubject, type Commit, type MutationTools } from '../store/audited.js';
import type { Writer } from '../store/unit-of-work.js';
import type { CbrStore } from './store.js';

/** What the CBR operations share. */

/** The part of the service catalog CBR reads: which services exist, their groups and actions. */
export interface CbrCatalog {
  /** The service, or undefined when the catalog does not know it (not CBR-enabled). */
  service(name: string): CatalogEntry | undefined;
  allServices(): Iterable<CatalogEntry>;
}

export interface CatalogEntry {
  name: string;
  displayName: string;
  type: 'service' | 'platform_service';
  groupId?: string;
  actions: ReadonlyArray<{ id: string; description?: string; displayName: string }>;
}

export interface CbrContext {
  store: CbrStore;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  catalog: CbrCatalog;
  /** Locations a service reference may name (config `cbr.locations`). */
  locations: readonly string[];
}

export const CBR_SERVICE = 'context-based-restrictions';
export const ZONE_SERVICE = 'context-based-restrictions.zone';

export const cbrCrn = (accountId: string, type: 'zone' | 'rule', id: string) =>
  formatCrn({ serviceName: CBR_SERVICE, location: 'global', scope: accountScope(accountId), resourceType: type, resource: id });

export const zoneTarget = (accountId: string, id?: string): AccessTarget => ({
  accountId,
  serviceName: ZONE_SERVICE,
  resourceType: 'zone',
  ...(id !== undefined ? { resource: id } : {}),
});

export type { AuditSubject, Commit };

export function audited<T>(ctx: CbrContext, actor: Actor, subject: AuditSubject, run: (commit: Commit, tools: MutationTools) => Promise<T>): Promise<T> {
  return createAudited(ctx)(actor, subject, run);
}

/** IBM's account id format in CBR parameters. */
export const ACCOUNT_ID = /^[a-zA-Z0-9-]{1,128}$/;
/** Zone and rule ids: 32 hex digits. */
export const ENTITY_ID = /^[a-fA-F0-9]{32}$/;
