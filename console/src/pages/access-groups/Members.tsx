import { Select, SelectItem, Stack, Tag } from '@carbon/react';
import { useCallback, useState } from 'react';
import { accountId, api, data, nextOffset } from '../../api/client.ts';
import { IDENTITY_NOUNS, IDENTITY_SOURCES, type IdentityChoice } from '../../api/identities.ts';
import { apiErrorOf } from '../../api/errors.ts';
import type { Column, ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { FormModal } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { SearchPicker } from '../../ui/SearchPicker.tsx';
import { MEMBER_KINDS, type Member, type MemberKind } from './api.ts';

const kindLabel = (type: string | undefined) => MEMBER_KINDS.find((k) => k.type === type)?.label ?? type ?? '';

/** Members of every kind (users, service IDs, trusted profiles; static and dynamic): add, remove. */
export function Members({ groupId }: { groupId: string }) {
  const load = useCallback(
    async (query: ListQuery) => {
      const page = await data(
        api.GET('/v2/groups/{access_group_id}/members', {
          params: {
            path: { access_group_id: groupId },
            query: { limit: query.pageSize, offset: Number(query.cursor ?? 0), verbose: true, membership_type: 'all' },
          },
        }),
      );
      return { items: page.members, next: nextOffset(page), total: page.total_count };
    },
    [groupId],
  );
  const columns: Column<Member>[] = [
    { key: 'name', header: 'Name', cell: (m) => m.name ?? m.email ?? m.iam_id },
    { key: 'type', header: 'Kind', cell: (m) => kindLabel(m.type) },
    { key: 'membership', header: 'Membership', cell: (m) => (m.membership_type === 'dynamic' ? <Tag type="purple">Dynamic</Tag> : <Tag type="gray">Static</Tag>) },
    { key: 'iam_id', header: 'IAM ID', cell: (m) => m.iam_id },
  ];
  return (
    <ManagedList
      section="Members"
      title="Members"
      columns={columns}
      rowKey={(m) => m.iam_id}
      load={load}
      create={{ label: 'Add members', form: (onClose, onSaved) => <AddMember groupId={groupId} onClose={onClose} onAdded={onSaved} /> }}
      remove={{
        label: 'Remove',
        kind: 'member',
        name: (m) => m.name ?? m.iam_id,
        consequence: 'The member loses the access this group gives.',
        run: async (m) => failedItem((await data(api.POST('/v2/groups/{access_group_id}/members/delete', { params: { path: { access_group_id: groupId } }, body: { members: [m.iam_id] } }))).members),
        hidden: (m) => m.membership_type === 'dynamic',
      }}
      empty={{ title: 'No members', text: 'Add users, service IDs or trusted profiles.' }}
    />
  );
}

/** A 207 answer's refused item, thrown as its error. */
function failedItem(items: { status_code: number; errors?: { message: string }[]; trace?: string }[]) {
  const failed = items.find((item) => item.status_code >= 400);
  if (failed) {
    throw apiErrorOf(new Response(null, { status: failed.status_code, headers: failed.trace ? { 'transaction-id': failed.trace } : {} }), { errors: failed.errors });
  }
}

/** The identity kind of each member kind (the member API's `service` is a service ID). */
const IDENTITY_OF = { user: 'user', service: 'serviceid', profile: 'profile' } as const;

function AddMember({ groupId, onClose, onAdded }: { groupId: string; onClose: () => void; onAdded: () => void }) {
  const [kind, setKind] = useState<MemberKind>('user');
  const [chosen, setChosen] = useState<IdentityChoice | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <FormModal
      title="Add a member"
      submitLabel="Add"
      invalid={!chosen}
      onClose={onClose}
      onSubmit={async () => {
        const result = await data(
          api.PUT('/v2/groups/{access_group_id}/members', {
            params: { path: { access_group_id: groupId } },
            body: { members: [{ iam_id: chosen!.id, type: kind }] },
          }),
        );
        failedItem(result.members);
        onAdded();
      }}
    >
      <Stack gap={6}>
        {error !== undefined ? <ErrorNotice error={error} title="Could not load the identities" /> : null}
        <Select id="member-kind" labelText="Kind" value={kind} onChange={(e) => { setKind(e.target.value as MemberKind); setChosen(undefined); }}>
          {MEMBER_KINDS.map((k) => (
            <SelectItem key={k.type} value={k.type} text={k.label} />
          ))}
        </Select>
        <SearchPicker
          key={kind}
          id="member-identity"
          titleText={kindLabel(kind)}
          noun={IDENTITY_NOUNS[IDENTITY_OF[kind]]}
          source={IDENTITY_SOURCES[IDENTITY_OF[kind]]}
          itemKey={(c) => c.id}
          itemLabel={(c) => c.label}
          selected={chosen}
          onChange={setChosen}
          onError={setError}
        />
      </Stack>
    </FormModal>
  );
}
