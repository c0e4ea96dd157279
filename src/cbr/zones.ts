import { ids } from '../kernel/ids.js';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import { DomainError } from '../kernel/errors.js';
import type { Actor } from '../kernel/principal.js';
import { conflictOnDuplicate } from '../store/conflicts.js';
import { addressOf, type WireAddress } from './addresses.js';
import { ACCOUNT_ID, audited, ENTITY_ID, zoneTarget, type AuditSubject, type CbrContext } from './context.js';
import { cbrErrors } from './errors.js';
import { LIMITS, type Rule, type Zone } from './types.js';

/** The zone ids a rule's contexts name. */
export const zoneIdsOf = (rule: Pick<Rule, 'contexts'>): string[] =>
  rule.contexts.flatMap((c) => c.attributes.filter((a) => a.name === 'networkZoneId').flatMap((a) => a.value.split(',').map((v) => v.trim())));

/**
 * Network zones: named sets of addresses (IPv4/IPv6 addresses, ranges and subnets, VPCs, service
 * references) minus exclusions, that rules admit requests from. One name per account (409);
 * replace needs the zone's current entity tag (412); zones of another account answer 404.
 */

export interface ZoneInput {
  name: string;
  accountId: string;
  description?: string;
  addresses: WireAddress[];
  excluded?: WireAddress[];
}

const ZONE_NAME = /^[a-zA-Z0-9 \-_]{1,128}$/;

const subjectOf = (action: string, id: string, accountId: string | null): AuditSubject => ({
  action: `context-based-restrictions.zone.${action}`,
  targetType: 'zone',
  targetId: id,
  accountId,
});

