import {
  Button,
  ButtonSet,
  Checkbox,
  ComboBox,
  Dropdown,
  InlineNotification,
  Link,
  ProgressIndicator,
  ProgressStep,
  RadioButton,
  RadioButtonGroup,
  Stack,
  Tag,
  TextInput,
  Toggle,
} from '@carbon/react';
import { useEffect, useMemo, useState } from 'react';
import { followLink, hrefOf } from '../../shell/router.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Fields } from '../../ui/Fields.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { SearchPicker } from '../../ui/SearchPicker.tsx';
import { IDENTITY_NOUNS, IDENTITY_SOURCES, type IdentityChoice, type IdentityKind } from '../../api/identities.ts';
import {
  catalogServices,
  createPolicy,
  grantable,
  instancesOf,
  resourceGroups,
  rolesFor,
  type CatalogService,
  type InstanceChoice,
  type OfferedRole,
  type PolicyAttribute,
} from './api.ts';
import { describeConditions, ruleOf, timeZones, WEEKDAYS, type Conditions } from './conditions.ts';
import '../access.css';
import { counted, noun } from '../../ui/counted.ts';

/**
 * Assign access, IBM's guided flow: subject → target → roles → conditions → review → create
 * (`POST /v2/policies`). A target the signed-in identity may not grant on is said so at once (the
 * server's granting rule, asked with `POST /v2/policies/grantable`) and no roles are offered for
 * it; if the policy API refuses anyway, its message and transaction id are shown on the review step.
 */

const STEPS = ['Subject', 'Target', 'Roles', 'Conditions', 'Review'] as const;
const SUBJECT_KINDS: { kind: IdentityKind; label: string }[] = [
  { kind: 'user', label: 'User' },
  { kind: 'serviceid', label: 'Service ID' },
  { kind: 'profile', label: 'Trusted profile' },
  { kind: 'group', label: 'Access group' },
];
type TargetKind = 'all-iam' | 'all-account-management' | 'service' | 'resource-group';
const TARGET_KINDS: { kind: TargetKind; label: string }[] = [
  { kind: 'all-iam', label: 'All IAM-enabled services' },
  { kind: 'all-account-management', label: 'All account management services' },
  { kind: 'service', label: 'A service (optionally one resource group, instance, resource type or resource)' },
  { kind: 'resource-group', label: 'All resources in a resource group' },
];

interface Target {
  kind: TargetKind;
  serviceName: string;
  resourceGroupId: string;
  serviceInstance: string;
  resourceType: string;
  resource: string;
  tags: string;
}

const eq = (key: string, value: string): PolicyAttribute => ({ key, operator: 'stringEquals', value });

/** The policy's resource attributes (without the account) for a target; undefined while incomplete. */
function scopeOf(t: Target): PolicyAttribute[] | undefined {
  switch (t.kind) {
    case 'all-iam':
      return [eq('serviceType', 'service')];
    case 'all-account-management':
      return [eq('serviceType', 'platform_service')];
    case 'resource-group':
      return t.resourceGroupId ? [eq('resourceGroupId', t.resourceGroupId)] : undefined;
    case 'service': {
      if (!t.serviceName) return undefined;
      const optional = (['resourceGroupId', 'serviceInstance', 'resourceType', 'resource'] as const).filter((k) => t[k].trim() !== '').map((k) => eq(k, t[k].trim()));
      return [eq('serviceName', t.serviceName), ...optional];
    }
  }
}

/** `key:value, key:value` → tags; undefined when one is malformed. */
function tagsOf(text: string): { key: string; value: string }[] | undefined {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const tags = parts.map((p) => {
    const at = p.indexOf(':');
    return at > 0 && at < p.length - 1 ? { key: p.slice(0, at).trim(), value: p.slice(at + 1).trim() } : undefined;
  });
  return tags.every((t) => t !== undefined) ? (tags as { key: string; value: string }[]) : undefined;
}

