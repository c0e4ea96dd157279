import { Modal, Tag } from '@carbon/react';
import { useCallback, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import { narrowed, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { NamedForm } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { SecretOnce } from '../../ui/SecretOnce.tsx';
import { lockApiKey, type ApiKey } from '../service-ids/api.ts';

/**
 * The API keys of one identity (a service ID, or the signed-in user): list, create (the new key's
 * value shown once, with copy and download), edit its name and description (with the ETag the
 * list gave), lock or unlock, delete. The search filters the page loaded (the list API has no name
 * search).
 */
export function ApiKeyList({ iamId, title, ownerName }: { iamId: string; title: string; ownerName: string }) {
  const [reload, setReload] = useState(0);
  const [created, setCreated] = useState<{ name: string; value: string } | undefined>(undefined);
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
      return { items: narrowed(page.apikeys, query.search, (k) => [k.name, k.description, k.id]), next: cursorOf(page.next) };
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
      <ManagedList
        title={title}
        columns={columns}
        rowKey={(k) => k.id}
        searchLabel="Filter the page shown by name, description or ID"
        load={load}
        reloadKey={reload}
        create={{
          label: 'Create API key',
          form: (onClose, onSaved) => (
            <NamedForm
              title="Create an API key"
              idPrefix="apikey"
              save={async (fields) => {
                const key = await data(api.POST('/v1/apikeys', { body: { iam_id: iamId, account_id: accountId(), ...fields } }));
                return { name: key.name, value: key.apikey };
              }}
              onClose={onClose}
              onSaved={(key) => {
                setCreated(key);
                onSaved();
              }}
            />
          ),
        }}
        edit={(key) =>
          key.locked
            ? undefined
            : (onClose, onSaved) => (
                <NamedForm
                  title={`Edit API key ${key.name}`}
                  idPrefix="apikey-edit"
                  initial={key}
                  save={(fields) => data(api.PUT('/v1/apikeys/{id}', { params: { path: { id: key.id } }, headers: { 'If-Match': key.entity_tag }, body: fields }))}
                  onClose={onClose}
                  onSaved={onSaved}
                />
              )
        }
        rowActions={[
          { label: 'Lock', onClick: (k) => void lock(k, true), hidden: (k) => k.locked },
          { label: 'Unlock', onClick: (k) => void lock(k, false), hidden: (k) => !k.locked },
        ]}
        remove={{
          kind: 'API key',
          name: (k) => k.name,
          consequence: 'Anything that signs in with this key stops working.',
          run: (k) => data(api.DELETE('/v1/apikeys/{id}', { params: { path: { id: k.id } } })),
          hidden: (k) => k.locked,
        }}
        empty={{ title: 'No API keys', text: `Create an API key for ${ownerName} to sign in with.` }}
      />
      {created ? (
        <Modal open passiveModal modalHeading={`API key ${created.name} created`} onRequestClose={() => setCreated(undefined)}>
          <SecretOnce label="The API key" value={created.value} filename={`apikey-${created.name.replace(/[^\w.-]+/g, '_')}.txt`} />
        </Modal>
      ) : null}
    </section>
  );
}
