import { Checkbox, ComboBox, RadioButton, RadioButtonGroup, Stack, Tag, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, data } from '../../api/client.ts';
import { staleAs, tagged } from '../../api/versioned.ts';
import type { paths } from '../../api/schema';
import type { Column } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { FormModal } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { catalogServices, type CatalogService } from '../assign-access/api.ts';
import { counted, noun } from '../../ui/counted.ts';

/**
 * Context-based restriction rules: list, create, edit (`PUT /v1/rules/{id}` with the ETag read when
 * the editor opened, so a change made meanwhile by someone else is refused with 412 and said so),
 * delete. The editor covers what people set in IBM's console: the zones requests may come from,
 * the service (optionally one instance, resource type or resource), the operations restricted, and
 * the enforcement mode; contexts and resources it cannot show (endpoint types, further resources,
 * tags) are kept as they are.
 */
export type Zone = paths['/v1/zones']['get']['responses'][200]['content']['application/json']['zones'][number];
type Rule = paths['/v1/rules']['get']['responses'][200]['content']['application/json']['rules'][number];
type RuleBody = NonNullable<paths['/v1/rules']['post']['requestBody']>['content']['application/json'];
type Context = Rule['contexts'][number];
type Resource = Rule['resources'][number];
type ApiType = paths['/v1/operations']['get']['responses'][200]['content']['application/json']['api_types'][number];
type Mode = 'enabled' | 'report' | 'disabled';

const MODES: { id: Mode; label: string }[] = [
  { id: 'enabled', label: 'Enforced: requests from elsewhere are denied' },
  { id: 'report', label: 'Report only: requests from elsewhere are logged, not denied' },
  { id: 'disabled', label: 'Disabled' },
];
const RESOURCE_FIELDS = [
  ['serviceInstance', 'Service instance (optional)'],
  ['resourceType', 'Resource type (optional)'],
  ['resource', 'Resource ID (optional)'],
] as const;
type ResourceField = (typeof RESOURCE_FIELDS)[number][0];

const attributeOf = (r: Resource | undefined, name: string) => r?.attributes.find((a) => a.name === name)?.value;
/** A context the editor shows: only network zones (IBM allows a comma-separated list in one attribute). */
const zonesOfContext = (c: Context) => (c.attributes.length === 1 && c.attributes[0]!.name === 'networkZoneId' ? c.attributes[0]!.value.split(',').map((v) => v.trim()) : undefined);

export function Rules({ zones }: { zones: Zone[] }) {
  const load = useCallback(async () => ({ items: (await data(api.GET('/v1/rules', { params: { query: { account_id: accountId() } } }))).rules }), []);
  const zoneName = (id: string) => zones.find((z) => z.id === id)?.name ?? id;
  const columns: Column<Rule>[] = [
    { key: 'service', header: 'Restricts', cell: (r) => [attributeOf(r.resources[0], 'serviceName') ?? attributeOf(r.resources[0], 'service_group_id') ?? 'every service', attributeOf(r.resources[0], 'serviceInstance')].filter(Boolean).join(' / ') },
    { key: 'zones', header: 'Zones', cell: (r) => r.contexts.flatMap((c) => c.attributes.filter((a) => a.name === 'networkZoneId').flatMap((a) => a.value.split(','))).map(zoneName).join(', ') },
    { key: 'operations', header: 'Operations', cell: (r) => (r.operations ? r.operations.api_types.map((t) => t.api_type_id.split(':').pop()).join(', ') : 'All') },
    { key: 'mode', header: 'Enforcement', cell: (r) => <Tag type={r.enforcement_mode === 'enabled' ? 'red' : r.enforcement_mode === 'report' ? 'warm-gray' : 'cool-gray'}>{r.enforcement_mode}</Tag> },
    { key: 'description', header: 'Description', cell: (r) => r.description },
  ];
  return (
    <ManagedList
      section="Restriction rules"
      title="Context-based restriction rules"
      description="Each rule admits requests to a service only from its zones (or only reports them)."
      columns={columns}
      rowKey={(r) => r.id}
      load={load}
      pageSizes={[100]}
      create={{ label: 'Create rule', form: (onClose, onSaved) => <EditRule ruleId={undefined} zones={zones} onClose={onClose} onSaved={onSaved} /> }}
      edit={(rule) => (onClose, onSaved) => <EditRule ruleId={rule.id} zones={zones} onClose={onClose} onSaved={onSaved} />}
      remove={{
        kind: 'rule',
        name: (r) => r.id,
        consequence: 'Requests to the service are no longer restricted by this rule.',
        run: (r) => data(api.DELETE('/v1/rules/{rule_id}', { params: { path: { rule_id: r.id } } })),
      }}
      empty={{ title: 'No restriction rules', text: 'Create a network zone first, then a rule that admits requests to a service only from it.' }}
    />
  );
}

