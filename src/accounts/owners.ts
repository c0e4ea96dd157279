import type { Clock } from '../kernel/clock.js';
import type { AccountsStore } from './store.js';

/**
 * Who owns an account, remembered for `ttlMs` so that hot paths (every management call and every
 * decision query checks the owner exception) do not read the database each time. Ownership is
 * fixed at account creation, so the bound only matters for accounts that do not exist yet.
 */
export function createOwnerLookup(accounts: Pick<AccountsStore, 'getAccount'>, clock: Clock, ttlMs = 5000) {
  const known = new Map<string, { owner: string | undefined; until: number }>();
  return async (accountId: string): Promise<string | undefined> => {
    const now = clock.now().getTime();
    const hit = known.get(accountId);
    if (hit && hit.until > now) return hit.owner;
    const owner = (await accounts.getAccount(accountId))?.ownerIamId;
    if (known.size > 100_000) known.clear();
    known.set(accountId, { owner, until: now + ttlMs });
    return owner;
  };
}

export type OwnerLookup = ReturnType<typeof createOwnerLookup>;
