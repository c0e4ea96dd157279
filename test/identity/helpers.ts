import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import type IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import { createAccountsStore } from '../../src/accounts/store.js';
import { ids } from '../../src/kernel/ids.js';
import { authenticatorFor, identityClient } from '../helpers/sdk.js';
import type { TestServer } from '../helpers/server.js';

/** Someone who can call the API: their identity, account, API key and SDK client. */
export interface Caller {
  accountId: string;
  iamId: string;
  apikey: string;
  client: IamIdentityV1;
}

export const ownerOf = (server: TestServer): Caller => ({ ...server.owner, client: identityClient(server.url, server.owner.apikey) });

/** Creates a second account (with its owner and the owner's API key) through the stores. */
export async function createOtherAccount(server: TestServer, login = `other-${ids.hex32().slice(0, 8)}@example.com`): Promise<Caller> {
  const { registry } = server.server;
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
  return { ...value, client: identityClient(server.url, value.apikey) };
}

/** Adds a (non-owner) user to an account, with an API key of their own. */
export async function addMember(server: TestServer, accountId: string): Promise<Caller> {
  const { registry } = server.server;
  const store = createAccountsStore(registry.database.db);
  const iamId = ids.userIamId();
  const { value } = await registry.writer.write(async (w) => {
    const at = new Date().toISOString();
    await store.insertUser(
      w.trx,
      { iamId, userId: `${iamId.toLowerCase()}@example.com`, email: `${iamId.toLowerCase()}@example.com`, firstName: 'Mem', lastName: 'Ber', realm: 'IBMid' },
      at,
    );
    await store.addMember(w.trx, accountId, iamId, 'ACTIVE', at);
    return registry.identity.issueApiKeyIn(w, { iamId, accountId, name: 'member key', description: '', createdBy: iamId });
  });
  return { accountId, iamId, apikey: value.value, client: identityClient(server.url, value.value) };
}

/** The Authorization header value a caller's API key earns (for raw fetch calls). */
export async function bearerOf(server: TestServer, apikey: string): Promise<string> {
  const authenticator: IamAuthenticator = authenticatorFor(server.url, apikey);
  const options: { headers: Record<string, string> } = { headers: {} };
  await authenticator.authenticate(options);
  return options.headers.Authorization!;
}

/** Raw HTTP for what the SDK cannot send (malformed bodies, missing headers). */
export async function raw(
  server: TestServer,
  bearer: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: bearer, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** The status an SDK call failed with (fails the test when it succeeds). */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    return (error as { status: number }).status;
  }
  throw new Error('expected the call to fail');
}

/** The error body an SDK call failed with. */
export async function errorOf(call: Promise<unknown>): Promise<{ status: number; message: string; body: any }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status: number; message: string; body?: string };
    return { status: e.status, message: e.message, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  throw new Error('expected the call to fail');
}

/** The pagetoken query parameter of a page link. */
export const pagetokenOf = (link: string) => new URL(link).searchParams.get('pagetoken') ?? undefined;

/** A timestamp `days` from now in the Identity format. */
export function identityTime(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.toISOString().slice(0, 16)}+0000`;
}
