import { ComboBox, Select, SelectItem, Stack, Tag } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, data } from '../../api/client.ts';
import { apiErrorOf } from '../../api/errors.ts';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { ConfirmDelete, FormModal } from '../../ui/FormModal.tsx';
import { MEMBER_KINDS, nextOffset, type Member, type MemberKind } from './api.ts';

const kindLabel = (type: string | undefined) => MEMBER_KINDS.find((k) => k.type === type)?.label ?? type ?? '';

/** Members of every kind (users, service IDs, trusted profiles; static and dynamic): add, remove. */
export function Members({ groupId }: { groupId: string }) {
  const [reload, setReload] = useState(0);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member | undefined>(undefined);
  const refresh = () => setReload((n) => n + 1);

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
    <section className="pc-section" aria-label="Members">
      <DataList
        title="Members"
        columns={columns}
        rowKey={(m) => m.iam_id}
        load={load}
        reloadKey={reload}
        primaryAction={{ label: 'Add members', onClick: () => setAdding(true) }}
        rowActions={[{ label: 'Remove', danger: true, onClick: setRemoving, hidden: (m) => m.membership_type === 'dynamic' }]}
        empty={{ title: 'No members', text: 'Add users, service IDs or trusted profiles.' }}
      />
      {adding ? <AddMember groupId={groupId} onClose={() => setAdding(false)} onAdded={refresh} /> : null}
      {removing ? (
        <ConfirmDelete
          kind="member"
          name={removing.name ?? removing.iam_id}
          consequence="The member loses the access this group gives."
          onConfirm={async () => {
            const result = await data(
              api.POST('/v2/groups/{access_group_id}/members/delete', { params: { path: { access_group_id: groupId } }, body: { members: [removing.iam_id] } }),
            );
            failedItem(result.members);
            refresh();
          }}
          onClose={() => setRemoving(undefined)}
        />
      ) : null}
    </section>
  );
}

/** A 207 answer's refused item, thrown as its error. */
function failedItem(items: { status_code: number; errors?: { message: string }[]; trace?: string }[]) {
  const failed = items.find((item) => item.status_code >= 400);
  if (failed) {
    throw apiErrorOf(new Response(null, { status: failed.status_code, headers: failed.trace ? { 'transaction-id': failed.trace } : {} }), { errors: failed.errors });
  }
}

interface Candidate {
  iamId: string;
  label: string;
}

/** The identities of a kind the group could take (the first 100 the caller may see). */
async function candidatesOf(kind: MemberKind): Promise<Candidate[]> {
  const account = accountId();
  if (kind === 'user') {
    const page = await data(api.GET('/v2/accounts/{account_id}/users', { params: { path: { account_id: account }, query: { limit: 100 } } }));
    return page.resources.map((u) => ({ iamId: u.iam_id, label: `${`${u.firstname} ${u.lastname}`.trim() || u.user_id} (${u.email})` }));
  }
  if (kind === 'service') {
    const page = await data(api.GET('/v1/serviceids', { params: { query: { account_id: account, pagesize: 100 } } }));
    return page.serviceids.map((s) => ({ iamId: s.iam_id, label: s.name }));
  }
  const page = await data(api.GET('/v1/profiles', { params: { query: { account_id: account, pagesize: 100 } } }));
  return page.profiles.map((p) => ({ iamId: p.iam_id, label: p.name }));
}

function AddMember({ groupId, onClose, onAdded }: { groupId: string; onClose: () => void; onAdded: () => void }) {
  const [kind, setKind] = useState<MemberKind>('user');
  const [candidates, setCandidates] = useState<Candidate[]>([]);
  const [chosen, setChosen] = useState<Candidate | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    setChosen(null);
    setCandidates([]);
    candidatesOf(kind).then(setCandidates, setError);
  }, [kind]);
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
            body: { members: [{ iam_id: chosen!.iamId, type: kind }] },
          }),
        );
        failedItem(result.members);
        onAdded();
      }}
    >
      <Stack gap={6}>
        {error !== undefined ? <ErrorNotice error={error} title="Could not load the identities" /> : null}
        <Select id="member-kind" labelText="Kind" value={kind} onChange={(e) => setKind(e.target.value as MemberKind)}>
          {MEMBER_KINDS.map((k) => (
            <SelectItem key={k.type} value={k.type} text={k.label} />
          ))}
        </Select>
        <ComboBox<Candidate>
          key={kind}
          id="member-identity"
          titleText={kindLabel(kind)}
          placeholder={`Choose a ${kindLabel(kind).toLowerCase()}`}
          items={candidates}
          itemToString={(c) => (c ? c.label : '')}
          selectedItem={chosen}
          onChange={({ selectedItem }) => setChosen(selectedItem ?? null)}
        />
      </Stack>
    </FormModal>
  );
}
