import type { ServiceGrants } from './grants.js';

/**
 * The kinds of index key, in a key's low three bits (the rest is an ordinal: ServiceKeys' for the
 * service kinds, the account's own for scopes). A policy is filed under its subject and one key:
 * its scope (an instance, a resource group, a resource) if it has one, else its service key (an
 * exact service name, a service type, a service group), else "any service".
 */
export const KeyKind = { ServiceName: 0, ServiceType: 1, ServiceGroup: 2, AnyService: 3, Instance: 4, ResourceGroup: 5, Resource: 6 } as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];
const KIND_BITS = 3;
export const KIND_MASK = (1 << KIND_BITS) - 1;
export const indexKey = (ordinal: number, kind: KeyKind) => (ordinal << KIND_BITS) | kind;
export const kindOf = (key: number) => (key & KIND_MASK) as KeyKind;
export const ordinalOf = (key: number) => key >> KIND_BITS;
/** The one key of policies that name no service and no scope. */
export const ANY_SERVICE_KEY = indexKey(0, KeyKind.AnyService);

/**
 * Index keys for the service keys policies are filed under (an exact service name, a service
 * type, a service group), shared by every account and never reused.
 */
export class ServiceKeys {
  private readonly keys = { name: new Map<string, number>(), type: new Map<string, number>(), group: new Map<string, number>() };
  private next = 0;
  /**
   * By ServiceGrants ordinal: the name, type and group keys of that service (-1: none), or
   * undefined until first asked. Cleared whenever a key is added.
   */
  private byGrants: Array<Int32Array | undefined> = [];

  keyOf(by: 'name' | 'type' | 'group', value: string): number {
    const map = this.keys[by];
    let key = map.get(value);
    if (key === undefined) {
      key = indexKey(this.next++, by === 'name' ? KeyKind.ServiceName : by === 'type' ? KeyKind.ServiceType : KeyKind.ServiceGroup);
      map.set(value, key);
      this.byGrants = [];
    }
    return key;
  }

  /**
   * The keys of `serviceName` (normally the service of `grants`; rolesOf may pass none), of its
   * type and of its group: one array read once cached.
   */
  of(grants: ServiceGrants, serviceName: string | undefined): Int32Array {
    let keys = serviceName === grants.service.name ? this.byGrants[grants.ordinal] : undefined;
    if (keys === undefined) {
      keys = Int32Array.of(this.find('name', serviceName), this.find('type', grants.type), this.find('group', grants.groupId));
      if (serviceName === grants.service.name) this.byGrants[grants.ordinal] = keys;
    }
    return keys;
  }

  /** The key of a service key some policy was filed under, or -1. */
  private find(by: 'name' | 'type' | 'group', value: string | undefined): number {
    return value === undefined ? -1 : (this.keys[by].get(value) ?? -1);
  }
}
