import { BaseService, BearerTokenAuthenticator } from 'ibm-cloud-sdk-core';
import IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import UserManagementV1 from '@ibm-cloud/platform-services/user-management/v1.js';
import ResourceManagerV2 from '@ibm-cloud/platform-services/resource-manager/v2.js';
import type { Connection } from './session.js';

/**
 * The decision point (`/v2/authz`, and our `/v2/authz/who-can`), which has no client in the SDK: the SDK's BaseService does
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

  whoCan(body: { action: string; resource: unknown }): Promise<{ result: WhoCanResponse }> {
    return this.createRequest({
      options: { url: '/v2/authz/who-can', method: 'POST', body },
      defaultOptions: { ...this.baseOptions, headers: { Accept: 'application/json', 'Content-Type': 'application/json' } },
    }) as Promise<{ result: WhoCanResponse }>;
  }
}

/** `POST /v2/authz/who-can` (Portcullis's reverse query): who is permitted an action on a resource. */
export interface WhoCanResponse {
  action: string;
  resource: { attributes: Record<string, string> };
  subjects: Array<{ iamId: string; type: string; grants: Array<{ policyId: string; role: string; via: string }> }>;
  accessGroups: Array<{ id: string; policies: Array<{ policyId: string; role: string }>; members: string[] }>;
  everyone: Array<{ policyId: string; role: string }>;
  services: Array<{ policyId: string; role: string; source: { attributes: Array<{ key: string; operator: string; value: unknown }> } }>;
  restrictions: Array<{ ruleId: string; mode: string; satisfied?: boolean }>;
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
