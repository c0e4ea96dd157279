import EnterpriseManagementV1 from '@ibm-cloud/platform-services/enterprise-management/v1.js';
import ResourceControllerV2 from '@ibm-cloud/platform-services/resource-controller/v2.js';
import ResourceManagerV2 from '@ibm-cloud/platform-services/resource-manager/v2.js';
import UserManagementV1 from '@ibm-cloud/platform-services/user-management/v1.js';
import { BearerTokenAuthenticator } from 'ibm-cloud-sdk-core';
import { authenticatorFor } from '../helpers/sdk.js';

/** The four SDK clients as an IBM Cloud user configures them; Enterprise Management's base URL carries `/v1`. */
export function clientsFor(url: string, apikey: string) {
  const authenticator = authenticatorFor(url, apikey);
  return {
    enterprise: new EnterpriseManagementV1({ authenticator, serviceUrl: `${url}/v1` }),
    users: new UserManagementV1({ authenticator, serviceUrl: url }),
    groups: new ResourceManagerV2({ authenticator, serviceUrl: url }),
    instances: new ResourceControllerV2({ authenticator, serviceUrl: url }),
  };
}

/** A User Management client whose bearer credential is an invitation token. */
export const invitationClient = (url: string, token: string) =>
  new UserManagementV1({ authenticator: new BearerTokenAuthenticator({ bearerToken: token }), serviceUrl: url });

/** Cloud Object Storage standard plan (src/resources/plans.ts). */
export const COS_PLAN = '744bfc56-d12c-4866-88d5-dac9139e0e5d';
export const KMS_PLAN = 'eedd3585-90c6-4c9e-be1d-b2f0e6d5f6c6';
