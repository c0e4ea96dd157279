import type { IdentityService } from '../identity/service.js';
import type { MfaTrait } from '../identity/types.js';
import type { Actor } from '../kernel/principal.js';
import type { PolicyDomain } from '../policies/index.js';
import { parseV1 } from '../policies/v1.js';

/** The service ID `options.create_iam_service_id_with_apikey_and_owner_policies` makes, with its one key. */
export interface OwnerServiceId {
  serviceId: string;
  apiKeyId: string;
  /** The key's value: returned once, in the createAccount response. */
  apiKey: string;
}

/**
 * What a new child account is given after it is created, on its owner's authority (the owner's
 * built-in rights; `owner` is an Actor for the owner in the new account, carrying the creating
 * request's id): the owner-access service ID and the starting MFA level.
 */
export interface OwnerSetup {
  /**
   * Creates a service ID in the account with one API key and the account owner's access: Administrator
   * and Manager on all IAM-enabled services, Administrator on all account-management services.
   */
  createOwnerServiceId(owner: Actor, accountId: string): Promise<OwnerServiceId>;
  /** Sets the account's identity setting `mfa` (trait `mfa`). */
  setMfa(owner: Actor, accountId: string, mfa: MfaTrait): Promise<void>;
}

const ROLE = 'crn:v1:bluemix:public:iam::::role:';
const SERVICE_ROLE = 'crn:v1:bluemix:public:iam::::serviceRole:';

/** The owner's access, as policies on the account's two "all …" scopes (reference/authz.md §4). */
const OWNER_ACCESS = [
  { serviceType: 'service', roles: [`${ROLE}Administrator`, `${SERVICE_ROLE}Manager`] },
  { serviceType: 'platform_service', roles: [`${ROLE}Administrator`] },
];

/** Owner setup through the identity and policy domains' own operations (authorized, audited). */
export function ownerSetup(deps: {
  serviceIds: Pick<IdentityService['serviceIds'], 'create'>;
  settings: Pick<IdentityService['settings'], 'update'>;
  policies: Pick<PolicyDomain['policies'], 'create'>;
}): OwnerSetup {
  return {
    async createOwnerServiceId(owner, accountId) {
      const { serviceId, apiKey } = await deps.serviceIds.create(owner, {
        accountId,
        name: 'enterprise-account-owner',
        description: `Service ID with the owner's access to account ${accountId}, created with the account`,
        apikey: { name: 'enterprise-account-owner', description: `API key of the owner-access service ID of account ${accountId}` },
      });
      if (!apiKey) throw new Error('the owner-access service ID was created without its API key');
      for (const access of OWNER_ACCESS) {
        const draft = parseV1({
          type: 'access',
          subjects: [{ attributes: [{ name: 'iam_id', value: serviceId.iamId }] }],
          roles: access.roles.map((role_id) => ({ role_id })),
          resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceType', value: access.serviceType }] }],
        });
        await deps.policies.create(owner, draft);
      }
      return { serviceId: serviceId.id, apiKeyId: apiKey.apiKey.id, apiKey: apiKey.value };
    },

    async setMfa(owner, accountId, mfa) {
      await deps.settings.update(owner, accountId, '*', { mfa });
    },
  };
}
