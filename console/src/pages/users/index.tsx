import { DismissibleTag, Select, SelectItem, Stack, Tag, TextArea } from '@carbon/react';
import { useCallback, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import { IDENTITY_NOUNS, MEMBER_GROUP_SOURCE, type IdentityChoice } from '../../api/identities.ts';
import type { Column, ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { FormModal } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { SearchPicker } from '../../ui/SearchPicker.tsx';
import { nameOf, REMOVE_CONSEQUENCE, SETTABLE_STATES, sortOf, STATE_TAGS, stateLabel, type User } from './api.ts';

/**
 * The users API searches `field:value` terms (whole values, any case): typed text that names no
 * field is an e-mail when it has an @, else a first name.
 */
const searchOf = (text: string) => (text.includes(':') ? text : text.includes('@') ? `email:${text}` : `firstname:${text.replace(/,/g, ' ')}`);

/** The account's users: search, sort (by the API, across pages), invite (with access groups), change their state, remove; each opens its detail page. */
export default function UsersPage() {
  const [reload, setReload] = useState(0);
  const [changing, setChanging] = useState<User | undefined>(undefined);

  const load = useCallback(async (query: ListQuery) => {
    const sort = query.sort && sortOf(query.sort);
    const page = await data(
      api.GET('/v2/accounts/{account_id}/users', {
        params: {
          path: { account_id: accountId() },
          query: {
            limit: query.pageSize,
            ...(query.cursor ? { _start: query.cursor } : {}),
            ...(query.search ? { search: searchOf(query.search) } : {}),
            ...(sort ? { sort } : {}),
          },
        },
      }),
    );
    return { items: page.resources, next: cursorOf(page.next_url, '_start'), total: page.total_results };
  }, []);

  const columns: Column<User>[] = [
    { key: 'name', header: 'Name', cell: nameOf, sortable: true },
    { key: 'email', header: 'E-mail', cell: (u) => u.email, sortable: true },
    { key: 'state', header: 'State', cell: (u) => <Tag type={STATE_TAGS[u.state] ?? 'gray'}>{stateLabel(u.state)}</Tag>, sortable: true },
    { key: 'added_on', header: 'Added', cell: (u) => (u.added_on ? new Date(u.added_on).toLocaleString() : ''), sortable: true },
  ];

  return (
    <div className="pc-page">
      <PageHeader title="Users" description="People in this account. Invite them with access groups; an invited user becomes active on accepting the e-mailed invitation." />
      <ManagedList
        title="Users"
        columns={columns}
        description="Sorted by the server across all pages: by first name, e-mail, state or date added."
        rowKey={(u) => u.iam_id}
        rowPath={(u) => `/users/${u.iam_id}`}
        load={load}
        reloadKey={reload}
        searchLabel="Search by e-mail or first name (or field:value)"
        create={{ label: 'Invite users', form: (onClose, onSaved) => <InviteUsers onClose={onClose} onInvited={onSaved} /> }}
        rowActions={[{ label: 'Change state', onClick: setChanging, hidden: (u) => u.state === 'PENDING' }]}
        remove={{
          label: 'Remove',
          kind: 'user',
          name: nameOf,
          consequence: REMOVE_CONSEQUENCE,
          run: (u) => data(api.DELETE('/v2/accounts/{account_id}/users/{iam_id}', { params: { path: { account_id: accountId(), iam_id: u.iam_id } } })),
        }}
        empty={{ title: 'No users' }}
      />
      {changing ? <ChangeState user={changing} onClose={() => setChanging(undefined)} onChanged={() => setReload((n) => n + 1)} /> : null}
    </div>
  );
}

/**
 * Invite by e-mail, into access groups picked from all of the account's (SearchPicker: pages
 * through the groups with "Load more", and asks the API for a typed name); each pick is added to
 * the chosen groups, shown as tags that can be removed again.
 */
function InviteUsers({ onClose, onInvited }: { onClose: () => void; onInvited: () => void }) {
  const [emails, setEmails] = useState('');
  const [chosen, setChosen] = useState<IdentityChoice[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const list = emails.split(/[\s,;]+/).filter(Boolean);
  return (
    <FormModal
      title="Invite users"
      submitLabel="Invite"
      invalid={list.length === 0}
      onClose={onClose}
      onSubmit={async () => {
        await data(
          api.POST('/v2/accounts/{account_id}/users', {
            params: { path: { account_id: accountId() } },
            body: { users: list.map((email) => ({ email, account_role: 'Member' })), ...(chosen.length ? { access_groups: chosen.map((g) => g.id) } : {}) },
          }),
        );
        onInvited();
      }}
    >
      <Stack gap={6}>
        {error !== undefined ? <ErrorNotice error={error} title="Could not load the access groups" /> : null}
        <TextArea
          id="invite-emails"
          labelText="E-mail addresses"
          helperText="One or more, separated by commas or new lines. Each receives an invitation by e-mail."
          value={emails}
          onChange={(e) => setEmails(e.target.value)}
          rows={3}
          data-modal-primary-focus
        />
        <div>
          <SearchPicker<IdentityChoice>
            id="invite-groups"
            titleText="Access groups (optional)"
            noun={IDENTITY_NOUNS.group}
            source={MEMBER_GROUP_SOURCE}
            itemKey={(g) => g.id}
            itemLabel={(g) => g.label}
            selected={undefined}
            onChange={(g) => g && !chosen.some((c) => c.id === g.id) && setChosen([...chosen, g])}
            onError={setError}
          />
          <ul className="pc-chosen" aria-label="Chosen access groups">
            {chosen.map((g) => (
              <li key={g.id}>
                <DismissibleTag type="blue" text={g.label} dismissTooltipLabel={`Remove ${g.label}`} onClose={() => setChosen(chosen.filter((c) => c.id !== g.id))} />
              </li>
            ))}
          </ul>
          <p className="cds--form__helper-text">The invited users join these groups, and get their access, once they accept.</p>
        </div>
      </Stack>
    </FormModal>
  );
}

function ChangeState({ user, onClose, onChanged }: { user: User; onClose: () => void; onChanged: () => void }) {
  const [state, setState] = useState(user.state);
  return (
    <FormModal
      title={`Change the state of ${nameOf(user)}`}
      submitLabel="Save"
      onClose={onClose}
      onSubmit={async () => {
        await data(
          api.PATCH('/v2/accounts/{account_id}/users/{iam_id}', { params: { path: { account_id: accountId(), iam_id: user.iam_id } }, body: { state } }),
        );
        onChanged();
      }}
    >
      <Select id="user-state" labelText="State" value={state} onChange={(e) => setState(e.target.value)}>
        {SETTABLE_STATES.map((s) => (
          <SelectItem key={s.id} value={s.id} text={s.label} />
        ))}
      </Select>
    </FormModal>
  );
}