interface Form {
  description: string;
  zoneIds: string[];
  serviceName: string;
  resource: Record<ResourceField, string>;
  /** The API types restricted; empty: every operation. */
  apiTypes: string[];
  mode: Mode;
}

/** The rule being edited as it was read, with the ETag to send back. */
interface Loaded {
  rule: Rule;
  etag: string;
}

function formOf(rule: Rule | undefined): Form {
  const first = rule?.resources[0];
  return {
    description: rule?.description ?? '',
    zoneIds: (rule?.contexts ?? []).flatMap((c) => zonesOfContext(c) ?? []),
    serviceName: attributeOf(first, 'serviceName') ?? '',
    resource: Object.fromEntries(RESOURCE_FIELDS.map(([k]) => [k, attributeOf(first, k) ?? ''])) as Record<ResourceField, string>,
    apiTypes: rule?.operations?.api_types.map((t) => t.api_type_id) ?? [],
    mode: (rule?.enforcement_mode as Mode | undefined) ?? 'enabled',
  };
}

function bodyOf(form: Form, before: Rule | undefined): RuleBody {
  const kept = before?.contexts.filter((c) => zonesOfContext(c) === undefined) ?? [];
  const edited = RESOURCE_FIELDS.map(([k]) => k as string);
  const first = before?.resources[0];
  // Attributes the editor does not show (region, …) and the resource's tags stay as they were.
  const otherAttributes = (first?.attributes ?? []).filter((a) => !['accountId', 'serviceName', ...edited].includes(a.name));
  const resource: Resource = {
    attributes: [
      { name: 'accountId', value: accountId() },
      { name: 'serviceName', value: form.serviceName },
      ...RESOURCE_FIELDS.flatMap(([k]) => (form.resource[k].trim() ? [{ name: k, value: form.resource[k].trim() }] : [])),
      ...otherAttributes,
    ],
    ...(first?.tags?.length ? { tags: first.tags } : {}),
  };
  return {
    ...(form.description.trim() ? { description: form.description.trim() } : {}),
    contexts: [...form.zoneIds.map((id) => ({ attributes: [{ name: 'networkZoneId', value: id }] })), ...kept],
    resources: [resource, ...(before?.resources.slice(1) ?? [])],
    ...(form.apiTypes.length ? { operations: { api_types: form.apiTypes.map((api_type_id) => ({ api_type_id })) } } : {}),
    enforcement_mode: form.mode,
  };
}

