import { Checkbox, ComboBox, Stack, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import { staleAs, tagged } from '../../api/versioned.ts';
import type { paths } from '../../api/schema';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { ConfirmDelete, FormModal } from '../../ui/FormModal.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { catalogServices, type CatalogService } from '../assign-access/api.ts';
import '../access.css';
import { counted, noun } from '../../ui/counted.ts';

/**
 * Authorizations: service-to-service access (authorization policies, `type=authorization`): a
 * source service (optionally one instance) gets roles on a target service (optionally one
 * instance). Listed, created, edited (its roles: `PUT /v2/policies/{id}` with the ETag read when
 * the editor opened, so a change made meanwhile is refused with 412 and said so) and deleted
 * through the policies API.
 */
type Policy = paths['/v2/policies']['get']['responses'][200]['content']['application/json']['policies'][number];
type Attr = { key: string; operator?: string; value: unknown };
type ReplaceBody = NonNullable<paths['/v2/policies/{id}']['put']['requestBody']>['content']['application/json'];
type Grant = { grant?: { roles?: { role_id: string; display_name?: string }[] } };
interface AuthorizationRole {
  crn: string;
  name: string;
  actions: string[];
}

/** The roles a source service may be given on a target service. */
async function authorizationRoles(source: string, target: string): Promise<AuthorizationRole[]> {
  const r = await data(api.GET('/v2/roles', { params: { query: { account_id: accountId(), service_name: target, source_service_name: source, policy_type: 'authorization' } } }));
  return [...r.service_roles, ...r.system_roles].map((x) => ({ crn: x.crn, name: x.display_name, actions: x.actions }));
}

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
  const [editing, setEditing] = useState<string | undefined>(undefined);
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
      cell: (p) => ((p.control as Grant | undefined)?.grant?.roles ?? []).map((r) => r.display_name ?? r.role_id.split(':').pop()).join(', '),
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
        rowActions={[
          { label: 'Edit roles', onClick: (p) => setEditing(p.id) },
          { label: 'Delete', danger: true, onClick: setDeleting },
        ]}
        empty={{ title: 'No authorizations', text: 'Create one when a service must read or write another service’s resources on its own.' }}
      />
      {creating ? <CreateAuthorization onClose={() => setCreating(false)} onCreated={() => setReload((n) => n + 1)} /> : null}
      {editing ? <EditRoles policyId={editing} onClose={() => setEditing(undefined)} onSaved={() => setReload((n) => n + 1)} /> : null}
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
  const [roles, setRoles] = useState<AuthorizationRole[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    catalogServices().then((all) => setServices(all.filter((s) => s.type === 'service' || s.name.startsWith('iam'))), setError);
  }, []);
  useEffect(() => {
    setChosen([]);
    if (!source || !target) return setRoles([]);
    authorizationRoles(source.name, target.name).then(setRoles, setError);
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
        <RoleChoice roles={roles} chosen={chosen} onChange={setChosen} />
      </Stack>
    </FormModal>
  );
}

function RoleChoice({ roles, chosen, onChange }: { roles: AuthorizationRole[]; chosen: string[]; onChange: (chosen: string[]) => void }) {
  if (!roles.length) return null;
  return (
    <fieldset className="pc-assign-roles">
      <legend className="cds--label">Roles</legend>
      {roles.map((r) => (
        <Checkbox key={r.crn} id={`authz-role-${r.crn}`} labelText={`${r.name} (${counted(r.actions.length, noun('action'))})`} checked={chosen.includes(r.crn)} onChange={(_e: unknown, { checked }: { checked: boolean }) => onChange(checked ? [...chosen, r.crn] : chosen.filter((c) => c !== r.crn))} />
      ))}
    </fieldset>
  );
}

/**
 * Changes an authorization's roles; its source and target stay (another pair is another
 * authorization). The whole policy is sent back as read, with the new roles.
 */
function EditRoles({ policyId, onClose, onSaved }: { policyId: string; onClose: () => void; onSaved: () => void }) {
  const [loaded, setLoaded] = useState<{ value: Policy; etag: string } | undefined>(undefined);
  const [roles, setRoles] = useState<AuthorizationRole[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    tagged(api.GET('/v2/policies/{id}', { params: { path: { id: policyId } } }))
      .then((policy) => {
        setLoaded(policy);
        setChosen(((policy.value.control as Grant | undefined)?.grant?.roles ?? []).map((r) => r.role_id));
        const source = valueOf((policy.value.subject as { attributes?: Attr[] } | undefined)?.attributes, 'serviceName');
        const target = valueOf((policy.value.resource as { attributes?: Attr[] } | undefined)?.attributes, 'serviceName');
        return source && target ? authorizationRoles(source, target).then(setRoles) : undefined;
      })
      .catch(setError);
  }, [policyId]);
  const policy = loaded?.value;
  return (
    <FormModal
      title="Edit the authorization's roles"
      submitLabel="Save"
      invalid={!loaded || chosen.length === 0}
      onClose={onClose}
      onSubmit={async () => {
        const { type, description, subject, resource, pattern, rule } = loaded!.value;
        // An authorization's resource has attributes only (authorizations take no access tags).
        const body: ReplaceBody = {
          type,
          control: { grant: { roles: chosen.map((role_id) => ({ role_id })) } },
          ...(description !== undefined ? { description } : {}),
          ...(subject ? { subject } : {}),
          ...(resource ? { resource: { attributes: resource.attributes } } : {}),
          ...(pattern !== undefined ? { pattern } : {}),
          ...(rule !== undefined ? { rule: rule as ReplaceBody['rule'] } : {}),
        };
        try {
          await data(api.PUT('/v2/policies/{id}', { params: { path: { id: policyId } }, headers: { 'If-Match': loaded!.etag }, body }));
        } catch (failure) {
          throw staleAs(failure, 'authorization');
        }
        onSaved();
      }}
    >
      <Stack gap={5}>
        {error !== undefined ? <ErrorNotice error={error} title="Could not load the authorization" /> : null}
        {policy ? (
          <p>
            {`${describe((policy.subject as { attributes?: Attr[] } | undefined)?.attributes)} → ${describe((policy.resource as { attributes?: Attr[] } | undefined)?.attributes)}`}
          </p>
        ) : (
          <p>Loading the authorization…</p>
        )}
        <RoleChoice roles={roles} chosen={chosen} onChange={setChosen} />
      </Stack>
    </FormModal>
  );
}
