import { Modal, Stack, Tag, TextArea, TextInput } from '@carbon/react';
import { useCallback, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { ConfirmDelete, FormModal } from '../../ui/FormModal.tsx';
import { SecretOnce } from '../../ui/SecretOnce.tsx';
import { lockApiKey, type ApiKey } from '../service-ids/api.ts';

/**
 * The API keys of one identity (a service ID, or the signed-in user): list, create (the new key's
 * value shown once, with copy and download), lock or unlock, delete.
 */
export function ApiKeyList({ iamId, title, ownerName }: { iamId: string; title: string; ownerName: string }) {
  const [reload, setReload] = useState(0);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; value: string } | undefined>(undefined);
  const [deleting, setDeleting] = useState<ApiKey | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const refresh = () => setReload((n) => n + 1);

  const load = useCallback(
    async (query: ListQuery) => {
      const page = await data(
        api.GET('/v1/apikeys', {
          params: {
            query: {
              account_id: accountId(),
              iam_id: iamId,
              pagesize: query.pageSize,
              ...(query.cursor ? { pagetoken: query.cursor } : {}),
              ...(query.sort ? { sort: query.sort.key, order: query.sort.direction === 'ASC' ? ('asc' as const) : ('desc' as const) } : {}),
            },
          },
        }),
      );
      return { items: page.apikeys, next: cursorOf(page.next) };
    },
    [iamId],
  );

  const lock = (key: ApiKey, locked: boolean) =>
    lockApiKey(key.id, locked).then(() => {
      setError(undefined);
      refresh();
    }, setError);

  const columns: Column<ApiKey>[] = [
    { key: 'name', header: 'Name', cell: (k) => k.name, sortable: true },
    { key: 'description', header: 'Description', cell: (k) => k.description ?? '' },
    { key: 'id', header: 'ID', cell: (k) => k.id },
    {
      key: 'status',
      header: 'Status',
      cell: (k) => (
        <>
          {k.locked ? <Tag type="red">Locked</Tag> : <Tag type="green">Unlocked</Tag>}
          {k.disabled ? <Tag type="gray">Disabled</Tag> : null}
        </>
      ),
    },
    { key: 'created_at', header: 'Created', cell: (k) => (k.created_at ? new Date(k.created_at).toLocaleString() : ''), sortable: true },
  ];

  return (
    <section className="pc-section" aria-label={title}>
      {error !== undefined ? <ErrorNotice error={error} title="Not done" onClose={() => setError(undefined)} /> : null}
      <DataList
        title={title}
        columns={columns}
        rowKey={(k) => k.id}
        load={load}
        reloadKey={reload}
        primaryAction={{ label: 'Create API key', onClick: () => setCreating(true) }}
        rowActions={[
          { label: 'Lock', onClick: (k) => void lock(k, true), hidden: (k) => k.locked },
          { label: 'Unlock', onClick: (k) => void lock(k, false), hidden: (k) => !k.locked },
          { label: 'Delete', danger: true, onClick: setDeleting, hidden: (k) => k.locked },
        ]}
        empty={{ title: 'No API keys', text: `Create an API key for ${ownerName} to sign in with.` }}
      />
      {creating ? (
        <CreateApiKey
          iamId={iamId}
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreated(key);
            refresh();
          }}
        />
      ) : null}
      {created ? (
        <Modal open passiveModal modalHeading={`API key ${created.name} created`} onRequestClose={() => setCreated(undefined)}>
          <SecretOnce label="The API key" value={created.value} filename={`apikey-${created.name.replace(/[^\w.-]+/g, '_')}.txt`} />
        </Modal>
      ) : null}
      {deleting ? (
        <ConfirmDelete
          kind="API key"
          name={deleting.name}
          consequence="Anything that signs in with this key stops working."
          onConfirm={async () => {
            await data(api.DELETE('/v1/apikeys/{id}', { params: { path: { id: deleting.id } } }));
            refresh();
          }}
          onClose={() => setDeleting(undefined)}
        />
      ) : null}
    </section>
  );
}

function CreateApiKey({ iamId, onClose, onCreated }: { iamId: string; onClose: () => void; onCreated: (key: { name: string; value: string }) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <FormModal
      title="Create an API key"
      submitLabel="Create"
      invalid={!name.trim()}
      onClose={onClose}
      onSubmit={async () => {
        const key = await data(
          api.POST('/v1/apikeys', {
            body: { name: name.trim(), iam_id: iamId, account_id: accountId(), ...(description.trim() ? { description: description.trim() } : {}) },
          }),
        );
        onCreated({ name: key.name, value: key.apikey });
      }}
    >
      <Stack gap={6}>
        <TextInput id="apikey-name" labelText="Name" value={name} onChange={(e) => setName(e.target.value)} required data-modal-primary-focus />
        <TextArea id="apikey-description" labelText="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
      </Stack>
    </FormModal>
  );
}
