import { Tag } from '@carbon/react';
import { useCallback, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import { navigate } from '../../shell/router.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import type { Column, ListQuery } from '../../ui/DataList.tsx';
import { NamedForm } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { lockServiceId, type ServiceId } from './api.ts';

/** Service IDs of the account: list, create, lock or unlock, delete; each opens its detail page. */
export default function ServiceIdsPage() {
  const [reload, setReload] = useState(0);
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
      <ManagedList
        title="Service IDs"
        columns={columns}
        rowKey={(s) => s.id}
        rowPath={(s) => `/service-ids/${encodeURIComponent(s.id)}`}
        load={load}
        reloadKey={reload}
        searchLabel="Search by name"
        create={{
          label: 'Create service ID',
          form: (onClose) => (
            <NamedForm
              title="Create a service ID"
              idPrefix="serviceid"
              save={async (fields) => (await data(api.POST('/v1/serviceids', { body: { account_id: accountId(), ...fields } }))).id}
              onClose={onClose}
              onSaved={(id) => navigate(`/service-ids/${encodeURIComponent(id)}`)}
            />
          ),
        }}
        rowActions={[
          { label: 'Lock', onClick: (s) => void lock(s, true), hidden: (s) => s.locked },
          { label: 'Unlock', onClick: (s) => void lock(s, false), hidden: (s) => !s.locked },
        ]}
        remove={{
          kind: 'service ID',
          name: (s) => s.name,
          consequence: 'The service ID and its API keys are deleted; applications signing in with them stop working.',
          run: (s) => data(api.DELETE('/v1/serviceids/{id}', { params: { path: { id: s.id } } })),
          hidden: (s) => s.locked,
        }}
        empty={{ title: 'No service IDs yet', text: 'Create one for each application that calls your APIs.' }}
      />
    </div>
  );
}
