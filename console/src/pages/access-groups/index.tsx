import { Stack, TextArea, TextInput } from '@carbon/react';
import { useCallback, useState } from 'react';
import { accountId, api, data, nextOffset } from '../../api/client.ts';
import { navigate } from '../../shell/router.ts';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ConfirmDelete, FormModal } from '../../ui/FormModal.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { type Group } from './api.ts';

/** Access groups of the account: list, search, sort, create, delete; each opens its detail page. */
export default function AccessGroupsPage() {
  const [reload, setReload] = useState(0);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Group | undefined>(undefined);

  const load = useCallback(async (query: ListQuery) => {
    const page = await data(
      api.GET('/v2/groups', {
        params: {
          query: {
            account_id: accountId(),
            limit: query.pageSize,
            offset: Number(query.cursor ?? 0),
            ...(query.search ? { search: query.search } : {}),
            ...(query.sort ? { sort: 'name' as const } : {}),
          },
        },
      }),
    );
    return { items: page.groups, next: nextOffset(page), total: page.total_count };
  }, []);

  const columns: Column<Group>[] = [
    { key: 'name', header: 'Name', cell: (g) => g.name, sortable: true, descending: false },
    { key: 'description', header: 'Description', cell: (g) => g.description ?? '' },
    { key: 'id', header: 'ID', cell: (g) => g.id },
    { key: 'created_at', header: 'Created', cell: (g) => (g.created_at ? new Date(g.created_at).toLocaleString() : '') },
  ];

  return (
    <div className="pc-page">
      <PageHeader title="Access groups" description="Groups of users, service IDs and trusted profiles that share access: the group's policies apply to every member." />
      <DataList
        title="Access groups"
        columns={columns}
        rowKey={(g) => g.id}
        rowPath={(g) => `/access-groups/${encodeURIComponent(g.id)}`}
        load={load}
        reloadKey={reload}
        searchLabel="Search access groups"
        primaryAction={{ label: 'Create access group', onClick: () => setCreating(true) }}
        rowActions={[{ label: 'Delete', danger: true, onClick: setDeleting, hidden: (g) => g.id === 'AccessGroupId-PublicAccess' }]}
        empty={{ title: 'No access groups yet', text: 'Create one to give several identities the same access.' }}
      />
      {creating ? <CreateGroup onClose={() => setCreating(false)} onCreated={(id) => navigate(`/access-groups/${encodeURIComponent(id)}`)} /> : null}
      {deleting ? (
        <ConfirmDelete
          kind="access group"
          name={deleting.name}
          consequence="Its members lose the access the group gave them; its rules and policies are deleted."
          onConfirm={async () => {
            await data(api.DELETE('/v2/groups/{access_group_id}', { params: { path: { access_group_id: deleting.id }, query: { force: true } } }));
            setReload((n) => n + 1);
          }}
          onClose={() => setDeleting(undefined)}
        />
      ) : null}
    </div>
  );
}

function CreateGroup({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <FormModal
      title="Create an access group"
      submitLabel="Create"
      invalid={!name.trim()}
      onClose={onClose}
      onSubmit={async () => {
        const created = await data(
          api.POST('/v2/groups', {
            params: { query: { account_id: accountId() } },
            body: { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) },
          }),
        );
        onCreated(created.id);
      }}
    >
      <Stack gap={6}>
        <TextInput id="group-name" labelText="Name" value={name} onChange={(e) => setName(e.target.value)} required data-modal-primary-focus />
        <TextArea id="group-description" labelText="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
      </Stack>
    </FormModal>
  );
}
