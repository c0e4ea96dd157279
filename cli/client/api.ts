import { BaseService, BearerTokenAuthenticator } from 'ibm-cloud-sdk-core';
import IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import UserManagementV1 from '@ibm-cloud/platform-services/user-management/v1.js';
import ResourceManagerV2 from '@ibm-cloud/platform-services/resource-manager/v2.js';
import type { Connection } from './session.js';

/**
 * The decision point (`/v2/authz`), which has no client in the SDK: the SDK's BaseService does
 * the HTTP, authentication and error shaping, as for every generated client.
 */
export class AuthzClient extends BaseService {
  static override DEFAULT_SERVICE_NAME = 'authz';

  authorize(body: unknown[], explain: boolean): Promise<{ result: { responses: AuthzResponse[] } }> {
    return this.createRequest({
      options: { url: '/v2/authz', method: 'POST', body, qs: explain ? { explain: true } : {} },
      defaultOptions: { ...this.baseOptions, headers: { Accept: 'application/json', 'Content-Type': 'application/json' } },
    }) as Promise<{ result: { responses: AuthzResponse[] } }>;
  }
}

export interface AuthzResponse {
  requestId?: string;
  status: string;
  authorizationDecision?: { permitted: boolean; reason: string; explain?: Record<string, unknown> };
  error?: { transactionId: string; errors: Record<string, unknown>[] };
}

/** The SDK clients of one command, all on one bearer token and the server's URL. */
export class Api {
  readonly identity: IamIdentityV1;
  readonly groups: IamAccessGroupsV2;
  readonly policies: IamPolicyManagementV1;
  readonly users: UserManagementV1;
  readonly resources: ResourceManagerV2;
  readonly authz: AuthzClient;

  constructor(readonly connection: Connection) {
    const options = { authenticator: new BearerTokenAuthenticator({ bearerToken: connection.accessToken }), serviceUrl: connection.url };
    this.identity = new IamIdentityV1(options);
    this.groups = new IamAccessGroupsV2(options);
    this.policies = new IamPolicyManagementV1(options);
    this.users = new UserManagementV1(options);
    this.resources = new ResourceManagerV2(options);
    this.authz = new AuthzClient(options);
  }

  get accountId(): string {
    return this.connection.accountId;
  }
}
