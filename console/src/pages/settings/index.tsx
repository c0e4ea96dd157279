import { Button, Dropdown, Stack, TextArea, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, data } from '../../api/client.ts';
import type { Column } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { FormModal } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import '../access.css';
import { Rules, type Zone } from './Rules.tsx';

/**
 * Settings: the account's identity settings (MFA, sessions, IP allow-list, who may create service
 * IDs and API keys; `PUT /v1/accounts/{id}/settings/identity` with If-Match), and its
 * context-based restrictions: network zones (list, create, edit addresses, delete) and rules (list,
 * create, edit, delete: Rules.tsx).
 */
type Mfa = 'NONE' | 'NONE_NO_ROPC' | 'TOTP' | 'TOTP4ALL' | 'LEVEL1' | 'LEVEL2' | 'LEVEL3';
type Restriction = 'RESTRICTED' | 'NOT_RESTRICTED' | 'NOT_SET';

const MFA: { id: Mfa; text: string }[] = [
  { id: 'NONE', text: 'None' },
  { id: 'NONE_NO_ROPC', text: 'None, and no password grant for API clients' },
  { id: 'TOTP', text: 'TOTP for users without federation (non-federated IBMid)' },
  { id: 'TOTP4ALL', text: 'TOTP for all users' },
  { id: 'LEVEL1', text: 'Email-based MFA' },
  { id: 'LEVEL2', text: 'TOTP MFA' },
  { id: 'LEVEL3', text: 'U2F MFA' },
];
const RESTRICTIONS: { id: Restriction; text: string }[] = [
  { id: 'NOT_SET', text: 'Not set (everyone may)' },
  { id: 'NOT_RESTRICTED', text: 'Everyone may' },
  { id: 'RESTRICTED', text: 'Only who is given the creator role' },
];

interface Form {
  mfa: Mfa;
  session_expiration_in_seconds: string;
  session_invalidation_in_seconds: string;
  max_sessions_per_identity: string;
  allowed_ip_addresses: string;
  restrict_create_service_id: Restriction;
  restrict_create_platform_apikey: Restriction;
}

export default function SettingsPage() {
  return (
    <div className="pc-page">
      <PageHeader title="Settings" description="How people sign in to this account, from where, and which networks may reach its services." />
      <IdentitySettings />
      <Restrictions />
    </div>
  );
}

function IdentitySettings() {
  const [form, setForm] = useState<Form | undefined>(undefined);
  const [etag, setEtag] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const read = useCallback(async () => {
    const result = await api.GET('/v1/accounts/{account_id}/settings/identity', { params: { path: { account_id: accountId() } } });
    const s = await data(Promise.resolve(result));
    setEtag(result.response.headers.get('etag') ?? '');
    setForm({
      mfa: (s.mfa ?? 'NONE') as Mfa,
      session_expiration_in_seconds: s.session_expiration_in_seconds ?? 'NOT_SET',
      session_invalidation_in_seconds: s.session_invalidation_in_seconds ?? 'NOT_SET',
      max_sessions_per_identity: s.max_sessions_per_identity ?? 'NOT_SET',
      allowed_ip_addresses: s.allowed_ip_addresses ?? '',
      restrict_create_service_id: (s.restrict_create_service_id ?? 'NOT_SET') as Restriction,
      restrict_create_platform_apikey: (s.restrict_create_platform_apikey ?? 'NOT_SET') as Restriction,
    });
  }, []);
  useEffect(() => {
    read().catch(setError);
  }, [read]);

  if (!form) return error !== undefined ? <ErrorNotice error={error} title="Could not load the settings" /> : <p>Loading the settings…</p>;
  const set = (change: Partial<Form>) => {
    setSaved(false);
    setForm({ ...form, ...change });
  };
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await data(api.PUT('/v1/accounts/{account_id}/settings/identity', { params: { path: { account_id: accountId() } }, headers: { 'If-Match': etag }, body: form }));
      await read();
      setSaved(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const seconds = (key: 'session_expiration_in_seconds' | 'session_invalidation_in_seconds' | 'max_sessions_per_identity', label: string, helper: string) => (
    <TextInput id={`settings-${key}`} labelText={label} helperText={helper} value={form[key]} onChange={(e) => set({ [key]: e.target.value.trim() })} />
  );
  return (
    <section className="pc-section" aria-labelledby="settings-identity">
      <h2 id="settings-identity" className="pc-subtitle">
        Sign-in and identities
      </h2>
      <form
        aria-label="Account identity settings"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <Stack gap={5}>
          <Dropdown id="settings-mfa" titleText="Multi-factor authentication" label="MFA" items={MFA} itemToString={(m: (typeof MFA)[number] | null) => m?.text ?? ''} selectedItem={MFA.find((m) => m.id === form.mfa)} onChange={({ selectedItem }: { selectedItem: (typeof MFA)[number] | null }) => set({ mfa: selectedItem?.id ?? 'NONE' })} />
          <div className="pc-assign-pair">
            {seconds('session_expiration_in_seconds', 'Session expiration (seconds)', 'Sign-in sessions end this long after sign-in (900–86400, or NOT_SET).')}
            {seconds('session_invalidation_in_seconds', 'Session inactivity (seconds)', 'Sessions idle this long end (900–7200, or NOT_SET).')}
          </div>
          {seconds('max_sessions_per_identity', 'Sessions per identity', 'At most this many concurrent sessions (1–30, or NOT_SET).')}
          <TextArea id="settings-ips" labelText="Allowed IP addresses" helperText="Addresses and subnets, separated by commas (empty: any address)." rows={2} value={form.allowed_ip_addresses} onChange={(e) => set({ allowed_ip_addresses: e.target.value })} />
          <div className="pc-assign-pair">
            <Dropdown id="settings-sid" titleText="Who may create service IDs" label="Service IDs" items={RESTRICTIONS} itemToString={(r: (typeof RESTRICTIONS)[number] | null) => r?.text ?? ''} selectedItem={RESTRICTIONS.find((r) => r.id === form.restrict_create_service_id)} onChange={({ selectedItem }: { selectedItem: (typeof RESTRICTIONS)[number] | null }) => set({ restrict_create_service_id: selectedItem?.id ?? 'NOT_SET' })} />
            <Dropdown id="settings-keys" titleText="Who may create API keys" label="API keys" items={RESTRICTIONS} itemToString={(r: (typeof RESTRICTIONS)[number] | null) => r?.text ?? ''} selectedItem={RESTRICTIONS.find((r) => r.id === form.restrict_create_platform_apikey)} onChange={({ selectedItem }: { selectedItem: (typeof RESTRICTIONS)[number] | null }) => set({ restrict_create_platform_apikey: selectedItem?.id ?? 'NOT_SET' })} />
          </div>
          {error !== undefined ? <ErrorNotice error={error} title="The settings were not saved" /> : null}
          <div>
            <Button type="submit" disabled={busy}>
              {busy ? 'Saving…' : 'Save settings'}
            </Button>
            {saved ? <span className="pc-saved" role="status"> Saved.</span> : null}
          </div>
        </Stack>
      </form>
    </section>
  );
}

const addressesOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((value) => ({ type: value.includes('/') ? ('subnet' as const) : value.includes('-') ? ('ipRange' as const) : ('ipAddress' as const), value }));

/** The zones, and the rules that name them (the rule editor offers the zones as they are now). */
function Restrictions() {
  const [zones, setZones] = useState<Zone[]>([]);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    data(api.GET('/v1/zones', { params: { query: { account_id: accountId() } } })).then((list) => setZones(list.zones), () => setZones([]));
  }, [version]);
  return (
    <>
      <Zones onChanged={() => setVersion((n) => n + 1)} />
      <Rules zones={zones} />
    </>
  );
}

