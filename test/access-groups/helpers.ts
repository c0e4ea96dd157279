import { identityClient } from '../helpers/sdk.js';
import type { TestServer } from '../helpers/server.js';

/** Helpers of the access-groups tests only; callers, raw HTTP and error helpers are in test/helpers/. */

/** Creates a service ID through the IAM Identity API; returns it. */
export async function createServiceId(server: TestServer, caller: { accountId: string; apikey: string }, name: string) {
  const created = await identityClient(server.url, caller.apikey).createServiceId({ accountId: caller.accountId, name });
  return created.result;
}
