import { useCallback } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import type { Policy } from './api.ts';

/** Whose policies: an access group's, or one identity's own (those given to its IAM ID directly). */
export interface PolicySubject {
  by: 'access_group_id' | 'iam_id';
  id: string;
}

/**
 * The access policies of one subject, read only (access is assigned on the Assign access page):
 * `GET /v1/policies` filtered by the subject, paged by the API's `start` cursor.
 */
export function Policies({ subject, description, empty }: { subject: PolicySubject; description: string; empty: { title: string; text?: string } }) {
  const { by, id } = subject;
  const load = useCallback(
    async (query: ListQuery) => {
      const page = await data(
        api.GET('/v1/policies', {
          params: { query: { account_id: accountId(), ...(by === 'iam_id' ? { iam_id: id } : { access_group_id: id }), limit: query.pageSize, ...(query.cursor ? { start: query.cursor } : {}) } },
        }),
      );
      return { items: page.policies, next: cursorOf(page.next, 'start') };
    },
    [by, id],
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
      <DataList title="Access policies" description={description} columns={columns} rowKey={(p) => p.id} load={load} empty={empty} />
    </section>
  );
}
