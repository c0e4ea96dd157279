import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import UserManagementV1 from '@ibm-cloud/platform-services/user-management/v1.js';

/** An authenticator exactly as an IBM Cloud user configures it, pointed at the test server. */
export const authenticatorFor = (url: string, apikey: string) => new IamAuthenticator({ apikey, url });

export function identityClient(url: string, apikey: string): IamIdentityV1 {
  return new IamIdentityV1({ authenticator: authenticatorFor(url, apikey), serviceUrl: url });
}

export function policyClient(url: string, apikey: string): IamPolicyManagementV1 {
  return new IamPolicyManagementV1({ authenticator: authenticatorFor(url, apikey), serviceUrl: url });
}

export function groupsClient(url: string, apikey: string): IamAccessGroupsV2 {
  return new IamAccessGroupsV2({ authenticator: authenticatorFor(url, apikey), serviceUrl: url });
}

export function usersClient(url: string, apikey: string): UserManagementV1 {
  return new UserManagementV1({ authenticator: authenticatorFor(url, apikey), serviceUrl: url });
}
