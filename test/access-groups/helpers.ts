import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import { newAccount, newMember } from '../helpers/identities.js';
import { authenticatorFor, identityClient } from '../helpers/sdk.js';
import type { TestServer } from '../helpers/server.js';

/** Someone who can call the API: their identity, account, API key and access-groups client. */
export interface Caller {
  accountId: string;
  iamId: string;
  apikey: string;
  groups: IamAccessGroupsV2;
}

export const groupsClient = (url: string, apikey: string) =>
  new IamAccessGroupsV2({ authenticator: authenticatorFor(url, apikey), serviceUrl: url });

export const ownerOf = (server: TestServer): Caller => ({ ...server.owner, groups: groupsClient(server.url, server.owner.apikey) });

/** Creates a second account (with its owner and the owner's API key). */
export async function createOtherAccount(server: TestServer): Promise<Caller> {
  const identity = await newAccount(server);
  return { ...identity, groups: groupsClient(server.url, identity.apikey) };
}

/** Adds a (non-owner) user to an account, with an API key of their own. */
export async function addUser(server: TestServer, accountId: string, name?: { first: string; last: string }): Promise<Caller> {
  const identity = await newMember(server, accountId, name);
  return { ...identity, groups: groupsClient(server.url, identity.apikey) };
}

/** Creates a service ID through the IAM Identity API; returns its IAM id. */
export async function createServiceId(server: TestServer, caller: { accountId: string; apikey: string }, name: string) {
  const created = await identityClient(server.url, caller.apikey).createServiceId({ accountId: caller.accountId, name });
  return created.result;
}

export { bearerOf, errorOf, rawCall as raw, statusOf } from '../helpers/identities.js';
