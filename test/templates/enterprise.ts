import EnterpriseManagementV1 from '@ibm-cloud/platform-services/enterprise-management/v1.js';
import { authenticatorFor, identityClient } from '../helpers/sdk.js';
import { callerOf, type Caller } from '../helpers/callers.js';
import type { TestServer } from '../helpers/server.js';

/**
 * The enterprise the template tests assign into: the server's first account becomes the enterprise
 * account, with an account group holding two child accounts (A and B) whose owner is the same
 * person, acting in each child with an API key of that child.
 */
export interface TemplateWorld {
  root: Caller;
  accountGroupId: string;
  childA: Caller;
  childB: Caller;
  enterprise: EnterpriseManagementV1;
}

export async function buildEnterprise(server: TestServer): Promise<TemplateWorld> {
  const enterprise = new EnterpriseManagementV1({ authenticator: authenticatorFor(server.url, server.owner.apikey), serviceUrl: `${server.url}/v1` });
  const made = await enterprise.createEnterprise({ sourceAccountId: server.owner.accountId, name: 'Templates Corp', primaryContactIamId: server.owner.iamId });
  const enterpriseCrn = (await enterprise.getEnterprise({ enterpriseId: made.result.enterprise_id! })).result.crn!;
  const group = await enterprise.createAccountGroup({ parent: enterpriseCrn, name: 'Teams', primaryContactIamId: server.owner.iamId });
  const accountGroupId = group.result.account_group_id!;
  const groupCrn = (await enterprise.getAccountGroup({ accountGroupId })).result.crn!;
  const child = async (name: string): Promise<Caller> => {
    const account = await enterprise.createAccount({ parent: groupCrn, name, ownerIamId: server.owner.iamId });
    const accountId = account.result.account_id!;
    const key = await identityClient(server.url, server.owner.apikey).createApiKey({ name: `owner-in-${name}`, iamId: server.owner.iamId, accountId });
    return callerOf(server, { accountId, iamId: server.owner.iamId, apikey: key.result.apikey! });
  };
  return { root: callerOf(server, server.owner), accountGroupId, childA: await child('child-a'), childB: await child('child-b'), enterprise };
}

/** Polls an assignment read until its status is final (or it is gone: 404). */
export async function settle<T extends { status?: string }>(read: () => Promise<{ result: T }>, attempts = 100): Promise<T | 'gone'> {
  for (let i = 0; i < attempts; i++) {
    try {
      const { result } = await read();
      if (result.status === 'succeeded' || result.status === 'failed') return result;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return 'gone';
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the assignment did not settle');
}

/** A policy giving `iamId` `role` on `serviceName` in `accountId`. */
export const rolePolicy = (accountId: string, iamId: string, serviceName: string, role: string) => ({
  type: 'access',
  subjects: [{ attributes: [{ name: 'iam_id', value: iamId }] }],
  roles: [{ role_id: `crn:v1:bluemix:public:iam::::${role}` }],
  resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: serviceName }] }],
});

