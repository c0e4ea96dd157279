import { Select, SelectItem, TextInput } from '@carbon/react';
import { AddRow, patchedAt, RemoveRow, withoutAt } from './Repeated.tsx';
import './Conditions.css';

/** One condition of a rule as the editor holds it: the value as the person types it. */
export interface ConditionDraft {
  claim: string;
  operator: string;
  value: string;
}

/** Whether every condition has a claim and a value (a rule is saved only then). */
export const conditionsComplete = (conditions: ConditionDraft[]) => conditions.length > 0 && conditions.every((c) => c.claim.trim() && c.value.trim());

/**
 * The conditions of a rule (access-group dynamic rules, trusted-profile claim rules): every
 * condition is shown and edited, conditions are added and removed, and at least one remains (the
 * APIs require one). A rule matches when all of its conditions hold. Each condition is a group
 * ("Condition 2") with its Claim, Operator and Value fields, so it is reached by its name.
 */
export function ConditionsEditor(props: {
  idPrefix: string;
  conditions: ConditionDraft[];
  onChange: (conditions: ConditionDraft[]) => void;
  operators: readonly string[];
  claimPlaceholder?: string;
  /** How values are written (shown once, under the conditions). */
  valueHelper?: string;
}) {
  const { conditions, onChange } = props;
  const change = (index: number, patch: Partial<ConditionDraft>) => onChange(patchedAt(conditions, index, patch));
  return (
    <div className="pc-conditions">
      <p className="cds--label">Conditions (all must hold)</p>
      {conditions.map((c, i) => {
        const id = `${props.idPrefix}-condition-${i}`;
        return (
          <fieldset key={i} className="pc-condition" aria-label={`Condition ${i + 1}`}>
            <TextInput id={`${id}-claim`} labelText="Claim" placeholder={props.claimPlaceholder} value={c.claim} onChange={(e) => change(i, { claim: e.target.value })} />
            <Select id={`${id}-operator`} labelText="Operator" value={c.operator} onChange={(e) => change(i, { operator: e.target.value })}>
              {(props.operators.includes(c.operator) ? props.operators : [c.operator, ...props.operators]).map((o) => (
                <SelectItem key={o} value={o} text={o} />
              ))}
            </Select>
            <TextInput id={`${id}-value`} labelText="Value" value={c.value} onChange={(e) => change(i, { value: e.target.value })} />
            <RemoveRow label={`Remove condition ${i + 1}`} disabled={conditions.length === 1} onClick={() => onChange(withoutAt(conditions, i))} />
          </fieldset>
        );
      })}
      {props.valueHelper ? <p className="cds--form__helper-text pc-conditions__helper">{props.valueHelper}</p> : null}
      <AddRow label="Add condition" onClick={() => onChange([...conditions, { claim: '', operator: props.operators[0]!, value: '' }])} />
    </div>
  );
}
