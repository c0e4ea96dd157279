import type IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import type IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import type IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import { newAccount, newMember, type Identity } from './identities.js';
import { groupsClient, identityClient, policyClient } from './sdk.js';
import type { TestServer } from './server.js';

/**
 * Someone a test acts as: their identity (account, IAM id, API key) and an SDK client per API,
 * each authenticating with that API key against the test server.
 */
export interface Caller extends Identity {
  identity: IamIdentityV1;
  policies: IamPolicyManagementV1;
  groups: IamAccessGroupsV2;
}

/** The SDK clients of an identity on a server. */
export const callerOf = (server: TestServer, who: Identity): Caller => ({
  ...who,
  identity: identityClient(server.url, who.apikey),
  policies: policyClient(server.url, who.apikey),
  groups: groupsClient(server.url, who.apikey),
});

/** The owner of the server's first account. */
export const ownerOf = (server: TestServer): Caller => callerOf(server, server.owner);

/** Creates another account, its owner and the owner's API key; the caller is that owner. */
export async function createOtherAccount(server: TestServer, login?: string): Promise<Caller> {
  return callerOf(server, await newAccount(server, login));
}

/** Adds a (non-owner) user to an account, with an API key of their own. */
export async function addMember(server: TestServer, accountId: string, name?: { first: string; last: string }): Promise<Caller> {
  return callerOf(server, await newMember(server, accountId, name));
}
