import type IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import { bearerOf as bearerFor, errorOf, newAccount, newMember, rawCall, statusOf } from '../helpers/identities.js';
import { identityClient } from '../helpers/sdk.js';
import type { TestServer } from '../helpers/server.js';

/** Someone who can call the API: their identity, account, API key and SDK client. */
export interface Caller {
  accountId: string;
  iamId: string;
  apikey: string;
  client: IamIdentityV1;
}

export const ownerOf = (server: TestServer): Caller => ({ ...server.owner, client: identityClient(server.url, server.owner.apikey) });

/** Creates a second account (with its owner and the owner's API key). */
export async function createOtherAccount(server: TestServer, login?: string): Promise<Caller> {
  const identity = await newAccount(server, login);
  return { ...identity, client: identityClient(server.url, identity.apikey) };
}

/** Adds a (non-owner) user to an account, with an API key of their own. */
export async function addMember(server: TestServer, accountId: string): Promise<Caller> {
  const identity = await newMember(server, accountId);
  return { ...identity, client: identityClient(server.url, identity.apikey) };
}

export const bearerOf = (server: TestServer, apikey: string) => bearerFor(server.url, apikey);

export const raw = (server: TestServer, ...rest: Parameters<typeof rawCall> extends [string, ...infer R] ? R : never) => rawCall(server.url, ...rest);

export { errorOf, statusOf };

/** The pagetoken query parameter of a page link. */
export const pagetokenOf = (link: string) => new URL(link).searchParams.get('pagetoken') ?? undefined;

/** A timestamp `days` from now in the Identity format. */
export function identityTime(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.toISOString().slice(0, 16)}+0000`;
}
