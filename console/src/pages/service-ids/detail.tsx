import { Button, Tag } from '@carbon/react';
import { useEffect, useState } from 'react';
import { api, data } from '../../api/client.ts';
import { apiErrorOf } from '../../api/errors.ts';
import { navigate } from '../../shell/router.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Fields } from '../../ui/Fields.tsx';
import { ConfirmDelete, NamedForm } from '../../ui/FormModal.tsx';
import { Loading } from '../../ui/Loading.tsx';
import { EditDeleteActions, PageHeader } from '../../ui/PageHeader.tsx';
import { ApiKeyList } from '../api-keys/ApiKeyList.tsx';
import { lockServiceId, type ServiceId } from './api.ts';

/** One service ID: its fields, edit (with its ETag), lock or unlock, delete, and its API keys. */
export default function ServiceIdPage({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const [loaded, setLoaded] = useState<{ serviceId: ServiceId; etag: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const refresh = () => setReload((n) => n + 1);

  useEffect(() => {
    let live = true;
    api
      .GET('/v1/serviceids/{id}', { params: { path: { id } } })
      .then(({ data: serviceId, error: failure, response }) => {
        if (!live) return;
        if (!response.ok || !serviceId) throw apiErrorOf(response, failure);
        setLoaded({ serviceId, etag: response.headers.get('etag') ?? '' });
        setError(undefined);
      })
      .catch((failure: unknown) => live && setError(failure));
    return () => {
      live = false;
    };
  }, [id, reload]);

  const back = { label: 'Service IDs', path: '/service-ids' };
  if (!loaded) {
    return (
      <div className="pc-page">
        <PageHeader title="Service ID" back={back} />
        {error !== undefined ? <ErrorNotice error={error} title="Could not load the service ID" /> : <Loading />}
      </div>
    );
  }
  const { serviceId } = loaded;
  const lock = (locked: boolean) => lockServiceId(id, locked).then(refresh, setError);

  return (
    <div className="pc-page">
      <PageHeader
        title={serviceId.name}
        back={back}
        description={serviceId.description}
        actions={
          <EditDeleteActions
            onEdit={() => setEditing(true)}
            onDelete={() => setDeleting(true)}
            disabled={serviceId.locked}
            between={
              <Button kind="tertiary" onClick={() => void lock(!serviceId.locked)}>
                {serviceId.locked ? 'Unlock' : 'Lock'}
              </Button>
            }
          />
        }
      />
      {error !== undefined ? <ErrorNotice error={error} title="Not done" onClose={() => setError(undefined)} /> : null}
      <Fields
        label="Service ID details"
        rows={[
          ['ID', serviceId.id],
          ['IAM ID', serviceId.iam_id],
          ['CRN', serviceId.crn],
          ['Status', serviceId.locked ? <Tag type="red">Locked</Tag> : <Tag type="green">Unlocked</Tag>],
          ['Created', serviceId.created_at ? new Date(serviceId.created_at).toLocaleString() : ''],
          ['Modified', serviceId.modified_at ? new Date(serviceId.modified_at).toLocaleString() : ''],
        ]}
      />
      <ApiKeyList iamId={serviceId.iam_id} title="API keys" ownerName={serviceId.name} />
      {editing ? (
        <NamedForm
          title={`Edit ${serviceId.name}`}
          idPrefix="serviceid-edit"
          initial={serviceId}
          save={(fields) => data(api.PUT('/v1/serviceids/{id}', { params: { path: { id: serviceId.id } }, headers: { 'If-Match': loaded.etag }, body: fields }))}
          onClose={() => setEditing(false)}
          onSaved={refresh}
        />
      ) : null}
      {deleting ? (
        <ConfirmDelete
          kind="service ID"
          name={serviceId.name}
          consequence="The service ID and its API keys are deleted; applications signing in with them stop working."
          onConfirm={async () => {
            await data(api.DELETE('/v1/serviceids/{id}', { params: { path: { id } } }));
            navigate('/service-ids');
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </div>
  );
}
