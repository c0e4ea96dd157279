import { BlockList, isIPv6 } from 'node:net';
import type { Clock } from '../kernel/clock.js';
import { DomainError } from '../kernel/errors.js';

/**
 * Enforcement of the account identity setting `allowed_ip_addresses` (comma-separated IPv4/IPv6
 * addresses and CIDR subnets, as src/identity/settings.ts accepts them; empty = no restriction).
 *
 * As on IBM Cloud, the list restricts every identity of the account, the owner included: an IAM
 * token scoped to the account is only issued to a client whose address is listed, and (here also)
 * an API call with a token scoped to the account is only served to such a client. Operators get
 * out of a lock-out through `exempt` (PORTCULLIS_ALLOWED_IP_EXEMPT): addresses that no account's
 * list restricts, e.g. the host the operator works from while fixing the setting.
 */
export interface AllowedAddresses {
  /** Throws DomainError('forbidden', 'ip_address_not_allowed') unless `address` may act in `accountId`. */
  admit(accountId: string, address: string): Promise<void>;
}

export interface AllowedAddressesDeps {
  /** The account's `allowed_ip_addresses` in force (the identity service's effective settings). */
  allowedIpAddressesOf(accountId: string): Promise<string>;
  clock: Clock;
  /** Addresses and CIDR subnets no account's list restricts (operator recovery). */
  exempt: readonly string[];
  /**
   * How long an account's list is used without reading it again, in ms (default 1000): a changed
   * list is in force on every node at most this long after the write.
   */
  cacheMs?: number;
}

const CACHE_LIMIT = 10_000;

/** A BlockList of `entries` (addresses or `address/prefix` subnets); entries it cannot parse match nothing. */
export function addressList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address = '', prefix] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    try {
      if (prefix === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(prefix), type);
    } catch {
      // settings.ts refuses such entries on write; one stored before that check matches nothing.
    }
  }
  return list;
}

function includes(list: BlockList, address: string): boolean {
  return list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

export const ipNotAllowed = (accountId: string, address: string) =>
  new DomainError(
    'forbidden',
    'ip_address_not_allowed',
    `Access to account ${accountId} from IP address ${address} is not allowed: the account restricts access to its allowed IP addresses.`,
    {
      messageCode: 'BXNIM0513E',
      more: 'An administrator of the account can add this address to the allowed_ip_addresses identity setting.',
    },
  );

export function createAllowedAddresses(deps: AllowedAddressesDeps): AllowedAddresses {
  const cacheMs = deps.cacheMs ?? 1000;
  const exempt = addressList(deps.exempt);
  const lists = new Map<string, { list: BlockList | undefined; until: number }>();

  async function listOf(accountId: string): Promise<BlockList | undefined> {
    const now = deps.clock.now().getTime();
    const cached = lists.get(accountId);
    if (cached && cached.until > now) return cached.list;
    const text = await deps.allowedIpAddressesOf(accountId);
    const entries = text.split(',').filter((e) => e.trim() !== '');
    const list = entries.length === 0 ? undefined : addressList(entries);
    if (lists.size >= CACHE_LIMIT) lists.clear();
    lists.set(accountId, { list, until: now + cacheMs });
    return list;
  }

  return {
    async admit(accountId, address) {
      const list = await listOf(accountId);
      if (list === undefined || includes(list, address) || includes(exempt, address)) return;
      throw ipNotAllowed(accountId, address);
    },
  };
}
