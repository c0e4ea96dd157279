import { parseCrn } from '../kernel/crn.js';
import { parseAddress, parseRange, parseSubnet, type ZoneAddress } from '../pdp/index.js';
import type { CbrContext } from './context.js';
import { cbrErrors } from './errors.js';

/** A zone address as the API carries it (snake_case service reference). */
export type WireAddress =
  | { type: 'ipAddress' | 'ipRange' | 'subnet' | 'vpc' | 'instance'; value: string }
  | { type: 'serviceRef'; ref: { account_id: string; service_name?: string; service_type?: string; service_instance?: string; location?: string } };

/**
 * Validates one zone address and returns it in the stored form. IP entries must parse (IPv4 or
 * IPv6; a range's ends of one family, first ≤ last); a VPC or instance is a CRN; a service
 * reference names a service reference target of the catalog and one of the configured locations.
 */
export function addressOf(ctx: CbrContext, wire: WireAddress): ZoneAddress {
  switch (wire.type) {
    case 'ipAddress':
      if (!parseAddress(wire.value)) throw cbrErrors.invalidAddress('ipAddress', wire.value);
      return { type: wire.type, value: wire.value };
    case 'ipRange':
      if (!parseRange(wire.value)) throw cbrErrors.invalidAddress('ipRange', wire.value);
      return { type: wire.type, value: wire.value };
    case 'subnet':
      if (!parseSubnet(wire.value)) throw cbrErrors.invalidAddress('subnet', wire.value);
      return { type: wire.type, value: wire.value };
    case 'vpc':
    case 'instance': {
      const crn = parseCrn(wire.value);
      if (!crn || (wire.type === 'vpc' && crn.resourceType !== 'vpc' && crn.serviceName !== 'is')) throw cbrErrors.invalidAddress(wire.type, wire.value);
      return { type: wire.type, value: wire.value };
    }
    case 'serviceRef': {
      const ref = wire.ref;
      if (ref.service_name === undefined && ref.service_type === undefined) {
        throw cbrErrors.badRequest('A serviceRef address must name a service_name or a service_type.');
      }
      if (ref.service_name !== undefined && !isTarget(ctx, ref.service_name)) throw cbrErrors.invalidAddress('serviceRef service_name', ref.service_name);
      if (ref.service_type !== undefined && ref.service_type !== 'platform_service') throw cbrErrors.invalidAddress('serviceRef service_type', ref.service_type);
      if (ref.location !== undefined && !ctx.locations.includes(ref.location)) throw cbrErrors.invalidAddress('serviceRef location', ref.location);
      return {
        type: 'serviceRef',
        ref: {
          accountId: ref.account_id,
          ...(ref.service_name !== undefined ? { serviceName: ref.service_name } : {}),
          ...(ref.service_type !== undefined ? { serviceType: ref.service_type } : {}),
          ...(ref.service_instance !== undefined ? { serviceInstance: ref.service_instance } : {}),
          ...(ref.location !== undefined ? { location: ref.location } : {}),
        },
      };
    }
  }
}

/** The stored address in the API's form. */
export function wireOf(address: ZoneAddress): WireAddress {
  if (address.type !== 'serviceRef') return { type: address.type, value: address.value };
  const ref = address.ref;
  return {
    type: 'serviceRef',
    ref: {
      account_id: ref.accountId,
      ...(ref.serviceName !== undefined ? { service_name: ref.serviceName } : {}),
      ...(ref.serviceType !== undefined ? { service_type: ref.serviceType } : {}),
      ...(ref.serviceInstance !== undefined ? { service_instance: ref.serviceInstance } : {}),
      ...(ref.location !== undefined ? { location: ref.location } : {}),
    },
  };
}

/** Services a zone may reference: the catalog's IAM-enabled services. */
export function isTarget(ctx: CbrContext, serviceName: string): boolean {
  return ctx.catalog.service(serviceName)?.type === 'service';
}
