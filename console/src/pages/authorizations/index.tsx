import { Checkbox, ComboBox, Stack, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import type { paths } from '../../api/schema';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { ConfirmDelete, FormModal } from '../../ui/FormModal.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { catalogServices, type CatalogService } from '../assign-access/api.ts';
import '../access.css';

/**
 * Authorizations: service-to-service access (authorization policies, `type=authorization`): a
 * source service (optionally one instance) gets roles on a target service (optionally one
 * instance). Listed, created and deleted through the policies API.
 */
type Policy = paths['/v2/policies']['get']['responses'][200]['content']['application/json']['policies'][number];
type Attr = { key: string; operator?: string; value: unknown };

const valueOf = (attributes: Attr[] | undefined, key: string) => {
  const found = attributes?.find((a) => a.key === key)?.value;
  return typeof found === 'string' ? found : undefined;
};
const describe = (attributes: Attr[] | undefined) =>
  [valueOf(attributes, 'serviceName') ?? 'any service', valueOf(attributes, 'serviceInstance')].filter(Boolean).join(' / ');

export default function AuthorizationsPage() {
  const [reload, setReload] = useState(0);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Policy | undefined>(undefined);
  const load = useCallback(async (query: ListQuery) => {
    const page = await data(
      api.GET('/v2/policies', {
        params: { query: { account_id: accountId(), type: 'authorization', format: 'display', limit: query.pageSize, ...(query.cursor ? { start: query.cursor } : {}) } },
      }),
    );
    return { items: page.policies, next: cursorOf(page.next, 'start') };
  }, []);
  const columns: Column<Policy>[] = [
    { key: 'source', header: 'Source', cell: (p) => describe((p.subject as { attributes?: Attr[] } | undefined)?.attributes) },
    { key: 'target', header: 'Target', cell: (p) => describe((p.resource as { attributes?: Attr[] } | undefined)?.attributes) },
    {
      key: 'roles',
      header: 'Roles',
      cell: (p) => ((p.control as { grant?: { roles?: { role_id: string; display_name?: string }[] } } | undefined)?.grant?.roles ?? []).map((r) => r.display_name ?? r.role_id.split(':').pop()).join(', '),
    },
    { key: 'id', header: 'Policy ID', cell: (p) => p.id ?? '' },
  ];
  return (
    <div className="pc-page">
      <PageHeader title="Authorizations" description="Let one service act on another: a source service (or one of its instances) gets roles on a target service." />
      <DataList
        title="Authorizations"
        columns={columns}
        rowKey={(p) => p.id ?? ''}
        load={load}
        reloadKey={reload}
        primaryAction={{ label: 'Create authorization', onClick: () => setCreating(true) }}
        rowActions={[{ label: 'Delete', danger: true, onClick: setDeleting }]}
        empty={{ title: 'No authorizations', text: 'Create one when a service must read or write another service’s resources on its own.' }}
      />
      {creating ? <CreateAuthorization onClose={() => setCreating(false)} onCreated={() => setReload((n) => n + 1)} /> : null}
      {deleting ? (
        <ConfirmDelete
          kind="authorization"
          name={deleting.id ?? ''}
          consequence="The source service can no longer act on the target with these roles."
          onConfirm={async () => {
            await data(api.DELETE('/v2/policies/{id}', { params: { path: { id: deleting.id ?? '' } } }));
            setReload((n) => n + 1);
          }}
          onClose={() => setDeleting(undefined)}
        />
      ) : null}
    </div>
  );
}

function CreateAuthorization({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [services, setServices] = useState<CatalogService[]>([]);
  const [source, setSource] = useState<CatalogService | undefined>(undefined);
  const [sourceInstance, setSourceInstance] = useState('');
  const [target, setTarget] = useState<CatalogService | undefined>(undefined);
  const [targetInstance, setTargetInstance] = useState('');
  const [roles, setRoles] = useState<{ crn: string; name: string; actions: string[] }[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    catalogServices().then((all) => setServices(all.filter((s) => s.type === 'service' || s.name.startsWith('iam'))), setError);
  }, []);
  useEffect(() => {
    setChosen([]);
    if (!source || !target) return setRoles([]);
    api
      .GET('/v2/roles', { params: { query: { account_id: accountId(), service_name: target.name, source_service_name: source.name, policy_type: 'authorization' } } })
      .then((result) => data(Promise.resolve(result)))
      .then((r) => setRoles([...r.service_roles, ...r.system_roles].map((x) => ({ crn: x.crn, name: x.display_name, actions: x.actions }))), setError);
  }, [source, target]);
  const attrs = (service: CatalogService, instance: string) => [
    { key: 'accountId', operator: 'stringEquals' as const, value: accountId() },
    { key: 'serviceName', operator: 'stringEquals' as const, value: service.name },
    ...(instance.trim() ? [{ key: 'serviceInstance', operator: 'stringEquals' as const, value: instance.trim() }] : []),
  ];
  const serviceBox = (id: string, label: string, value: CatalogService | undefined, set: (s: CatalogService | undefined) => void) => (
    <ComboBox
      id={id}
      titleText={label}
      placeholder="Type to filter"
      items={services}
      itemToString={(s: CatalogService | null) => (s ? `${s.displayName} (${s.name})` : '')}
      selectedItem={value ?? null}
      onChange={({ selectedItem }: { selectedItem?: CatalogService | null }) => set(selectedItem ?? undefined)}
    />
  );
  return (
    <FormModal
      title="Create an authorization"
      submitLabel="Create"
      invalid={!source || !target || chosen.length === 0}
      onClose={onClose}
      onSubmit={async () => {
        await data(
          api.POST('/v2/policies', {
            body: {
              type: 'authorization',
              subject: { attributes: attrs(source!, sourceInstance) },
              resource: { attributes: attrs(target!, targetInstance) },
              control: { grant: { roles: chosen.map((role_id) => ({ role_id })) } },
            },
          }),
        );
        onCreated();
      }}
    >
      <Stack gap={5}>
        {error !== undefined ? <ErrorNotice error={error} title="Could not load" /> : null}
        {serviceBox('authz-source', 'Source service', source, setSource)}
        <TextInput id="authz-source-instance" labelText="Source instance (optional)" value={sourceInstance} onChange={(e) => setSourceInstance(e.target.value)} />
        {serviceBox('authz-target', 'Target service', target, setTarget)}
        <TextInput id="authz-target-instance" labelText="Target instance (optional)" value={targetInstance} onChange={(e) => setTargetInstance(e.target.value)} />
        {roles.length ? (
          <fieldset className="pc-assign-roles">
            <legend className="cds--label">Roles</legend>
            {roles.map((r) => (
              <Checkbox key={r.crn} id={`authz-role-${r.crn}`} labelText={`${r.name} (${r.actions.length} actions)`} checked={chosen.includes(r.crn)} onChange={(_e: unknown, { checked }: { checked: boolean }) => setChosen(checked ? [...chosen, r.crn] : chosen.filter((c) => c !== r.crn))} />
            ))}
          </fieldset>
        ) : null}
      </Stack>
    </FormModal>
  );
}
