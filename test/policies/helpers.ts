import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import { createAccountsStore } from '../../src/accounts/store.js';
import { ids } from '../../src/kernel/ids.js';
import { authenticatorFor } from '../helpers/sdk.js';
import type { TestServer } from '../helpers/server.js';

/** Someone who calls the policy API: identity, account, API key and SDK client. */
export interface Caller {
  accountId: string;
  iamId: string;
  apikey: string;
  client: IamPolicyManagementV1;
}

export const policyClient = (url: string, apikey: string) =>
  new IamPolicyManagementV1({ authenticator: authenticatorFor(url, apikey), serviceUrl: url });

export const ownerOf = (server: TestServer): Caller => ({ ...server.owner, client: policyClient(server.url, server.owner.apikey) });

/** Adds a (non-owner) user to an account through the stores, with an API key of their own. */
export async function addMember(server: TestServer, accountId: string): Promise<Caller> {
  const { registry } = server.server;
  const store = createAccountsStore(registry.database.db);
  const iamId = ids.userIamId();
  const { value } = await registry.writer.write(async (w) => {
    const at = new Date().toISOString();
    const login = `${iamId.toLowerCase()}@example.com`;
    await store.insertUser(w.trx, { iamId, userId: login, email: login, firstName: 'Mem', lastName: 'Ber', realm: 'IBMid' }, at);
    await store.addMember(w.trx, accountId, iamId, 'ACTIVE', at);
    return registry.identity.issueApiKeyIn(w, { iamId, accountId, name: 'member key', description: '', createdBy: iamId });
  });
  return { accountId, iamId, apikey: value.value, client: policyClient(server.url, value.value) };
}

/** Creates a second account with its owner, through the stores. */
export async function createOtherAccount(server: TestServer): Promise<Caller> {
  const { registry } = server.server;
  const login = `other-${ids.hex32().slice(0, 8)}@example.com`;
  const { value } = await registry.writer.write(async (w) => {
    const { account, owner } = await registry.accounts.createAccountIn(w, { name: 'Other', owner: { userId: login } }, 'test');
    const key = await registry.identity.issueApiKeyIn(w, { iamId: owner.iamId, accountId: account.id, name: 'k', description: '', createdBy: owner.iamId });
    return { accountId: account.id, iamId: owner.iamId, apikey: key.value };
  });
  return { ...value, client: policyClient(server.url, value.apikey) };
}

/** The Authorization header a caller's API key earns (for raw requests). */
export async function bearerOf(server: TestServer, apikey: string): Promise<string> {
  const authenticator: IamAuthenticator = authenticatorFor(server.url, apikey);
  const options: { headers: Record<string, string> } = { headers: {} };
  await authenticator.authenticate(options);
  return options.headers.Authorization!;
}

/** Raw HTTP for what the SDK cannot send (malformed bodies, missing headers, bad queries). */
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

/** The error an SDK call failed with: status and IBM's error body (fails the test when the call succeeds). */
export async function failureOf(call: Promise<unknown>): Promise<{ status: number; code: string | undefined; body: any }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status: number; body?: string; result?: any };
    const body = e.result ?? (typeof e.body === 'string' ? JSON.parse(e.body) : e.body);
    return { status: e.status, code: body?.errors?.[0]?.code, body };
  }
  throw new Error('expected the call to fail');
}

export const role = (name: string) => `crn:v1:bluemix:public:iam::::role:${name}`;
export const serviceRole = (name: string) => `crn:v1:bluemix:public:iam::::serviceRole:${name}`;

/** A v1 access policy body for the SDK's createPolicy/replacePolicy. */
export function v1Access(accountId: string, iamId: string, attributes: Record<string, string>, roles: string[] = [role('Viewer')]) {
  return {
    type: 'access',
    subjects: [{ attributes: [{ name: 'iam_id', value: iamId }] }],
    roles: roles.map((role_id) => ({ role_id })),
    resources: [
      { attributes: [{ name: 'accountId', value: accountId }, ...Object.entries(attributes).map(([name, value]) => ({ name, value }))] },
    ],
  };
}

/** A v2 access policy body for the SDK's createV2Policy/replaceV2Policy. */
export function v2Access(accountId: string, iamId: string, attributes: Record<string, string>, roles: string[] = [role('Viewer')]) {
  return {
    type: 'access',
    subject: { attributes: [{ key: 'iam_id', operator: 'stringEquals', value: iamId }] },
    resource: {
      attributes: [
        { key: 'accountId', operator: 'stringEquals', value: accountId },
        ...Object.entries(attributes).map(([key, value]) => ({ key, operator: 'stringEquals', value })),
      ],
    },
    control: { grant: { roles: roles.map((role_id) => ({ role_id })) } },
  };
}
