import { createAccountsStore } from '../../src/accounts/store.js';
import { ids } from '../../src/kernel/ids.js';
import { authenticatorFor } from './sdk.js';
import type { TestServer } from './server.js';

/** An identity a test acts as: its account, IAM id and API key. */
export interface Identity {
  accountId: string;
  iamId: string;
  apikey: string;
}

/** Creates another account, its owner and the owner's API key, through the services. */
export async function newAccount(server: TestServer, login = `other-${ids.hex32().slice(0, 8)}@example.com`): Promise<Identity> {
  const { registry } = server.server;
  const { value } = await registry.writer.write(async (w) => {
    const { account, owner } = await registry.accounts.createAccountIn(w, { name: 'Other', owner: { userId: login } }, 'test');
    const key = await registry.identity.issueApiKeyIn(w, { iamId: owner.iamId, accountId: account.id, name: 'owner key', description: '', createdBy: owner.iamId });
    return { accountId: account.id, iamId: owner.iamId, apikey: key.value };
  });
  return value;
}

/** Adds a (non-owner) user to an account, with an API key of their own; login `<iam id>@example.com`. */
export async function newMember(server: TestServer, accountId: string, name = { first: 'Mem', last: 'Ber' }): Promise<Identity> {
  const { registry } = server.server;
  const store = createAccountsStore(registry.database.db);
  const iamId = ids.userIamId();
  const login = `${iamId.toLowerCase()}@example.com`;
  const { value } = await registry.writer.write(async (w) => {
    const at = new Date().toISOString();
    await store.insertUser(w.trx, { iamId, userId: login, email: login, firstName: name.first, lastName: name.last, realm: 'IBMid' }, at);
    await store.addMember(w.trx, accountId, iamId, 'ACTIVE', at);
    return registry.identity.issueApiKeyIn(w, { iamId, accountId, name: 'member key', description: '', createdBy: iamId });
  });
  return { accountId, iamId, apikey: value.value };
}

/** The Authorization header value an API key earns (for raw requests). */
export async function bearerOf(url: string, apikey: string): Promise<string> {
  const options: { headers: Record<string, string> } = { headers: {} };
  await authenticatorFor(url, apikey).authenticate(options);
  return options.headers.Authorization!;
}

/** Raw HTTP for what the SDK cannot send (malformed bodies, missing headers, bad queries). */
export async function rawCall(
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

/** The error an SDK call failed with: status, message and parsed body (fails the test when it succeeds). */
export async function errorOf(call: Promise<unknown>): Promise<{ status: number; message: string; body: any }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status: number; message: string; body?: string };
    return { status: e.status, message: e.message, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  throw new Error('expected the call to fail');
}

/** The status an SDK call failed with (fails the test when it succeeds). */
export const statusOf = async (call: Promise<unknown>): Promise<number> => (await errorOf(call)).status;

/**
 * The HTTP status of an SDK call, whether it succeeded or failed (for races and for checks that
 * accept either outcome); rethrows what is not an HTTP answer.
 */
export async function callStatus(call: Promise<unknown>): Promise<number> {
  try {
    return ((await call) as { status: number }).status;
  } catch (error) {
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status !== 'number') throw error;
    return status;
  }
}
