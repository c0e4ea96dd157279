import ContextBasedRestrictionsV1 from '@ibm-cloud/platform-services/context-based-restrictions/v1.js';
import { authenticatorFor } from '../helpers/sdk.js';

/** The CBR SDK client of an API key; `forwardedFor` sends every call as if from that client address (through a trusted proxy). */
export function cbrClient(url: string, apikey: string, forwardedFor?: string): ContextBasedRestrictionsV1 {
  return new ContextBasedRestrictionsV1({
    authenticator: authenticatorFor(url, apikey),
    serviceUrl: url,
    ...(forwardedFor ? { headers: { 'X-Forwarded-For': forwardedFor } } : {}),
  });
}

/** A rule body restricting one service of an account to the given zones. */
export function ruleOn(accountId: string, serviceName: string, zoneIds: string[], enforcementMode: 'enabled' | 'disabled' | 'report' = 'enabled') {
  return {
    contexts: [{ attributes: [{ name: 'networkZoneId', value: zoneIds.join(',') }] }],
    resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: serviceName }] }],
    enforcementMode,
  };
}

/** A zone address of the SDK's model (its base type names only `type`). */
export const address = (type: 'ipAddress' | 'ipRange' | 'subnet' | 'vpc' | 'instance' | 'Address', value: string) =>
  ({ type, value }) as ContextBasedRestrictionsV1.Address;
export const serviceRef = (ref: ContextBasedRestrictionsV1.ServiceRefValue) => ({ type: 'serviceRef', ref }) as ContextBasedRestrictionsV1.Address;
