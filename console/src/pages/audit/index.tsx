import { Dropdown, Tag, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, cursorOf, data } from '../../api/client.ts';
import type { paths } from '../../api/schema';
import { DataList, type Column, type ListQuery } from '../../ui/DataList.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import '../access.css';

/**
 * Audit: the account's audit events (`GET /v1/audit_events`), newest first, filtered by outcome,
 * action (exact, or a prefix ending in `*`), initiator, target and time; paged by the API's cursor.
 */
type AuditEvent = paths['/v1/audit_events']['get']['responses'][200]['content']['application/json']['audit_events'][number];

interface Filters {
  outcome: '' | 'success' | 'failure';
  action: string;
  initiator: string;
  target: string;
  from: string;
  to: string;
}

const OUTCOMES = [
  { id: '', text: 'Any outcome' },
  { id: 'success', text: 'Success' },
  { id: 'failure', text: 'Failure' },
] as const;

/** An action name that may wrap after each dot (a narrow column stays readable). */
const breakable = (action: string) => action.split('.').flatMap((part, i) => (i === 0 ? [part] : [<wbr key={i} />, `.${part}`]));

/** A `datetime-local` value (the browser's time zone) as an ISO 8601 instant. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

export default function AuditPage() {
  // What the fields show, and (a moment after the last keystroke) what the list is filtered by.
  const [draft, setDraft] = useState<Filters>({ outcome: '', action: '', initiator: '', target: '', from: '', to: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const set = (change: Partial<Filters>) => setDraft({ ...draft, ...change });
  useEffect(() => {
    const timer = setTimeout(() => setFilters(draft), 300);
    return () => clearTimeout(timer);
  }, [draft]);

  const load = useCallback(
    async (query: ListQuery) => {
      const from = instant(filters.from);
      const to = instant(filters.to);
      const page = await data(
        api.GET('/v1/audit_events', {
          params: {
            query: {
              account_id: accountId(),
              limit: query.pageSize,
              ...(query.cursor ? { start: query.cursor } : {}),
              ...(filters.outcome ? { outcome: filters.outcome } : {}),
              ...(filters.action.trim() ? { action: filters.action.trim() } : {}),
              ...(filters.initiator.trim() ? { initiator_iam_id: filters.initiator.trim() } : {}),
              ...(filters.target.trim() ? { target_id: filters.target.trim() } : {}),
              ...(from ? { from } : {}),
              ...(to ? { to } : {}),
            },
          },
        }),
      );
      return { items: page.audit_events, next: cursorOf(page.next, 'start') };
    },
    [filters],
  );

  const columns: Column<AuditEvent>[] = [
    {
      key: 'time',
      header: 'Time',
      cell: (e) => (
        <>
          {new Date(e.time).toLocaleString()}
          <span className="pc-audit-request" title="Transaction ID">
            {e.request_id}
          </span>
        </>
      ),
    },
    { key: 'action', header: 'Action', cell: (e) => <code>{breakable(e.action)}</code> },
    { key: 'outcome', header: 'Outcome', cell: (e) => (e.outcome === 'success' ? <Tag type="green">Success</Tag> : <Tag type="red">Failure</Tag>) },
    { key: 'initiator', header: 'Initiator', cell: (e) => <span className="pc-audit-cell">{e.initiator.iam_id}</span> },
    { key: 'target', header: 'Target', cell: (e) => <span className="pc-audit-cell">{`${e.target.type} ${e.target.id}`}</span> },
    {
      key: 'details',
      header: 'Details',
      cell: (e) => {
        const { reason, ...rest } = e.details as { reason?: string } & Record<string, unknown>;
        const text = Object.entries(rest).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ');
        return <span className="pc-audit-details">{[reason, text].filter(Boolean).join(' — ')}</span>;
      },
    },
  ];

  return (
    <div className="pc-page">
      <PageHeader title="Audit events" description="Who did what in this account, and whether it worked: every change and every refused attempt." />
      <div className="pc-audit-filters" role="search" aria-label="Filter audit events">
        <Dropdown
          id="audit-outcome"
          titleText="Outcome"
          label="Any outcome"
          items={[...OUTCOMES]}
          itemToString={(o: (typeof OUTCOMES)[number] | null) => o?.text ?? ''}
          selectedItem={OUTCOMES.find((o) => o.id === draft.outcome)}
          onChange={({ selectedItem }: { selectedItem: (typeof OUTCOMES)[number] | null }) => set({ outcome: selectedItem?.id ?? '' })}
        />
        <TextInput id="audit-action" labelText="Action" placeholder="iam-identity.apikey.*" value={draft.action} onChange={(e) => set({ action: e.target.value })} />
        <TextInput id="audit-initiator" labelText="Initiator IAM ID" value={draft.initiator} onChange={(e) => set({ initiator: e.target.value })} />
        <TextInput id="audit-target" labelText="Target ID" value={draft.target} onChange={(e) => set({ target: e.target.value })} />
        <TextInput id="audit-from" type="datetime-local" labelText="From" value={draft.from} onChange={(e) => set({ from: e.target.value })} />
        <TextInput id="audit-to" type="datetime-local" labelText="Until" value={draft.to} onChange={(e) => set({ to: e.target.value })} />
      </div>
      <DataList
        key={JSON.stringify(filters)}
        title="Events"
        columns={columns}
        rowKey={(e) => e.id}
        load={load}
        empty={{ title: 'No events match', text: 'Every change made in the account, and every refused attempt, appears here.' }}
      />
    </div>
  );
}