function EditRule({ ruleId, zones, onClose, onSaved }: { ruleId: string | undefined; zones: Zone[]; onClose: () => void; onSaved: () => void }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [form, setForm] = useState<Form | undefined>(ruleId ? undefined : formOf(undefined));
  const [services, setServices] = useState<CatalogService[]>([]);
  const [apiTypes, setApiTypes] = useState<ApiType[]>([]);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    catalogServices().then(setServices, setError);
    if (!ruleId) return;
    tagged(api.GET('/v1/rules/{rule_id}', { params: { path: { rule_id: ruleId } } })).then(({ value: rule, etag }) => {
      setLoaded({ rule, etag });
      setForm(formOf(rule));
    }, setError);
  }, [ruleId]);

  const serviceName = form?.serviceName ?? '';
  useEffect(() => {
    setApiTypes([]);
    if (!serviceName) return;
    data(api.GET('/v1/operations', { params: { query: { service_name: serviceName } } })).then((o) => setApiTypes(o.api_types), setError);
  }, [serviceName]);

  const set = (change: Partial<Form>) => form && setForm({ ...form, ...change });
  const kept = loaded?.rule.contexts.filter((c) => zonesOfContext(c) === undefined).length ?? 0;
  const service = services.find((s) => s.name === serviceName);
  return (
    <FormModal
      title={ruleId ? `Edit rule ${ruleId}` : 'Create a restriction rule'}
      submitLabel={ruleId ? 'Save' : 'Create'}
      invalid={!form || !form.serviceName || form.zoneIds.length + kept === 0}
      onClose={onClose}
      onSubmit={async () => {
        const body = bodyOf(form!, loaded?.rule);
        try {
          if (ruleId) await data(api.PUT('/v1/rules/{rule_id}', { params: { path: { rule_id: ruleId } }, headers: { 'If-Match': loaded!.etag }, body }));
          else await data(api.POST('/v1/rules', { body }));
        } catch (failure) {
          throw staleAs(failure, 'rule');
        }
        onSaved();
      }}
    >
      {error !== undefined ? <ErrorNotice error={error} title="Could not load" /> : null}
      {!form ? (
        <p>Loading the rule…</p>
      ) : (
        <Stack gap={5}>
          <fieldset className="pc-rule-zones">
            <legend className="cds--label">Allowed network zones</legend>
            {zones.length === 0 ? <p>There are no network zones yet: create one first.</p> : null}
            {zones.map((z) => (
              <Checkbox
                key={z.id}
                id={`rule-zone-${z.id}`}
                labelText={z.name}
                checked={form.zoneIds.includes(z.id)}
                onChange={(_event: unknown, { checked }: { checked: boolean }) => set({ zoneIds: checked ? [...form.zoneIds, z.id] : form.zoneIds.filter((id) => id !== z.id) })}
              />
            ))}
            {kept ? <p className="cds--form__helper-text">{`Kept as they are: ${counted(kept, noun('other context'))} of this rule (endpoint types).`}</p> : null}
          </fieldset>
          <ComboBox<CatalogService>
            id="rule-service"
            titleText="Service"
            placeholder="Type to filter"
            items={services}
            itemToString={(s) => (s ? `${s.displayName} (${s.name})` : '')}
            selectedItem={service ?? null}
            onChange={({ selectedItem }) => set({ serviceName: selectedItem?.name ?? '', apiTypes: [] })}
          />
          <div className="pc-assign-pair">
            {RESOURCE_FIELDS.map(([k, label]) => (
              <TextInput key={k} id={`rule-${k}`} labelText={label} value={form.resource[k]} onChange={(e) => set({ resource: { ...form.resource, [k]: e.target.value } })} />
            ))}
          </div>
          {apiTypes.length ? (
            <fieldset>
              <legend className="cds--label">Operations restricted (none chosen: all of them)</legend>
              {apiTypes.map((t) => (
                <Checkbox
                  key={t.api_type_id}
                  id={`rule-operation-${t.api_type_id}`}
                  labelText={`${t.display_name}: ${t.description}`}
                  checked={form.apiTypes.includes(t.api_type_id)}
                  onChange={(_event: unknown, { checked }: { checked: boolean }) => set({ apiTypes: checked ? [...form.apiTypes, t.api_type_id] : form.apiTypes.filter((id) => id !== t.api_type_id) })}
                />
              ))}
            </fieldset>
          ) : null}
          <RadioButtonGroup legendText="Enforcement" name="rule-mode" orientation="vertical" valueSelected={form.mode} onChange={(v: string | number | undefined) => set({ mode: v as Mode })}>
            {MODES.map((m) => (
              <RadioButton key={m.id} id={`rule-mode-${m.id}`} labelText={m.label} value={m.id} />
            ))}
          </RadioButtonGroup>
          <TextInput id="rule-description" labelText="Description (optional)" value={form.description} onChange={(e) => set({ description: e.target.value })} />
        </Stack>
      )}
    </FormModal>
  );
}
