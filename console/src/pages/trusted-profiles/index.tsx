import { useCallback } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import type { paths } from '../../api/schema';
import { navigate } from '../../shell/router.ts';
import type { Column, ListQuery } from '../../ui/DataList.tsx';
import { NamedForm } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import '../access.css';

/** Trusted profiles of the account: list, create, delete; each opens its detail page. */
export type Profile = paths['/v1/profiles']['get']['responses'][200]['content']['application/json']['profiles'][number];

export default function TrustedProfilesPage() {
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
      <ManagedList
        title="Trusted profiles"
        columns={columns}
        rowKey={(p) => p.id}
        rowPath={(p) => `/trusted-profiles/${encodeURIComponent(p.id)}`}
        load={load}
        searchLabel="Search by name"
        create={{
          label: 'Create trusted profile',
          form: (onClose) => (
            <NamedForm
              title="Create a trusted profile"
              idPrefix="profile"
              save={async (fields) => (await data(api.POST('/v1/profiles', { body: { account_id: accountId(), ...fields } }))).id}
              onClose={onClose}
              onSaved={(id) => navigate(`/trusted-profiles/${encodeURIComponent(id)}`)}
            />
          ),
        }}
        remove={{
          kind: 'trusted profile',
          name: (p) => p.name,
          consequence: 'Nobody can assume the profile any more; its policies go with it.',
          run: (p) => data(api.DELETE('/v1/profiles/{profile_id}', { params: { path: { profile_id: p.id } } })),
        }}
        empty={{ title: 'No trusted profiles yet', text: 'Create one for workloads or federated users that should not hold access themselves.' }}
      />
    </div>
  );
}
