import { useCallback } from 'react';
import { accountId, api, data, nextOffset } from '../../api/client.ts';
import { navigate } from '../../shell/router.ts';
import type { Column, ListQuery } from '../../ui/DataList.tsx';
import { NamedForm } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { type Group } from './api.ts';

/** Access groups of the account: list, search, sort, create, delete; each opens its detail page. */
export default function AccessGroupsPage() {

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
      <ManagedList
        title="Access groups"
        columns={columns}
        rowKey={(g) => g.id}
        rowPath={(g) => `/access-groups/${encodeURIComponent(g.id)}`}
        load={load}
        searchLabel="Search access groups"
        create={{
          label: 'Create access group',
          form: (onClose) => (
            <NamedForm
              title="Create an access group"
              idPrefix="group"
              save={async (fields) => (await data(api.POST('/v2/groups', { params: { query: { account_id: accountId() } }, body: fields }))).id}
              onClose={onClose}
              onSaved={(id) => navigate(`/access-groups/${encodeURIComponent(id)}`)}
            />
          ),
        }}
        remove={{
          kind: 'access group',
          name: (g) => g.name,
          consequence: 'Its members lose the access the group gave them; its rules and policies are deleted.',
          run: (g) => data(api.DELETE('/v2/groups/{access_group_id}', { params: { path: { access_group_id: g.id }, query: { force: true } } })),
          hidden: (g) => g.id === 'AccessGroupId-PublicAccess',
        }}
        empty={{ title: 'No access groups yet', text: 'Create one to give several identities the same access.' }}
      />
    </div>
  );
}
