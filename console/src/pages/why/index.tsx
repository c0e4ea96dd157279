import { Button, Dropdown, Stack, Tag, TextInput, Tile } from '@carbon/react';
import { useEffect, useState } from 'react';
import { accountId } from '../../api/client.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { Fields } from '../../ui/Fields.tsx';
import { catalogServices, type CatalogService } from '../assign-access/api.ts';
import { askWhy, type WhyAnswer, type WhyQuestion } from './api.ts';
import '../access.css';

/**
 * Why: "may S do A on R?" asked of the decision point with explain (POST /v2/authz?explain=true).
 * The answer shows the policy and role that permit, and the path (the subject's own id or the
 * access group it reached the subject through); or why nothing permits, each policy considered
 * with the first thing that did not match; or the context-based restriction that denies.
 * Fields start from the page's query string (`?subject=…&action=…&serviceName=…`), so other
 * pages (assign access) can link here with a question.
 */
const RESOURCE_FIELDS = [
  ['serviceInstance', 'Service instance (optional)'],
  ['resourceGroupId', 'Resource group ID (optional)'],
  ['resourceType', 'Resource type (optional)'],
  ['resource', 'Resource (optional)'],
] as const;

export default function WhyPage() {
  const initial = new URLSearchParams(location.search);
  const [subject, setSubject] = useState(initial.get('subject') ?? '');
  const [action, setAction] = useState(initial.get('action') ?? '');
  const [serviceName, setServiceName] = useState(initial.get('serviceName') ?? '');
  const [attributes, setAttributes] = useState<Record<string, string>>(() =>
    Object.fromEntries(RESOURCE_FIELDS.map(([key]) => [key, initial.get(key) ?? ''])),
  );
  const [services, setServices] = useState<CatalogService[]>([]);
  const [answer, setAnswer] = useState<{ question: WhyQuestion; result: WhyAnswer } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    catalogServices().then(setServices, setError);
  }, []);
  const service = services.find((s) => s.name === serviceName);

  const ask = async () => {
    setBusy(true);
    setError(undefined);
    const question: WhyQuestion = {
      subject: subject.trim(),
      action: action.trim(),
      resource: {
        accountId: accountId(),
        serviceName,
        ...Object.fromEntries(Object.entries(attributes).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()])),
      },
    };
    try {
      setAnswer({ question, result: await askWhy(question) });
    } catch (failure) {
      setAnswer(undefined);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="pc-page">
      <PageHeader
        title="Why"
        description="Ask the decision point whether an identity may perform an action on a resource, and see the policy that permits it or why nothing does."
      />
      <form
        className="pc-why-form"
        aria-label="Access question"
        onSubmit={(event) => {
          event.preventDefault();
          void ask();
        }}
      >
        <Stack gap={5}>
          <TextInput
            id="why-subject"
            labelText="Subject (IAM ID)"
            helperText="A user (IBMid-…), service ID (iam-ServiceId-…) or trusted profile (iam-Profile-…)."
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
          />
          <Dropdown
            id="why-service"
            titleText="Service"
            label="Choose a service"
            items={services}
            itemToString={(s: CatalogService | null) => (s ? `${s.displayName} (${s.name})` : '')}
            selectedItem={service ?? null}
            onChange={({ selectedItem }: { selectedItem: CatalogService | null }) => {
              setServiceName(selectedItem?.name ?? '');
              if (selectedItem && !action.startsWith(`${selectedItem.name}.`)) setAction('');
            }}
          />
          <TextInput
            id="why-action"
            labelText="Action"
            helperText={service ? `For example ${service.actions[0]?.id ?? `${service.name}.…`}` : 'For example cloud-object-storage.bucket.get'}
            value={action}
            onChange={(e) => setAction(e.target.value)}
            list="why-actions"
          />
          <datalist id="why-actions">
            {(service?.actions ?? []).map((a) => (
              <option key={a.id} value={a.id} />
            ))}
          </datalist>
          <div className="pc-why-attributes">
            {RESOURCE_FIELDS.map(([key, label]) => (
              <TextInput key={key} id={`why-${key}`} labelText={label} value={attributes[key] ?? ''} onChange={(e) => setAttributes({ ...attributes, [key]: e.target.value })} />
            ))}
          </div>
          <div>
            <Button type="submit" disabled={busy || !subject.trim() || !action.trim() || !serviceName}>
              {busy ? 'Asking…' : 'Ask'}
            </Button>
          </div>
        </Stack>
      </form>
      {error !== undefined ? <ErrorNotice error={error} title="The decision point did not answer" /> : null}
      {answer ? <Answer question={answer.question} result={answer.result} /> : null}
    </div>
  );
}

const OUTCOMES: Record<string, string> = {
  granted: 'grants the action',
  subject_mismatch: 'is for another subject',
  resource_mismatch: 'is for other resources',
  no_role_grants_action: 'grants no role with this action',
  condition_not_satisfied: 'has conditions that do not hold now',
};

function Answer({ question, result }: { question: WhyQuestion; result: WhyAnswer }) {
  const via = (path: string) => (path === 'iam_id' ? `${question.subject} directly` : path === 'service' ? 'a service-to-service authorization' : `access group ${path}`);
  const granting = result.trace?.policies.find((p) => p.policyId === result.policyId);
  return (
    <Tile className="pc-why-answer" aria-live="polite">
      <h2 className="pc-subtitle">
        {result.permitted ? <Tag type="green">Permitted</Tag> : <Tag type="red">Denied</Tag>} {question.subject} · {question.action}
      </h2>
      <Fields
        label="Decision"
        rows={[
          ['Decision', result.permitted ? 'Permitted' : 'Denied'],
          ...(result.permitted ? [] : ([['Why', result.reason]] as [string, string][])),
          ...(result.policyId ? ([['Policy', result.policyId]] as [string, string][]) : []),
          ...(result.role ? ([['Role', result.role]] as [string, string][]) : []),
          ...(granting ? ([['Path', `through ${via(granting.via)}`]] as [string, string][]) : []),
          ...(result.ruleId ? ([['Restriction', `context-based restriction rule ${result.ruleId} denies requests from here`]] as [string, string][]) : []),
          ...(result.trace ? ([['Subjects tried', result.trace.subjects.join(', ')]] as [string, string][]) : []),
        ]}
      />
      {result.trace && result.trace.policies.length > 0 ? (
        <>
          <h3 className="pc-subtitle">Policies considered</h3>
          <ul className="pc-why-trace">
            {result.trace.policies.map((p) => (
              <li key={`${p.policyId}-${p.via}`}>
                Policy <code>{p.policyId}</code> (via {via(p.via)}) {OUTCOMES[p.outcome] ?? p.outcome}
                {p.mismatch ? `: ${p.mismatch} does not match` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {result.trace?.restrictions && result.trace.restrictions.length > 0 ? (
        <>
          <h3 className="pc-subtitle">Context-based restrictions</h3>
          <ul className="pc-why-trace">
            {result.trace.restrictions.map((r) => (
              <li key={r.ruleId}>
                Rule <code>{r.ruleId}</code> ({r.mode}): {r.satisfied ? 'the request comes from one of its zones' : 'the request comes from outside its zones'}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Tile>
  );
}
