import { NumberInput, Select, SelectItem, Stack, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { api, data } from '../../api/client.ts';
import { staleAs, tagged } from '../../api/versioned.ts';
import type { Column } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { FormModal } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import type { Rule } from './api.ts';

const OPERATORS = ['EQUALS', 'EQUALS_IGNORE_CASE', 'IN', 'NOT_EQUALS', 'NOT_EQUALS_IGNORE_CASE', 'NOT_IN', 'CONTAINS'] as const;

/** Dynamic rules: federated users whose claims match join the group for some hours after each sign-in. Added, edited, deleted. */
export function Rules({ groupId }: { groupId: string }) {
  const load = useCallback(async () => {
    const page = await data(api.GET('/v2/groups/{access_group_id}/rules', { params: { path: { access_group_id: groupId } } }));
    return { items: page.rules };
  }, [groupId]);
  const columns: Column<Rule>[] = [
    { key: 'name', header: 'Name', cell: (r) => r.name ?? r.id },
    { key: 'realm', header: 'Identity provider (realm)', cell: (r) => r.realm_name },
    { key: 'conditions', header: 'Conditions', cell: (r) => r.conditions.map((c) => `${c.claim} ${c.operator} ${c.value}`).join(' and ') },
    { key: 'expiration', header: 'Membership lasts', cell: (r) => `${r.expiration} h` },
  ];
  return (
    <ManagedList
      section="Dynamic rules"
      title="Dynamic rules"
      columns={columns}
      rowKey={(r) => r.id}
      load={load}
      create={{ label: 'Add rule', form: (onClose, onSaved) => <RuleForm groupId={groupId} onClose={onClose} onSaved={onSaved} /> }}
      edit={(r) => (onClose, onSaved) => <RuleForm groupId={groupId} ruleId={r.id} onClose={onClose} onSaved={onSaved} />}
      remove={{
        kind: 'rule',
        name: (r) => r.name ?? r.id,
        consequence: 'Users it made members leave the group when their membership expires.',
        run: (r) => data(api.DELETE('/v2/groups/{access_group_id}/rules/{rule_id}', { params: { path: { access_group_id: groupId, rule_id: r.id } } })),
      }}
      empty={{ title: 'No dynamic rules', text: 'Add a rule to make federated users members by the claims of their identity provider.' }}
    />
  );
}

/**
 * Add a rule, or edit one (`ruleId`): the editor reads the rule with its ETag and saves with
 * If-Match (`PUT …/rules/{id}`), so a change made meanwhile is refused (412) and said so. It edits
 * the first condition; a rule's further conditions are kept as they are.
 */
function RuleForm({ groupId, ruleId, onClose, onSaved }: { groupId: string; ruleId?: string; onClose: () => void; onSaved: () => void }) {
  const [loaded, setLoaded] = useState<{ value: Rule; etag: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [name, setName] = useState('');
  const [realm, setRealm] = useState('');
  const [hours, setHours] = useState(12);
  const [claim, setClaim] = useState('');
  const [operator, setOperator] = useState<string>('EQUALS');
  const [value, setValue] = useState('');
  useEffect(() => {
    if (!ruleId) return;
    tagged(api.GET('/v2/groups/{access_group_id}/rules/{rule_id}', { params: { path: { access_group_id: groupId, rule_id: ruleId } } })).then((rule) => {
      const first = rule.value.conditions[0];
      setLoaded(rule);
      setName(rule.value.name ?? '');
      setRealm(rule.value.realm_name);
      setHours(rule.value.expiration);
      setClaim(first?.claim ?? '');
      setOperator(first?.operator ?? 'EQUALS');
      setValue(first?.value ?? '');
    }, setError);
  }, [groupId, ruleId]);
  const kept = loaded?.value.conditions.slice(1) ?? [];
  const loading = ruleId !== undefined && !loaded;
  return (
    <FormModal
      title={ruleId ? `Edit rule ${loaded?.value.name ?? ruleId}` : 'Add a dynamic rule'}
      submitLabel={ruleId ? 'Save' : 'Add'}
      invalid={loading || !realm.trim() || !claim.trim() || !value.trim()}
      onClose={onClose}
      onSubmit={async () => {
        const body = {
          ...(name.trim() ? { name: name.trim() } : {}),
          realm_name: realm.trim(),
          expiration: hours,
          conditions: [{ claim: claim.trim(), operator, value: value.trim() }, ...kept],
        };
        const path = { access_group_id: groupId };
        try {
          if (ruleId) await data(api.PUT('/v2/groups/{access_group_id}/rules/{rule_id}', { params: { path: { ...path, rule_id: ruleId } }, headers: { 'If-Match': loaded!.etag }, body }));
          else await data(api.POST('/v2/groups/{access_group_id}/rules', { params: { path }, body }));
        } catch (failure) {
          throw staleAs(failure, 'rule');
        }
        onSaved();
      }}
    >
      {error !== undefined ? <ErrorNotice error={error} title="Could not load the rule" /> : null}
      {loading ? (
        <p>Loading the rule…</p>
      ) : (
        <Stack gap={6}>
          <TextInput id="rule-name" labelText="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} data-modal-primary-focus />
          <TextInput id="rule-realm" labelText="Identity provider (realm)" helperText="e.g. https://idp.example.com/saml" value={realm} onChange={(e) => setRealm(e.target.value)} />
          <NumberInput
            id="rule-expiration"
            label="Membership lasts (hours)"
            min={1}
            max={24}
            value={hours}
            onChange={(_event, { value: next }) => setHours(Number(next) || 1)}
          />
          <TextInput id="rule-claim" labelText="Claim" helperText="An attribute of the user's identity provider assertion, e.g. groups" value={claim} onChange={(e) => setClaim(e.target.value)} />
          <Select id="rule-operator" labelText="Operator" value={operator} onChange={(e) => setOperator(e.target.value)}>
            {OPERATORS.map((o) => (
              <SelectItem key={o} value={o} text={o} />
            ))}
          </Select>
          <TextInput id="rule-value" labelText="Value" value={value} onChange={(e) => setValue(e.target.value)} />
          {kept.length ? <p className="cds--form__helper-text">{`${kept.length} further condition(s) of this rule are kept as they are.`}</p> : null}
        </Stack>
      )}
    </FormModal>
  );
}
