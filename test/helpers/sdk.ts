import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';

/** An authenticator exactly as an IBM Cloud user configures it, pointed at the test server. */
export const authenticatorFor = (url: string, apikey: string) => new IamAuthenticator({ apikey, url });

export function identityClient(url: string, apikey: string): IamIdentityV1 {
  return new IamIdentityV1({ authenticator: authenticatorFor(url, apikey), serviceUrl: url });
}
