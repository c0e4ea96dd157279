import { useEffect, useState } from 'react';
import { api, data } from '../../api/client.ts';
import { apiErrorOf } from '../../api/errors.ts';
import { navigate } from '../../shell/router.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Fields } from '../../ui/Fields.tsx';
import { ConfirmDelete, NamedForm } from '../../ui/FormModal.tsx';
import { Loading } from '../../ui/Loading.tsx';
import { EditDeleteActions, PageHeader } from '../../ui/PageHeader.tsx';
import { type Group } from './api.ts';
import { Members } from './Members.tsx';
import { Policies } from './Policies.tsx';
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
      <Policies
        subject={{ by: 'access_group_id', id }}
        description="What members of this group may do."
        empty={{ title: 'No access yet', text: 'Give the group access on the Assign access page.' }}
      />
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
