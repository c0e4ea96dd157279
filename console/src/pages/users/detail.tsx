import { Button, Tag } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, data, nextOffset } from '../../api/client.ts';
import { navigate } from '../../shell/router.ts';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Fields } from '../../ui/Fields.tsx';
import { ConfirmDelete } from '../../ui/FormModal.tsx';
import { Loading } from '../../ui/Loading.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { Policies } from '../access-groups/Policies.tsx';
import { nameOf, REMOVE_CONSEQUENCE, stateLabel, STATE_TAGS, type Group, type UserProfile } from './api.ts';

/**
 * One user of the account: the profile (`GET /v2/accounts/{id}/users/{iam_id}`), the access groups
 * the user is in (`GET /v2/groups?iam_id=`), the policies given to the user directly
 * (`GET /v1/policies?iam_id=`), and remove from the account (asks first).
 */
export default function UserPage({ params }: { params: Record<string, string> }) {
  const iamId = params.id!;
  const [user, setUser] = useState<UserProfile | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [removing, setRemoving] = useState(false);

  useEffect(() => {
    let live = true;
    data(api.GET('/v2/accounts/{account_id}/users/{iam_id}', { params: { path: { account_id: accountId(), iam_id: iamId } } })).then(
      (loaded) => live && setUser(loaded),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [iamId]);

  const back = { label: 'Users', path: '/users' };
  if (!user) {
    return (
      <div className="pc-page">
        <PageHeader title="User" back={back} />
        {error !== undefined ? <ErrorNotice error={error} title="Could not load the user" /> : <Loading />}
      </div>
    );
  }
  const name = nameOf(user);
  return (
    <div className="pc-page">
      <PageHeader
        title={name}
        back={back}
        description={user.email}
        actions={
          <Button kind="danger--tertiary" onClick={() => setRemoving(true)}>
            Remove
          </Button>
        }
      />
      <Fields
        label="User details"
        rows={[
          ['State', <Tag type={STATE_TAGS[user.state] ?? 'gray'}>{stateLabel(user.state)}</Tag>],
          ['E-mail', user.email],
          ['User ID', user.user_id],
          ['IAM ID', user.iam_id],
          ['Phone', user.phonenumber],
          ['Added', user.added_on ? new Date(user.added_on).toLocaleString() : ''],
        ]}
      />
      <UserGroups iamId={iamId} />
      <Policies
        subject={{ by: 'iam_id', id: iamId }}
        description="Access given to this user directly; the access groups above add theirs."
        empty={{ title: 'No direct access', text: 'Give the user access on the Assign access page, or add them to an access group.' }}
      />
      {removing ? (
        <ConfirmDelete
          kind="user"
          name={name}
          consequence={REMOVE_CONSEQUENCE}
          onConfirm={async () => {
            await data(api.DELETE('/v2/accounts/{account_id}/users/{iam_id}', { params: { path: { account_id: accountId(), iam_id: iamId } } }));
            navigate('/users');
          }}
          onClose={() => setRemoving(false)}
        />
      ) : null}
    </div>
  );
}

/** The access groups the user is a member of, each a link to its page. */
function UserGroups({ iamId }: { iamId: string }) {
  const load = useCallback(
    async (query: ListQuery) => {
      const page = await data(
        api.GET('/v2/groups', { params: { query: { account_id: accountId(), iam_id: iamId, limit: query.pageSize, offset: Number(query.cursor ?? 0) } } }),
      );
      return { items: page.groups, next: nextOffset(page), total: page.total_count };
    },
    [iamId],
  );
  const columns: Column<Group>[] = [
    { key: 'name', header: 'Name', cell: (g) => g.name },
    { key: 'description', header: 'Description', cell: (g) => g.description ?? '' },
  ];
  return (
    <section className="pc-section" aria-label="Access groups">
      <DataList
        title="Access groups"
        description="Groups the user is a member of; each group's policies apply to the user."
        columns={columns}
        rowKey={(g) => g.id}
        rowPath={(g) => `/access-groups/${g.id}`}
        load={load}
        empty={{ title: 'In no access group' }}
      />
    </section>
  );
}