export default function AssignAccessPage() {
  const [step, setStep] = useState(0);
  const [subjectKind, setSubjectKind] = useState<IdentityKind>('user');
  const [subject, setSubject] = useState<IdentityChoice | undefined>(undefined);
  const [services, setServices] = useState<CatalogService[]>([]);
  const [groups, setGroups] = useState<{ id: string; name: string }[]>([]);
  const [instance, setInstance] = useState<InstanceChoice | undefined>(undefined);
  const [target, setTarget] = useState<Target>({ kind: 'service', serviceName: '', resourceGroupId: '', serviceInstance: '', resourceType: '', resource: '', tags: '' });
  const [mayGrant, setMayGrant] = useState<boolean | undefined>(undefined);
  const [roles, setRoles] = useState<OfferedRole[] | undefined>(undefined);
  const [chosenRoles, setChosenRoles] = useState<string[]>([]);
  const [conditions, setConditions] = useState<Conditions>({ kind: 'none' });
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | undefined>(undefined);

  useEffect(() => {
    Promise.all([catalogServices(), resourceGroups()]).then(([s, g]) => {
      setServices(s);
      setGroups(g);
    }, setError);
  }, []);

  const instances = useMemo(() => instancesOf(target.serviceName), [target.serviceName]);

  const scope = useMemo(() => scopeOf(target), [target]);
  const scopeKey = JSON.stringify(scope);
  const tags = tagsOf(target.tags);

  // Whether the signed-in identity may grant on the target, asked whenever the target changes.
  useEffect(() => {
    setMayGrant(undefined);
    setRoles(undefined);
    setChosenRoles([]);
    if (!scope) return;
    let current = true;
    grantable(scope).then((answer) => {
      if (!current) return;
      setMayGrant(answer);
      // A custom role belongs to one service: it is offered only on a target of that service.
      if (answer) rolesFor(target.kind === 'service' ? target.serviceName : undefined).then((r) => current && setRoles(target.kind === 'service' ? r : r.filter((x) => x.kind !== 'custom')), setError);
    }, setError);
    return () => {
      current = false;
    };
    // The scope's text stands for the target.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scopeKey]);

  const rule = ruleOf(conditions);
  const ready = [subject !== undefined, scope !== undefined && tags !== undefined && mayGrant === true, chosenRoles.length > 0, rule.problem === undefined, true];

  const create = async () => {
    if (!subject || !scope || !tags) return;
    setBusy(true);
    setError(undefined);
    try {
      const policy = await createPolicy({
        subject,
        resource: scope,
        tags,
        roles: chosenRoles,
        ...(rule.rule !== undefined ? { rule: rule.rule, pattern: rule.pattern! } : {}),
      });
      setCreated(policy.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const setT = (change: Partial<Target>) => setTarget({ ...target, ...change });
  const service = services.find((s) => s.name === target.serviceName);
  const targetWords = () => {
    const kind = TARGET_KINDS.find((k) => k.kind === target.kind)!;
    if (target.kind === 'resource-group') return `Resources in ${groups.find((g) => g.id === target.resourceGroupId)?.name ?? target.resourceGroupId}`;
    if (target.kind !== 'service') return kind.label;
    return (scope ?? []).map((a) => `${a.key} = ${a.value}`).join(', ');
  };
  const firstAction = roles?.find((r) => chosenRoles.includes(r.crn))?.actions[0];
  const whyPath = subject && firstAction && target.kind === 'service'
    ? `/why?${new URLSearchParams({ subject: subject.id, action: firstAction, serviceName: target.serviceName, ...(target.serviceInstance ? { serviceInstance: target.serviceInstance } : {}) }).toString()}`
    : '/why';

  if (created) {
    return (
      <div className="pc-page">
        <PageHeader title="Assign access" />
        <InlineNotification kind="success" lowContrast hideCloseButton title="Access assigned" subtitle={`Policy ${created} gives ${subject?.label} ${counted(chosenRoles.length, noun('role'))} on ${targetWords()}.`} />
        <ButtonSet className="pc-assign-done">
          <Button kind="secondary" href={hrefOf(whyPath)} onClick={followLink(whyPath)}>
            Check it on the Why page
          </Button>
          <Button kind="primary" onClick={() => { setCreated(undefined); setStep(0); setSubject(undefined); setChosenRoles([]); setConditions({ kind: 'none' }); }}>
            Assign more access
          </Button>
        </ButtonSet>
      </div>
    );
  }

  return (
    <div className="pc-page">
      <PageHeader title="Assign access" description="Give a user, service ID, trusted profile or access group roles on a target, optionally only at certain times." />
      <ProgressIndicator currentIndex={step} spaceEqually className="pc-assign-steps" onChange={(i: number) => i < step && setStep(i)}>
        {STEPS.map((label, i) => (
          <ProgressStep key={label} label={label} complete={i < step} current={i === step} />
        ))}
      </ProgressIndicator>
      <section className="pc-assign-step" aria-label={STEPS[step]}>
        <h2 className="pc-subtitle">{`${step + 1}. ${STEPS[step]}`}</h2>
        {step === 0 ? (
          <Stack gap={5}>
            <RadioButtonGroup legendText="Who gets access" name="subject-kind" valueSelected={subjectKind} onChange={(v: string | number | undefined) => { setSubjectKind(v as IdentityKind); setSubject(undefined); }} orientation="horizontal">
              {SUBJECT_KINDS.map((k) => (
                <RadioButton key={k.kind} id={`subject-${k.kind}`} labelText={k.label} value={k.kind} />
              ))}
            </RadioButtonGroup>
            <SearchPicker
              key={subjectKind}
              id="assign-subject"
              titleText={SUBJECT_KINDS.find((k) => k.kind === subjectKind)!.label}
              noun={IDENTITY_NOUNS[subjectKind]}
              source={IDENTITY_SOURCES[subjectKind]}
              itemKey={(c) => c.id}
              itemLabel={(c) => c.label}
              selected={subject}
              onChange={setSubject}
              onError={setError}
            />
          </Stack>
        ) : null}
        {step === 1 ? (
          <Stack gap={5}>
            <RadioButtonGroup legendText="Access to" name="target-kind" valueSelected={target.kind} onChange={(v: string | number | undefined) => setT({ kind: v as TargetKind })} orientation="vertical">
              {TARGET_KINDS.map((k) => (
                <RadioButton key={k.kind} id={`target-${k.kind}`} labelText={k.label} value={k.kind} />
              ))}
            </RadioButtonGroup>
            {target.kind === 'service' ? (
              <>
                <ComboBox
                  id="assign-service"
                  titleText="Service"
                  placeholder="Type to filter"
                  items={services}
                  itemToString={(s: CatalogService | null) => (s ? `${s.displayName} (${s.name})` : '')}
                  selectedItem={service ?? null}
                  onChange={({ selectedItem }: { selectedItem?: CatalogService | null }) => {
                    setInstance(undefined);
                    setT({ serviceName: selectedItem?.name ?? '', serviceInstance: '' });
                  }}
                />
                {service?.type === 'service' ? (
                  <>
                    <Dropdown
                      id="assign-service-group"
                      titleText="Resource group (optional)"
                      label="Any resource group"
                      items={[{ id: '', name: 'Any resource group' }, ...groups]}
                      itemToString={(g: { id: string; name: string } | null) => g?.name ?? ''}
                      selectedItem={groups.find((g) => g.id === target.resourceGroupId) ?? { id: '', name: 'Any resource group' }}
                      onChange={({ selectedItem }: { selectedItem: { id: string } | null }) => setT({ resourceGroupId: selectedItem?.id ?? '' })}
                    />
                    <SearchPicker
                      key={target.serviceName}
                      id="assign-instance"
                      titleText="Service instance (optional: empty for any instance)"
                      noun={noun('instance')}
                      source={instances}
                      itemKey={(i) => i.guid}
                      itemLabel={(i) => i.name}
                      selected={instance}
                      onChange={(i) => {
                        setInstance(i);
                        setT({ serviceInstance: i?.guid ?? '' });
                      }}
                      onError={setError}
                    />
                  </>
                ) : null}
                <div className="pc-assign-pair">
                  <TextInput id="assign-resource-type" labelText="Resource type (optional)" value={target.resourceType} onChange={(e) => setT({ resourceType: e.target.value })} />
                  <TextInput id="assign-resource" labelText="Resource ID (optional)" value={target.resource} onChange={(e) => setT({ resource: e.target.value })} />
                </div>
                <TextInput
                  id="assign-tags"
                  labelText="Access tags (optional)"
                  helperText="key:value pairs, separated by commas; resources must carry every tag."
                  value={target.tags}
                  invalid={tags === undefined}
                  invalidText="Write each tag as key:value."
                  onChange={(e) => setT({ tags: e.target.value })}
                />
              </>
            ) : null}
            {target.kind === 'resource-group' ? (
              <Dropdown
                id="assign-group"
                titleText="Resource group"
                label="Choose a resource group"
                items={groups}
                itemToString={(g: { id: string; name: string } | null) => g?.name ?? ''}
                selectedItem={groups.find((g) => g.id === target.resourceGroupId) ?? null}
                onChange={({ selectedItem }: { selectedItem: { id: string } | null }) => setT({ resourceGroupId: selectedItem?.id ?? '' })}
              />
            ) : null}
            {mayGrant === false ? (
              <InlineNotification
                kind="warning"
                lowContrast
                hideCloseButton
                title="You cannot assign access here"
                subtitle="Assigning access on a target takes the Administrator role on all of it (or being the account owner). Choose a narrower target, or ask an administrator."
              />
            ) : null}
          </Stack>
        ) : null}
        {step === 2 ? (
          <Stack gap={4}>
            {roles === undefined ? <p>Loading the roles…</p> : null}
            {(['platform', 'service', 'custom'] as const).map((kind) => {
              const ofKind = (roles ?? []).filter((r) => r.kind === kind);
              if (ofKind.length === 0) return null;
              return (
                <fieldset key={kind} className="pc-assign-roles">
                  <legend className="cds--label">{kind === 'platform' ? 'Platform roles' : kind === 'service' ? 'Service roles' : 'Custom roles'}</legend>
                  {ofKind.map((role) => (
                    <div key={role.crn} className="pc-assign-role">
                      <Checkbox
                        id={`role-${role.crn}`}
                        labelText={role.name}
                        checked={chosenRoles.includes(role.crn)}
                        onChange={(_event: unknown, { checked }: { checked: boolean }) =>
                          setChosenRoles(checked ? [...chosenRoles, role.crn] : chosenRoles.filter((c) => c !== role.crn))
                        }
                      />
                      <details>
                        <summary>
                          {role.description ? `${role.description} · ` : ''}
                          {role.actions.length} action{role.actions.length === 1 ? '' : 's'}
                        </summary>
                        <ul className="pc-assign-actions">
                          {role.actions.map((a) => (
                            <li key={a}>
                              <code>{a}</code>
                            </li>
                          ))}
                        </ul>
                      </details>
                    </div>
                  ))}
                </fieldset>
              );
            })}
          </Stack>
        ) : null}
        {step === 3 ? <ConditionsStep conditions={conditions} onChange={setConditions} problem={rule.problem} /> : null}
        {step === 4 ? (
          <Stack gap={5}>
            <Fields
              label="Review"
              rows={[
                ['Subject', subject ? `${subject.label} (${subject.id})` : ''],
                ['Target', targetWords()],
                ['Tags', tags && tags.length ? tags.map((t) => <Tag key={t.key} type="cool-gray">{`${t.key}:${t.value}`}</Tag>) : 'None'],
                ['Roles', (roles ?? []).filter((r) => chosenRoles.includes(r.crn)).map((r) => r.name).join(', ')],
                ['Actions granted', String(new Set((roles ?? []).filter((r) => chosenRoles.includes(r.crn)).flatMap((r) => r.actions)).size)],
                ['Conditions', describeConditions(conditions)],
              ]}
            />
            {error !== undefined ? <ErrorNotice error={error} title="The access was not assigned" /> : null}
          </Stack>
        ) : null}
        {step !== 4 && error !== undefined ? <ErrorNotice error={error} title="Could not load" onClose={() => setError(undefined)} /> : null}
      </section>
      <ButtonSet className="pc-assign-nav">
        <Button kind="secondary" disabled={step === 0 || busy} onClick={() => { setError(undefined); setStep(step - 1); }}>
          Back
        </Button>
        {step < 4 ? (
          <Button kind="primary" disabled={!ready[step]} onClick={() => setStep(step + 1)}>
            Next
          </Button>
        ) : (
          <Button kind="primary" disabled={busy || !ready.every(Boolean)} onClick={() => void create()}>
            {busy ? 'Assigning…' : 'Assign'}
          </Button>
        )}
      </ButtonSet>
      <p className="pc-assign-hint">
        <Link href={hrefOf('/why')} onClick={followLink('/why')}>
          Why can someone (not) do something?
        </Link>
      </p>
    </div>
  );
}

function ConditionsStep({ conditions, onChange, problem }: { conditions: Conditions; onChange: (c: Conditions) => void; problem: string | undefined }) {
  const zones = useMemo(timeZones, []);
  const timeZone = conditions.kind === 'none' ? zones[0]! : conditions.timeZone;
  return (
    <Stack gap={5}>
      <RadioButtonGroup
        legendText="When the access applies"
        name="conditions"
        valueSelected={conditions.kind}
        orientation="vertical"
        onChange={(v: string | number | undefined) =>
          onChange(
            v === 'temporary' ? { kind: 'temporary', from: '', until: '', timeZone }
            : v === 'weekly' ? { kind: 'weekly', days: [1, 2, 3, 4, 5], allDay: false, start: '09:00', end: '17:00', timeZone }
            : { kind: 'none' },
          )
        }
      >
        <RadioButton id="conditions-none" labelText="Always" value="none" />
        <RadioButton id="conditions-temporary" labelText="Temporary: between two dates and times" value="temporary" />
        <RadioButton id="conditions-weekly" labelText="Recurring: on some days of the week" value="weekly" />
      </RadioButtonGroup>
      {conditions.kind !== 'none' ? (
        <Dropdown
          id="conditions-zone"
          titleText="Time zone"
          label="Time zone"
          items={zones}
          selectedItem={timeZone}
          onChange={({ selectedItem }: { selectedItem: string | null }) => onChange({ ...conditions, timeZone: selectedItem ?? timeZone })}
        />
      ) : null}
      {conditions.kind === 'temporary' ? (
        <div className="pc-assign-pair">
          <TextInput id="conditions-from" type="datetime-local" labelText="Starts" value={conditions.from} onChange={(e) => onChange({ ...conditions, from: e.target.value })} />
          <TextInput id="conditions-until" type="datetime-local" labelText="Ends" value={conditions.until} onChange={(e) => onChange({ ...conditions, until: e.target.value })} />
        </div>
      ) : null}
      {conditions.kind === 'weekly' ? (
        <>
          <fieldset className="pc-assign-days">
            <legend className="cds--label">Days</legend>
            {WEEKDAYS.map((day, i) => (
              <Checkbox
                key={day}
                id={`day-${i + 1}`}
                labelText={day}
                checked={conditions.days.includes(i + 1)}
                onChange={(_event: unknown, { checked }: { checked: boolean }) =>
                  onChange({ ...conditions, days: checked ? [...conditions.days, i + 1] : conditions.days.filter((d) => d !== i + 1) })
                }
              />
            ))}
          </fieldset>
          <Toggle id="conditions-all-day" labelText="Hours" labelA="Between two times" labelB="All day" toggled={conditions.allDay} onToggle={(on: boolean) => onChange({ ...conditions, allDay: on })} />
          {!conditions.allDay ? (
            <div className="pc-assign-pair">
              <TextInput id="conditions-start" type="time" labelText="From" value={conditions.start} onChange={(e) => onChange({ ...conditions, start: e.target.value })} />
              <TextInput id="conditions-end" type="time" labelText="Until" value={conditions.end} onChange={(e) => onChange({ ...conditions, end: e.target.value })} />
            </div>
          ) : null}
        </>
      ) : null}
      {problem ? <p className="pc-assign-problem" role="status">{problem}</p> : null}
    </Stack>
  );
}
