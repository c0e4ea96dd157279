import { Stack, TextArea, TextInput } from '@carbon/react';
import { useCallback, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import type { paths } from '../../api/schema';
import { navigate } from '../../shell/router.ts';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ConfirmDelete, FormModal } from '../../ui/FormModal.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import '../access.css';

/** Trusted profiles of the account: list, create, delete; each opens its detail page. */
export type Profile = paths['/v1/profiles']['get']['responses'][200]['content']['application/json']['profiles'][number];

export default function TrustedProfilesPage() {
  const [reload, setReload] = useState(0);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Profile | undefined>(undefined);
  const load = useCallback(async (query: ListQuery) => {
    const page = await data(
      api.GET('/v1/profiles', {
        params: { query: { account_id: accountId(), pagesize: query.pageSize, ...(query.cursor ? { pagetoken: query.cursor } : {}), ...(query.search ? { name: query.search } : {}) } },
      }),
    );
    return { items: page.profiles, next: cursorOf(page.next) };
  }, []);
  const columns: Column<Profile>[] = [
    { key: 'name', header: 'Name', cell: (p) => p.name },
    { key: 'description', header: 'Description', cell: (p) => p.description ?? '' },
    { key: 'id', header: 'ID', cell: (p) => p.id },
    { key: 'created_at', header: 'Created', cell: (p) => (p.created_at ? new Date(p.created_at).toLocaleString() : '') },
  ];
  return (
    <div className="pc-page">
      <PageHeader
        title="Trusted profiles"
        description="Identities that others assume: federated users whose claims match a rule, compute resources linked to it or matching a rule, and the users and service IDs it lists."
      />
      <DataList
        title="Trusted profiles"
        columns={columns}
        rowKey={(p) => p.id}
        rowPath={(p) => `/trusted-profiles/${encodeURIComponent(p.id)}`}
        load={load}
        reloadKey={reload}
        searchLabel="Search by name"
        primaryAction={{ label: 'Create trusted profile', onClick: () => setCreating(true) }}
        rowActions={[{ label: 'Delete', danger: true, onClick: setDeleting }]}
        empty={{ title: 'No trusted profiles yet', text: 'Create one for workloads or federated users that should not hold access themselves.' }}
      />
      {creating ? <CreateProfile onClose={() => setCreating(false)} onCreated={(id) => navigate(`/trusted-profiles/${encodeURIComponent(id)}`)} /> : null}
      {deleting ? (
        <ConfirmDelete
          kind="trusted profile"
          name={deleting.name}
          consequence="Nobody can assume the profile any more; its policies go with it."
          onConfirm={async () => {
            await data(api.DELETE('/v1/profiles/{profile_id}', { params: { path: { profile_id: deleting.id } } }));
            setReload((n) => n + 1);
          }}
          onClose={() => setDeleting(undefined)}
        />
      ) : null}
    </div>
  );
}

function CreateProfile({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <FormModal
      title="Create a trusted profile"
      submitLabel="Create"
      invalid={!name.trim()}
      onClose={onClose}
      onSubmit={async () => {
        const created = await data(api.POST('/v1/profiles', { body: { account_id: accountId(), name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) } }));
        onCreated(created.id);
      }}
    >
      <Stack gap={6}>
        <TextInput id="profile-name" labelText="Name" value={name} onChange={(e) => setName(e.target.value)} data-modal-primary-focus />
        <TextArea id="profile-description" labelText="Description (optional)" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Stack>
    </FormModal>
  );
}
