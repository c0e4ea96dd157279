import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import { bearerOf as bearerFor, newAccount, newMember, rawCall } from '../helpers/identities.js';
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

/** Adds a (non-owner) user to an account, with an API key of their own. */
export async function addMember(server: TestServer, accountId: string): Promise<Caller> {
  const identity = await newMember(server, accountId);
  return { ...identity, client: policyClient(server.url, identity.apikey) };
}

/** Creates a second account with its owner. */
export async function createOtherAccount(server: TestServer): Promise<Caller> {
  const identity = await newAccount(server);
  return { ...identity, client: policyClient(server.url, identity.apikey) };
}

/** The Authorization header a caller's API key earns (for raw requests). */
export const bearerOf = (server: TestServer, apikey: string) => bearerFor(server.url, apikey);

/** Raw HTTP for what the SDK cannot send (malformed bodies, missing headers, bad queries). */
export const raw = (server: TestServer, ...rest: Parameters<typeof rawCall> extends [string, ...infer R] ? R : never) => rawCall(server.url, ...rest);

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
