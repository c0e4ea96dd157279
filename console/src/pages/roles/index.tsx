import { Checkbox, ComboBox, Stack, Tag, TextArea, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, data } from '../../api/client.ts';
import { narrowed, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { FormModal } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { catalogServices, rolesFor, type CatalogService, type OfferedRole } from '../assign-access/api.ts';
import '../access.css';
import { counted, noun } from '../../ui/counted.ts';

/**
 * Roles: the platform roles every service offers, a service's own service roles, and the account's
 * custom roles, each with exactly the actions it grants (`GET /v2/roles`). Custom roles are
 * created, edited (display name, description, actions; If-Match) and deleted here.
 */
type Row = OfferedRole;

const KIND_TAG = { platform: 'blue', service: 'teal', custom: 'purple' } as const;

/** Custom roles of the account can be edited and deleted; system roles cannot. */
const isCustom = (r: Row) => r.kind === 'custom' && !!r.id;

/**
 * The route of one custom role is `/v2/roles/*` (a wildcard, `{*}` in the OpenAPI document), which
 * openapi-fetch does not fill in: the path is written out and typed as the documented one.
 */
const roleUrl = (id: string) => `/v2/roles/${encodeURIComponent(id)}` as '/v2/roles/{*}';

async function customRoleOf(id: string): Promise<{ etag: string; role: { display_name: string; description?: string; actions: string[]; service_name: string; name: string } }> {
  const result = await api.GET(roleUrl(id), { params: { path: { '*': id } } });
  const role = await data(Promise.resolve(result));
  return { etag: result.response.headers.get('etag') ?? '*', role };
}

export default function RolesPage() {
  const [services, setServices] = useState<CatalogService[]>([]);
  const [service, setService] = useState<CatalogService | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    catalogServices().then(setServices, setError);
  }, []);

  const load = useCallback(
    async (query: ListQuery) => {
      const roles = (await rolesFor(service?.name)).map((r): Row => (r.kind === 'service' && service ? { ...r, serviceName: service.name } : r));
      return { items: narrowed(roles, query.search, (r) => [r.name, r.serviceName, ...r.actions]) };
    },
    [service],
  );

  const columns: Column<Row>[] = [
    { key: 'name', header: 'Role', cell: (r) => r.name },
    { key: 'kind', header: 'Kind', cell: (r) => <Tag type={KIND_TAG[r.kind]}>{r.kind === 'platform' ? 'Platform' : r.kind === 'service' ? 'Service' : 'Custom'}</Tag> },
    { key: 'service', header: 'Service', cell: (r) => r.serviceName ?? 'Every service' },
    {
      key: 'actions',
      header: 'Actions it grants',
      cell: (r) => (
        <details>
          <summary>{r.kind === 'platform' && r.actions.length === 0 ? 'Each service’s own: choose a service' : counted(r.actions.length, noun('action'))}</summary>
          <ul className="pc-assign-actions">
            {r.actions.map((a) => (
              <li key={a}>
                <code>{a}</code>
              </li>
            ))}
          </ul>
        </details>
      ),
    },
  ];

  return (
    <div className="pc-page">
      <PageHeader title="Roles" description="What each role lets its holders do. Platform roles apply to every service; service roles and custom roles to one service." />
      {error !== undefined ? <ErrorNotice error={error} title="Not done" onClose={() => setError(undefined)} /> : null}
      <div className="pc-roles-service">
        <ComboBox
          id="roles-service"
          titleText="Service"
          placeholder="All services: platform roles and every custom role"
          items={services}
          itemToString={(s: CatalogService | null) => (s ? `${s.displayName} (${s.name})` : '')}
          selectedItem={service ?? null}
          onChange={({ selectedItem }: { selectedItem?: CatalogService | null }) => setService(selectedItem ?? undefined)}
        />
      </div>
      <ManagedList
        key={service?.name ?? ''}
        title={service ? `Roles of ${service.displayName}` : 'Roles'}
        columns={columns}
        rowKey={(r) => r.crn}
        load={load}
        searchLabel="Filter by role name or action"
        pageSizes={[100]}
        create={{ label: 'Create custom role', form: (onClose, onSaved) => <EditRole role={undefined} services={services} preset={service} onClose={onClose} onSaved={onSaved} /> }}
        edit={(role) => (isCustom(role) ? (onClose, onSaved) => <EditRole role={role} services={services} preset={service} onClose={onClose} onSaved={onSaved} /> : undefined)}
        remove={{
          kind: 'custom role',
          name: (r) => r.name,
          consequence: 'Policies that grant the role stop granting its actions.',
          run: (r) => data(api.DELETE(roleUrl(r.id!), { params: { path: { '*': r.id! } } })),
          hidden: (r) => !isCustom(r),
        }}
        empty={{ title: 'No roles' }}
      />
    </div>
  );
}

function EditRole(props: { role: Row | undefined; services: CatalogService[]; preset: CatalogService | undefined; onClose: () => void; onSaved: () => void }) {
  const { role } = props;
  const [service, setService] = useState<CatalogService | undefined>(props.services.find((s) => s.name === role?.serviceName) ?? props.preset);
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [actions, setActions] = useState<string[]>(role?.actions ?? []);
  const toggle = (action: string, on: boolean) => setActions(on ? [...actions, action] : actions.filter((a) => a !== action));
  return (
    <FormModal
      title={role ? `Edit custom role ${role.name}` : 'Create a custom role'}
      submitLabel={role ? 'Save' : 'Create'}
      invalid={!service || !displayName.trim() || actions.length === 0 || (!role && !/^[A-Z][A-Za-z0-9]*$/.test(name))}
      onClose={props.onClose}
      onSubmit={async () => {
        const body = { display_name: displayName.trim(), ...(description.trim() ? { description: description.trim() } : {}), actions };
        if (role?.id) {
          const { etag } = await customRoleOf(role.id);
          await data(api.PUT(roleUrl(role.id), { params: { path: { '*': role.id } }, headers: { 'If-Match': etag }, body }));
        } else {
          await data(api.POST('/v2/roles', { body: { ...body, name, account_id: accountId(), service_name: service!.name } }));
        }
        props.onSaved();
      }}
    >
      <Stack gap={5}>
        {!role ? (
          <>
            <ComboBox
              id="role-service"
              titleText="Service"
              placeholder="Type to filter"
              items={props.services}
              itemToString={(s: CatalogService | null) => (s ? `${s.displayName} (${s.name})` : '')}
              selectedItem={service ?? null}
              onChange={({ selectedItem }: { selectedItem?: CatalogService | null }) => {
                setService(selectedItem ?? undefined);
                setActions([]);
              }}
            />
            <TextInput id="role-name" labelText="Name" helperText="Letters and digits, starting with a capital letter (e.g. BucketAuditor)." value={name} onChange={(e) => setName(e.target.value)} />
          </>
        ) : null}
        <TextInput id="role-display-name" labelText="Display name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} data-modal-primary-focus />
        <TextArea id="role-description" labelText="Description (optional)" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        {service ? (
          <fieldset className="pc-role-actions">
            <legend className="cds--label">Actions</legend>
            {service.actions.map((a) => (
              <Checkbox key={a.id} id={`action-${a.id}`} labelText={a.id} checked={actions.includes(a.id)} onChange={(_e: unknown, { checked }: { checked: boolean }) => toggle(a.id, checked)} />
            ))}
          </fieldset>
        ) : null}
      </Stack>
    </FormModal>
  );
}
