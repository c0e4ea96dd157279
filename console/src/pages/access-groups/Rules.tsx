import { NumberInput, Stack, TextInput } from '@carbon/react';
import { useCallback, useEffect, useState } from 'react';
import { api, data } from '../../api/client.ts';
import { staleAs, tagged } from '../../api/versioned.ts';
import { ConditionsEditor, conditionsComplete, type ConditionDraft } from '../../ui/Conditions.tsx';
import type { Column } from '../../ui/DataList.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { FormModal } from '../../ui/FormModal.tsx';
import { ManagedList } from '../../ui/ManagedList.tsx';
import type { Rule } from './api.ts';

/** The operators of access-group rule conditions (IBM's; NOT_IN is a trusted-profile operator only). */
const OPERATORS = ['EQUALS', 'EQUALS_IGNORE_CASE', 'IN', 'NOT_EQUALS', 'NOT_EQUALS_IGNORE_CASE', 'CONTAINS'] as const;

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
 * If-Match (`PUT …/rules/{id}`), so a change made meanwhile is refused (412) and said so. Every
 * condition is edited; the whole rule is sent.
 */
function RuleForm({ groupId, ruleId, onClose, onSaved }: { groupId: string; ruleId?: string; onClose: () => void; onSaved: () => void }) {
  const [loaded, setLoaded] = useState<{ value: Rule; etag: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [name, setName] = useState('');
  const [realm, setRealm] = useState('');
  const [hours, setHours] = useState(12);
  const [conditions, setConditions] = useState<ConditionDraft[]>([{ claim: '', operator: 'EQUALS', value: '' }]);
  useEffect(() => {
    if (!ruleId) return;
    tagged(api.GET('/v2/groups/{access_group_id}/rules/{rule_id}', { params: { path: { access_group_id: groupId, rule_id: ruleId } } })).then((rule) => {
      setLoaded(rule);
      setName(rule.value.name ?? '');
      setRealm(rule.value.realm_name);
      setHours(rule.value.expiration);
      setConditions(rule.value.conditions.map((c) => ({ claim: c.claim, operator: c.operator, value: c.value })));
    }, setError);
  }, [groupId, ruleId]);
  const loading = ruleId !== undefined && !loaded;
  return (
    <FormModal
      title={ruleId ? `Edit rule ${loaded?.value.name ?? ruleId}` : 'Add a dynamic rule'}
      submitLabel={ruleId ? 'Save' : 'Add'}
      invalid={loading || !realm.trim() || !conditionsComplete(conditions)}
      onClose={onClose}
      onSubmit={async () => {
        const body = {
          ...(name.trim() ? { name: name.trim() } : {}),
          realm_name: realm.trim(),
          expiration: hours,
          conditions: conditions.map((c) => ({ claim: c.claim.trim(), operator: c.operator, value: c.value.trim() })),
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
          <ConditionsEditor
            idPrefix="rule"
            conditions={conditions}
            onChange={setConditions}
            operators={OPERATORS}
            claimPlaceholder="groups"
          />
        </Stack>
      )}
    </FormModal>
  );
}
