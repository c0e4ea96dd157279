import { Stack, Tag, TextArea, TextInput } from '@carbon/react';
import { useCallback, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import { navigate } from '../../shell/router.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ConfirmDelete, FormModal } from '../../ui/FormModal.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { lockServiceId, type ServiceId } from './api.ts';

/** Service IDs of the account: list, create, lock or unlock, delete; each opens its detail page. */
export default function ServiceIdsPage() {
  const [reload, setReload] = useState(0);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<ServiceId | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const refresh = () => setReload((n) => n + 1);

  const load = useCallback(async (query: ListQuery) => {
    const page = await data(
      api.GET('/v1/serviceids', {
        params: {
          query: {
            account_id: accountId(),
            pagesize: query.pageSize,
            ...(query.cursor ? { pagetoken: query.cursor } : {}),
            ...(query.search ? { name: query.search } : {}),
            ...(query.sort ? { sort: query.sort.key, order: query.sort.direction === 'ASC' ? ('asc' as const) : ('desc' as const) } : {}),
          },
        },
      }),
    );
    return { items: page.serviceids, next: cursorOf(page.next) };
  }, []);

  const lock = (item: ServiceId, locked: boolean) =>
    lockServiceId(item.id, locked).then(() => {
      setError(undefined);
      refresh();
    }, setError);

  const columns: Column<ServiceId>[] = [
    { key: 'name', header: 'Name', cell: (s) => s.name, sortable: true },
    { key: 'description', header: 'Description', cell: (s) => s.description ?? '', sortable: true },
    { key: 'id', header: 'ID', cell: (s) => s.id },
    { key: 'locked', header: 'Status', cell: (s) => (s.locked ? <Tag type="red">Locked</Tag> : <Tag type="green">Unlocked</Tag>) },
    { key: 'created_at', header: 'Created', cell: (s) => (s.created_at ? new Date(s.created_at).toLocaleString() : ''), sortable: true },
  ];

  return (
    <div className="pc-page">
      <PageHeader
        title="Service IDs"
        description="Identities for applications and services. Give a service ID access with policies or access groups, and API keys to sign in with."
      />
      {error !== undefined ? <ErrorNotice error={error} title="Not done" onClose={() => setError(undefined)} /> : null}
      <DataList
        title="Service IDs"
        columns={columns}
        rowKey={(s) => s.id}
        rowPath={(s) => `/service-ids/${encodeURIComponent(s.id)}`}
        load={load}
        reloadKey={reload}
        searchLabel="Search by name"
        primaryAction={{ label: 'Create service ID', onClick: () => setCreating(true) }}
        rowActions={[
          { label: 'Lock', onClick: (s) => void lock(s, true), hidden: (s) => s.locked },
          { label: 'Unlock', onClick: (s) => void lock(s, false), hidden: (s) => !s.locked },
          { label: 'Delete', danger: true, onClick: setDeleting, hidden: (s) => s.locked },
        ]}
        empty={{ title: 'No service IDs yet', text: 'Create one for each application that calls your APIs.' }}
      />
      {creating ? <CreateServiceId onClose={() => setCreating(false)} onCreated={(id) => navigate(`/service-ids/${encodeURIComponent(id)}`)} /> : null}
      {deleting ? (
        <ConfirmDelete
          kind="service ID"
          name={deleting.name}
          consequence="The service ID and its API keys are deleted; applications signing in with them stop working."
          onConfirm={async () => {
            await data(api.DELETE('/v1/serviceids/{id}', { params: { path: { id: deleting.id } } }));
            refresh();
          }}
          onClose={() => setDeleting(undefined)}
        />
      ) : null}
    </div>
  );
}

function CreateServiceId({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <FormModal
      title="Create a service ID"
      submitLabel="Create"
      invalid={!name.trim()}
      onClose={onClose}
      onSubmit={async () => {
        const created = await data(
          api.POST('/v1/serviceids', {
            body: { account_id: accountId(), name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) },
          }),
        );
        onCreated(created.id);
      }}
    >
      <Stack gap={6}>
        <TextInput id="serviceid-name" labelText="Name" value={name} onChange={(e) => setName(e.target.value)} required data-modal-primary-focus />
        <TextArea id="serviceid-description" labelText="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
      </Stack>
    </FormModal>
  );
}
