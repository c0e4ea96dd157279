import type IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import type { Api } from '../client/api.js';
import { CliError } from '../client/errors.js';

type Role = IamPolicyManagementV1.Role | IamPolicyManagementV1.CustomRole;

/** Every role that can be granted on a service (or, without one, the platform roles), as the API lists them. */
export async function rolesFor(api: Api, serviceName?: string): Promise<Role[]> {
  const { result } = await api.policies.listRoles({ accountId: api.accountId, ...(serviceName && { serviceName }) });
  return [...(result.custom_roles ?? []), ...(result.service_roles ?? []), ...(result.system_roles ?? [])];
}

/**
 * Role names as `--roles` takes them ("Viewer,Writer", any letter case, or role CRNs) → role ids.
 * A name the service does not offer is refused with the names it does.
 */
export async function roleIds(api: Api, names: string[], serviceName?: string): Promise<{ role_id: string }[]> {
  if (names.length === 0) throw new CliError('Name at least one role (--roles).', 2);
  const offered = names.every((n) => n.startsWith('crn:')) ? [] : await rolesFor(api, serviceName);
  return names.map((name) => {
    if (name.startsWith('crn:')) return { role_id: name };
    const role = offered.find((r) => r.display_name.toLowerCase() === name.toLowerCase() || ('name' in r && r.name.toLowerCase() === name.toLowerCase()));
    if (!role?.crn) {
      throw new CliError(`Role '${name}' does not exist${serviceName ? ` for service ${serviceName}` : ''}. Roles: ${offered.map((r) => r.display_name).join(', ')}.`);
    }
    return { role_id: role.crn };
  });
}