function Zones({ onChanged }: { onChanged: () => void }) {
  const load = useCallback(async () => ({ items: (await data(api.GET('/v1/zones', { params: { query: { account_id: accountId() } } }))).zones }), []);
  const columns: Column<Zone>[] = [
    { key: 'name', header: 'Zone', cell: (z) => z.name },
    { key: 'addresses', header: 'Addresses', cell: (z) => z.addresses_preview.map((a) => a.value ?? a.ref?.service_name ?? a.type).join(', ') },
    { key: 'count', header: 'Count', cell: (z) => String(z.address_count) },
  ];
  return (
    <ManagedList
      section="Network zones"
      title="Network zones"
      description="Where requests may come from, for context-based restrictions."
      columns={columns}
      rowKey={(z) => z.id}
      load={load}
      pageSizes={[100]}
      onChanged={onChanged}
      create={{ label: 'Create zone', form: (onClose, onSaved) => <EditZone zone={undefined} onClose={onClose} onSaved={onSaved} /> }}
      edit={(zone) => (onClose, onSaved) => <EditZone zone={zone} onClose={onClose} onSaved={onSaved} />}
      remove={{ kind: 'zone', name: (z) => z.name, run: (z) => data(api.DELETE('/v1/zones/{zone_id}', { params: { path: { zone_id: z.id } } })) }}
      empty={{ title: 'No network zones', text: 'Create a zone of addresses, then a rule that admits only requests from it.' }}
    />
  );
}

function EditZone({ zone, onClose, onSaved }: { zone: Zone | undefined; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(zone?.name ?? '');
  const [addresses, setAddresses] = useState(zone ? zone.addresses_preview.flatMap((a) => (a.value ? [a.value] : [])).join(', ') : '');
  return (
    <FormModal
      title={zone ? `Edit zone ${zone.name}` : 'Create a network zone'}
      submitLabel={zone ? 'Save' : 'Create'}
      invalid={!name.trim() || addressesOf(addresses).length === 0}
      onClose={onClose}
      onSubmit={async () => {
        const body = { name: name.trim(), account_id: accountId(), addresses: addressesOf(addresses) };
        if (zone) {
          const current = await api.GET('/v1/zones/{zone_id}', { params: { path: { zone_id: zone.id } } });
          const found = await data(Promise.resolve(current));
          await data(
            api.PUT('/v1/zones/{zone_id}', {
              params: { path: { zone_id: zone.id } },
              headers: { 'If-Match': current.response.headers.get('etag') ?? '*' },
              body: { ...body, ...(found.description ? { description: found.description } : {}) },
            }),
          );
        } else {
          await data(api.POST('/v1/zones', { body }));
        }
        onSaved();
      }}
    >
      <Stack gap={5}>
        <TextInput id="zone-name" labelText="Name" value={name} onChange={(e) => setName(e.target.value)} data-modal-primary-focus />
        <TextArea id="zone-addresses" labelText="Addresses" helperText="IP addresses, ranges (a-b) and subnets (CIDR), separated by commas." rows={3} value={addresses} onChange={(e) => setAddresses(e.target.value)} />
      </Stack>
    </FormModal>
  );
}
