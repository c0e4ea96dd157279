import { accountId, api, cursorOf, data } from '../../api/client.ts';
import type { IdentityChoice } from '../../api/identities.ts';
import type { PickerSource } from '../../ui/SearchPicker.tsx';
import type { paths } from '../../api/schema';

/** What the assign-access flow reads and writes, through the public APIs only. */

export type CatalogService = paths['/v1/catalog/services']['get']['responses'][200]['content']['application/json']['services'][number];
type RoleCollection = paths['/v2/roles']['get']['responses'][200]['content']['application/json'];
export type SystemRole = RoleCollection['system_roles'][number];
export type CustomRole = RoleCollection['custom_roles'][number];

/** A role the flow can offer: its CRN, name, kind and exactly the actions it grants. */
export interface OfferedRole {
  crn: string;
  name: string;
  kind: 'platform' | 'service' | 'custom';
  description?: string | undefined;
  actions: string[];
  /** Custom roles: the role's id (for edits) and its service. */
  id?: string | undefined;
  serviceName?: string | undefined;
}

/** The policy subject attribute that names an identity or an access group. */
export const subjectAttribute = (c: IdentityChoice): { key: 'iam_id' | 'access_group_id'; value: string } => ({ key: c.kind === 'group' ? 'access_group_id' : 'iam_id', value: c.id });

export interface PolicyAttribute {
  key: string;
  operator: 'stringEquals' | 'stringExists' | 'stringMatch' | 'stringEqualsAnyOf' | 'stringMatchAnyOf';
  value: string;
}

export const catalogServices = async (): Promise<CatalogService[]> =>
  (await data(api.GET('/v1/catalog/services'))).services.sort((a, b) => a.displayName.localeCompare(b.displayName));

export async function resourceGroups(): Promise<{ id: string; name: string }[]> {
  const list = await data(api.GET('/v2/resource_groups', { params: { query: { account_id: accountId() } } }));
  return (list.resources ?? []).map((g) => ({ id: g.id ?? '', name: g.name ?? g.id ?? '' }));
}

export interface InstanceChoice {
  guid: string;
  name: string;
}

/** The service instances of one service, as a picker source: pages of every instance the caller may see, and a look-up by exact name. */
export function instancesOf(serviceName: string): PickerSource<InstanceChoice> {
  const ofService = (list: { resources?: { guid?: string; name?: string; crn?: string }[] }) =>
    (list.resources ?? []).filter((i) => (i.crn ?? '').split(':')[4] === serviceName).map((i) => ({ guid: i.guid ?? '', name: i.name ?? i.guid ?? '' }));
  return {
    browse: async (cursor) => {
      const list = await data(api.GET('/v2/resource_instances', { params: { query: { limit: 100, ...(cursor ? { start: cursor } : {}) } } }));
      return { items: ofService(list), next: cursorOf(list.next_url ?? undefined, 'start') };
    },
    find: async (name) => ofService(await data(api.GET('/v2/resource_instances', { params: { query: { name, limit: 100 } } }))),
  };
}

/** Whether the signed-in identity may grant access on the scope (`POST /v2/policies/grantable`, the granting rule). */
export async function grantable(attributes: PolicyAttribute[]): Promise<boolean> {
  const answer = await data(api.POST('/v2/policies/grantable', { body: { account_id: accountId(), resources: [{ attributes }] } }));
  return answer.resources[0]?.grantable === true;
}

/**
 * The roles offered for a service (its platform, service and custom roles), or without one the
 * platform roles and every custom role of the account; each with exactly the actions it grants.
 */
export async function rolesFor(serviceName: string | undefined): Promise<OfferedRole[]> {
  const roles = await data(api.GET('/v2/roles', { params: { query: { account_id: accountId(), ...(serviceName ? { service_name: serviceName } : {}) } } }));
  const system = (kind: 'platform' | 'service') => (r: SystemRole): OfferedRole => ({ crn: r.crn, name: r.display_name, kind, description: r.description, actions: r.actions });
  return [
    ...roles.system_roles.map(system('platform')),
    ...roles.service_roles.map(system('service')),
    ...roles.custom_roles.map((r): OfferedRole => ({ crn: r.crn, name: r.display_name, kind: 'custom', description: r.description, actions: r.actions, id: r.id, serviceName: r.service_name })),
  ];
}

export interface NewPolicy {
  subject: IdentityChoice;
  resource: PolicyAttribute[];
  tags: { key: string; value: string }[];
  roles: string[];
  rule?: unknown;
  pattern?: string;
  description?: string;
}

/** Creates the access policy (`POST /v2/policies`); a refusal is thrown as the API's error. */
export async function createPolicy(p: NewPolicy): Promise<{ id: string }> {
  const created = await data(
    api.POST('/v2/policies', {
      body: {
        type: 'access',
        ...(p.description ? { description: p.description } : {}),
        subject: { attributes: [{ ...subjectAttribute(p.subject), operator: 'stringEquals' }] },
        resource: {
          attributes: [{ key: 'accountId', operator: 'stringEquals', value: accountId() }, ...p.resource],
          ...(p.tags.length ? { tags: p.tags.map((t) => ({ key: t.key, operator: 'stringEquals', value: t.value })) } : {}),
        },
        control: { grant: { roles: p.roles.map((role_id) => ({ role_id })) } },
        ...(p.rule !== undefined ? { rule: p.rule, pattern: p.pattern } : {}),
      },
    }),
  );
  return { id: created.id ?? '' };
}
