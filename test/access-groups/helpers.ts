import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import { createAccountsStore } from '../../src/accounts/store.js';
import { ids } from '../../src/kernel/ids.js';
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
  const { registry } = server.server;
  const login = `other-${ids.hex32().slice(0, 8)}@example.com`;
  const { value } = await registry.writer.write(async (w) => {
    const { account, owner } = await registry.accounts.createAccountIn(w, { name: 'Other', owner: { userId: login } }, 'test');
    const key = await registry.identity.issueApiKeyIn(w, {
      iamId: owner.iamId,
      accountId: account.id,
      name: 'owner key',
      description: '',
      createdBy: owner.iamId,
    });
    return { accountId: account.id, iamId: owner.iamId, apikey: key.value };
  });
  return { ...value, groups: groupsClient(server.url, value.apikey) };
}

/** Adds a (non-owner) user to an account, with an API key of their own. */
export async function addUser(server: TestServer, accountId: string, name = { first: 'Mem', last: 'Ber' }): Promise<Caller> {
  const { registry } = server.server;
  const store = createAccountsStore(registry.database.db);
  const iamId = ids.userIamId();
  const email = `${iamId.toLowerCase()}@example.com`;
  const { value } = await registry.writer.write(async (w) => {
    const at = new Date().toISOString();
    await store.insertUser(w.trx, { iamId, userId: email, email, firstName: name.first, lastName: name.last, realm: 'IBMid' }, at);
    await store.addMember(w.trx, accountId, iamId, 'ACTIVE', at);
    return registry.identity.issueApiKeyIn(w, { iamId, accountId, name: 'user key', description: '', createdBy: iamId });
  });
  return { accountId, iamId, apikey: value.value, groups: groupsClient(server.url, value.value) };
}

/** Creates a service ID through the IAM Identity API; returns its IAM id. */
export async function createServiceId(server: TestServer, caller: { accountId: string; apikey: string }, name: string) {
  const created = await identityClient(server.url, caller.apikey).createServiceId({ accountId: caller.accountId, name });
  return created.result;
}

/** The status an SDK call failed with (fails the test when it succeeds). */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  return (await errorOf(call)).status;
}

/** The error an SDK call failed with: status, message and parsed body. */
export async function errorOf(call: Promise<unknown>): Promise<{ status: number; message: string; body: any }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status: number; message: string; body?: string };
    return { status: e.status, message: e.message, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  throw new Error('expected the call to fail');
}

/** Raw HTTP for what the SDK cannot send (malformed bodies, missing headers). */
export async function raw(
  url: string,
  bearer: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: bearer, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** The Authorization header value a caller's API key earns (for raw fetch calls). */
export async function bearerOf(url: string, apikey: string): Promise<string> {
  const options: { headers: Record<string, string> } = { headers: {} };
  await authenticatorFor(url, apikey).authenticate(options);
  return options.headers.Authorization!;
}