export function createZoneOperations(ctx: CbrContext) {
  const { store, authorizer, clock } = ctx;

  function validated(input: ZoneInput): Pick<Zone, 'name' | 'accountId' | 'description' | 'addresses' | 'excluded'> {
    if (!ACCOUNT_ID.test(input.accountId)) throw cbrErrors.badRequest(`The account_id '${input.accountId}' is not valid.`);
    if (!ZONE_NAME.test(input.name)) {
      throw cbrErrors.badRequest(`The zone name '${input.name}' is not valid: use 1 to 128 letters, digits, spaces, '-' and '_'.`);
    }
    const excluded = input.excluded ?? [];
    if (input.addresses.length + excluded.length > LIMITS.addressesPerZone) throw cbrErrors.limit('zone address', LIMITS.addressesPerZone);
    return {
      name: input.name,
      accountId: input.accountId,
      description: input.description ?? '',
      addresses: input.addresses.map((a) => addressOf(ctx, a)),
      excluded: excluded.map((a) => addressOf(ctx, a)),
    };
  }

  /** The zone, if the actor's account holds it; 404 otherwise (another account's ids answer like missing ones). */
  async function visibleZone(actor: Actor, id: string): Promise<Zone> {
    const zone = ENTITY_ID.test(id) ? await store.getZone(id) : undefined;
    if (!zone || zone.accountId !== actor.principal.accountId) throw cbrErrors.zoneNotFound(id);
    return zone;
  }

  const authorize = (actor: Actor, verb: string, accountId: string, id?: string) =>
    authorizer.authorize(actor.principal, `context-based-restrictions.zone.${verb}`, zoneTarget(accountId, id), actor.environment);

  const duplicate = (name: string) => () => cbrErrors.duplicateZoneName(name);

  return {
    async create(actor: Actor, input: ZoneInput): Promise<Zone> {
      const id = ids.hex32();
      const subject = subjectOf('create', id, input.accountId);
      return audited(ctx, actor, subject, async (commit) => {
        await authorize(actor, 'create', input.accountId);
        const fields = validated(input);
        const at = clock.now().toISOString();
        const zone: Zone = {
          id,
          ...fields,
          entityTag: nextTag(),
          createdAt: at,
          createdById: actor.principal.iamId,
          lastModifiedAt: at,
          lastModifiedById: actor.principal.iamId,
        };
        await commit((w) =>
          conflictOnDuplicate(
            (async () => {
              if ((await store.countZones(zone.accountId, w.trx)) >= LIMITS.zonesPerAccount) throw cbrErrors.limit('zone', LIMITS.zonesPerAccount);
              await store.insertZone(w.trx, zone);
              w.changed({ entity: 'cbr_zone', entityId: id, accountId: zone.accountId, op: 'create' });
            })(),
            duplicate(zone.name),
          ),
        );
        return zone;
      });
    },

    async get(actor: Actor, id: string): Promise<Zone> {
      const zone = await visibleZone(actor, id);
      await authorize(actor, 'read', zone.accountId, id);
      return zone;
    },

    async list(actor: Actor, query: { accountId: string; name?: string; sort?: string }): Promise<Zone[]> {
      if (!ACCOUNT_ID.test(query.accountId)) throw cbrErrors.parameter('account_id', 'query');
      await authorize(actor, 'read', query.accountId);
      return sortZones(await store.listZones(query.accountId, query.name), query.sort);
    },

    async replace(actor: Actor, id: string, ifMatch: string | undefined, input: ZoneInput): Promise<Zone> {
      const subject = subjectOf('update', id, null);
      return audited(ctx, actor, subject, async (commit) => {
        const current = await visibleZone(actor, id);
        subject.accountId = current.accountId;
        if (ifMatch === undefined) throw new DomainError('precondition_required', 'precondition_required', 'The If-Match header is required.');
        const expected = expectedTag(ifMatch, current.entityTag);
        await authorize(actor, 'update', current.accountId, id);
        if (input.accountId !== current.accountId) throw cbrErrors.badRequest('The account_id of a zone cannot change.');
        const zone: Zone = {
          ...current,
          ...validated(input),
          entityTag: nextTag(current.entityTag),
          lastModifiedAt: clock.now().toISOString(),
          lastModifiedById: actor.principal.iamId,
        };
        await commit((w) =>
          conflictOnDuplicate(
            (async () => {
              if (!(await store.replaceZone(w.trx, zone, expected))) throw staleTag();
              w.changed({ entity: 'cbr_zone', entityId: id, accountId: zone.accountId, op: 'update' });
            })(),
            duplicate(zone.name),
          ),
        );
        return zone;
      });
    },

    async delete(actor: Actor, id: string): Promise<void> {
      const subject = subjectOf('delete', id, null);
      await audited(ctx, actor, subject, async (commit) => {
        const zone = await visibleZone(actor, id);
        subject.accountId = zone.accountId;
        await authorize(actor, 'delete', zone.accountId, id);
        await commit(async (w) => {
          // A zone a rule names stays: deleting it would silently change what the rule admits.
          const users = (await store.listRules(zone.accountId, w.trx)).filter((r) => zoneIdsOf(r).includes(id));
          if (users.length > 0) throw cbrErrors.zoneInUse(id, users[0]!.id);
          if (!(await store.deleteZone(w.trx, id))) throw cbrErrors.zoneNotFound(id);
          w.changed({ entity: 'cbr_zone', entityId: id, accountId: zone.accountId, op: 'delete' });
        });
      });
    },
  };
}

const ZONE_SORTS: Record<string, (z: Zone) => string> = {
  name: (z) => z.name,
  created_at: (z) => z.createdAt,
  last_modified_at: (z) => z.lastModifiedAt,
};

/** `sort`: `name`, `created_at` or `last_modified_at`, `-` first for descending; default creation order. */
function sortZones(zones: Zone[], sort: string | undefined): Zone[] {
  if (!sort) return zones;
  const descending = sort.startsWith('-');
  const key = ZONE_SORTS[descending ? sort.slice(1) : sort];
  if (!key) throw cbrErrors.parameter('sort', 'query');
  const sorted = [...zones].sort((a, b) => key(a).localeCompare(key(b)));
  return descending ? sorted.reverse() : sorted;
}

export type ZoneOperations = ReturnType<typeof createZoneOperations>;
