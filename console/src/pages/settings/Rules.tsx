import { Checkbox, ComboBox, RadioButton, RadioButtonGroup, Stack, Tag, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { accountId, api, data } from '../../api/client.ts';
import { staleAs, tagged } from '../../api/versioned.ts';
import type { paths } from '../../api/schema';
import type { Column } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { FormModal } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import { AddRow, patchedAt, RemoveRow, withoutAt } from '../../ui/Repeated.tsx';
import { catalogServices, type CatalogService } from '../assign-access/api.ts';
import './Rules.css';
import { counted, noun } from '../../ui/counted.ts';

/**
 * Context-based restriction rules: list, create, edit (`PUT /v1/rules/{id}` with the ETag read when
 * the editor opened, so a change made meanwhile by someone else is refused with 412 and said so),
 * delete. The editor covers what people set in IBM's console: every context requests may come
 * from (its network zones and endpoint types; contexts added and removed, one always remains), the
 * service (optionally one instance, resource type or resource), the operations restricted, and
 * the enforcement mode; what it cannot show (further resources, tags, other resource attributes)
 * is kept as it is.
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

const ENDPOINT_TYPES = [
  { id: 'public', label: 'Public' },
  { id: 'private', label: 'Private' },
  { id: 'direct', label: 'Direct' },
] as const;

const attributeOf = (r: Resource | undefined, name: string) => r?.attributes.find((a) => a.name === name)?.value;
/** The values of a context attribute (IBM allows a comma-separated list in one attribute). */
const valuesOf = (c: Context, name: string) => c.attributes.filter((a) => a.name === name).flatMap((a) => a.value.split(',').map((v) => v.trim()));

/** A context as the editor holds it: requests from any of these zones (none: from anywhere) over any of these endpoint types (none: any). */
interface ContextForm {
  zoneIds: string[];
  endpointTypes: string[];
}
const contextOf = (c: Context): ContextForm => ({ zoneIds: valuesOf(c, 'networkZoneId'), endpointTypes: valuesOf(c, 'endpointType') });
const contextBody = (c: ContextForm): Context => ({
  attributes: [
    ...(c.zoneIds.length ? [{ name: 'networkZoneId', value: c.zoneIds.join(',') }] : []),
    ...(c.endpointTypes.length ? [{ name: 'endpointType', value: c.endpointTypes.join(',') }] : []),
  ],
});
const EMPTY_CONTEXT: ContextForm = { zoneIds: [], endpointTypes: [] };

export function Rules({ zones }: { zones: Zone[] }) {
  const load = useCallback(async () => ({ items: (await data(api.GET('/v1/rules', { params: { query: { account_id: accountId() } } }))).rules }), []);
  const zoneName = (id: string) => zones.find((z) => z.id === id)?.name ?? id;
  const columns: Column<Rule>[] = [
    { key: 'service', header: 'Restricts', cell: (r) => [attributeOf(r.resources[0], 'serviceName') ?? attributeOf(r.resources[0], 'service_group_id') ?? 'every service', attributeOf(r.resources[0], 'serviceInstance')].filter(Boolean).join(' / ') },
    {
      key: 'zones',
      header: 'Allowed from',
      cell: (r) =>
        r.contexts
          .map(contextOf)
          .map((c) => [c.zoneIds.map(zoneName).join(', '), c.endpointTypes.length ? `${c.endpointTypes.join(', ')} endpoints` : ''].filter(Boolean).join(' over '))
          .join('; or '),
    },
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
  contexts: ContextForm[];
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
    contexts: rule?.contexts.length ? rule.contexts.map(contextOf) : [EMPTY_CONTEXT],
    serviceName: attributeOf(first, 'serviceName') ?? '',
    resource: Object.fromEntries(RESOURCE_FIELDS.map(([k]) => [k, attributeOf(first, k) ?? ''])) as Record<ResourceField, string>,
    apiTypes: rule?.operations?.api_types.map((t) => t.api_type_id) ?? [],
    mode: (rule?.enforcement_mode as Mode | undefined) ?? 'enabled',
  };
}

function bodyOf(form: Form, before: Rule | undefined): RuleBody {
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
    contexts: form.contexts.map(contextBody),
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
  const furtherResources = (loaded?.rule.resources.length ?? 1) - 1;
  const service = services.find((s) => s.name === serviceName);
  return (
    <FormModal
      title={ruleId ? `Edit rule ${ruleId}` : 'Create a restriction rule'}
      submitLabel={ruleId ? 'Save' : 'Create'}
      invalid={!form || !form.serviceName || !form.contexts.every((c) => c.zoneIds.length + c.endpointTypes.length > 0)}
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
          <Contexts zones={zones} contexts={form.contexts} onChange={(contexts) => set({ contexts })} />
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
          {furtherResources > 0 ? <p className="cds--form__helper-text">{`Kept as they are: ${counted(furtherResources, noun('further resource'))} of this rule.`}</p> : null}
        </Stack>
      )}
    </FormModal>
  );
}

/**
 * The contexts a request may come from (any one admits it): each names network zones, endpoint
 * types, or both, and needs at least one of them; contexts are added and removed, one remains.
 */
function Contexts({ zones, contexts, onChange }: { zones: Zone[]; contexts: ContextForm[]; onChange: (contexts: ContextForm[]) => void }) {
  const change = (index: number, patch: Partial<ContextForm>) => onChange(patchedAt(contexts, index, patch));
  return (
    <div>
      <p className="cds--label">Allowed contexts: requests from any one of them are admitted</p>
      {zones.length === 0 ? <p>There are no network zones yet: create one first, or allow endpoint types only.</p> : null}
      {contexts.map((c, i) => (
        <fieldset key={i} className="pc-rule-context">
          <legend className="cds--label">{`Context ${i + 1}`}</legend>
          <div className="pc-rule-context__choices">
            <Choices
              legend="Network zones (none: any address)"
              idPrefix={`rule-context-${i}-zone`}
              options={zones.map((z) => ({ id: z.id, label: z.name }))}
              chosen={c.zoneIds}
              onChange={(zoneIds) => change(i, { zoneIds })}
            />
            <Choices legend="Endpoint types (none: any)" idPrefix={`rule-context-${i}-endpoint`} options={ENDPOINT_TYPES} chosen={c.endpointTypes} onChange={(endpointTypes) => change(i, { endpointTypes })} />
            <RemoveRow label={`Remove context ${i + 1}`} disabled={contexts.length === 1} onClick={() => onChange(withoutAt(contexts, i))} />
          </div>
          {c.zoneIds.length + c.endpointTypes.length === 0 ? <p className="cds--form__helper-text">Choose a zone or an endpoint type.</p> : null}
        </fieldset>
      ))}
      <AddRow label="Add context" onClick={() => onChange([...contexts, EMPTY_CONTEXT])} />
    </div>
  );
}

/** Checkboxes under a legend: which of `options` are chosen (in the order they were checked). */
function Choices(props: { legend: string; idPrefix: string; options: readonly { id: string; label: string }[]; chosen: string[]; onChange: (chosen: string[]) => void }) {
  const { chosen, onChange } = props;
  return (
    <fieldset>
      <legend className="cds--label">{props.legend}</legend>
      {props.options.map((o) => (
        <Checkbox
          key={o.id}
          id={`${props.idPrefix}-${o.id}`}
          labelText={o.label}
          checked={chosen.includes(o.id)}
          onChange={(_event: unknown, { checked }: { checked: boolean }) => onChange(checked ? [...chosen, o.id] : chosen.filter((v) => v !== o.id))}
        />
      ))}
    </fieldset>
  );
}
