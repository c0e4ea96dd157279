import { useCallback, useEffect, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import { apiErrorOf } from '../../api/errors.ts';
import { navigate } from '../../shell/router.ts';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Fields } from '../../ui/Fields.tsx';
import { ConfirmDelete, NamedForm } from '../../ui/FormModal.tsx';
import { Loading } from '../../ui/Loading.tsx';
import { EditDeleteActions, PageHeader } from '../../ui/PageHeader.tsx';
import { type Group, type Policy } from './api.ts';
import { Members } from './Members.tsx';
import { Rules } from './Rules.tsx';

/** One access group: its fields (edit, delete), members of every kind, dynamic rules, and policies. */
export default function AccessGroupPage({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const [loaded, setLoaded] = useState<{ group: Group; etag: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .GET('/v2/groups/{access_group_id}', { params: { path: { access_group_id: id } } })
      .then(({ data: group, error: failure, response }) => {
        if (!live) return;
        if (!response.ok || !group) throw apiErrorOf(response, failure);
        setLoaded({ group, etag: response.headers.get('etag') ?? '' });
      })
      .catch((failure: unknown) => live && setError(failure));
    return () => {
      live = false;
    };
  }, [id, reload]);

  const back = { label: 'Access groups', path: '/access-groups' };
  if (!loaded) {
    return (
      <div className="pc-page">
        <PageHeader title="Access group" back={back} />
        {error !== undefined ? <ErrorNotice error={error} title="Could not load the access group" /> : <Loading />}
      </div>
    );
  }
  const { group } = loaded;
  return (
    <div className="pc-page">
      <PageHeader
        title={group.name}
        back={back}
        description={group.description}
        actions={<EditDeleteActions onEdit={() => setEditing(true)} onDelete={() => setDeleting(true)} />}
      />
      <Fields
        label="Access group details"
        rows={[
          ['ID', group.id],
          ['Created', group.created_at ? new Date(group.created_at).toLocaleString() : ''],
          ['Modified', group.last_modified_at ? new Date(group.last_modified_at).toLocaleString() : ''],
        ]}
      />
      <Members groupId={id} />
      <Rules groupId={id} />
      <Policies groupId={id} />
      {editing ? (
        <NamedForm
          title={`Edit ${group.name}`}
          idPrefix="group-edit"
          initial={group}
          save={(fields) => data(api.PATCH('/v2/groups/{access_group_id}', { params: { path: { access_group_id: group.id } }, headers: { 'If-Match': loaded.etag }, body: fields }))}
          onClose={() => setEditing(false)}
          onSaved={() => setReload((n) => n + 1)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDelete
          kind="access group"
          name={group.name}
          consequence="Its members lose the access the group gave them; its rules and policies are deleted."
          onConfirm={async () => {
            await data(api.DELETE('/v2/groups/{access_group_id}', { params: { path: { access_group_id: id }, query: { force: true } } }));
            navigate('/access-groups');
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </div>
  );
}

/** The group's policies (read only here: access is assigned on the Assign access page). */
function Policies({ groupId }: { groupId: string }) {
  const load = useCallback(
    async (query: ListQuery) => {
      const page = await data(
        api.GET('/v1/policies', {
          params: { query: { account_id: accountId(), access_group_id: groupId, limit: query.pageSize, ...(query.cursor ? { start: query.cursor } : {}) } },
        }),
      );
      return { items: page.policies, next: cursorOf(page.next, 'start') };
    },
    [groupId],
  );
  const resourceOf = (p: Policy) =>
    (p.resources[0]?.attributes ?? [])
      .filter((a) => a.name !== 'accountId')
      .map((a) => `${a.name} ${a.operator ?? 'stringEquals'} ${String(a.value)}`)
      .join(', ') || 'All resources in the account';
  const columns: Column<Policy>[] = [
    { key: 'roles', header: 'Roles', cell: (p) => p.roles.map((r) => r.display_name ?? r.role_id.split(':').pop()).join(', ') },
    { key: 'resources', header: 'Resources', cell: resourceOf },
    { key: 'id', header: 'Policy ID', cell: (p) => p.id },
  ];
  return (
    <section className="pc-section" aria-label="Access policies">
      <DataList
        title="Access policies"
        description="What members of this group may do."
        columns={columns}
        rowKey={(p) => p.id}
        load={load}
        empty={{ title: 'No access yet', text: 'Give the group access on the Assign access page.' }}
      />
    </section>
  );
}
