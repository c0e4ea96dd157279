import { Button } from '@carbon/react';
import { Add, TrashCan } from '@carbon/react/icons';

/**
 * The buttons of a repeated part of a form (a rule's conditions, its contexts): remove one row
 * ("Remove condition 2"; disabled for the last one where at least one must remain), add a row;
 * and the list edits behind them.
 */
export function RemoveRow({ label, disabled, onClick }: { label: string; disabled: boolean; onClick: () => void }) {
  return <Button kind="ghost" size="md" hasIconOnly renderIcon={TrashCan} iconDescription={label} tooltipPosition="left" disabled={disabled} onClick={onClick} />;
}

/** `list` with the row at `index` changed by `patch`. */
export const patchedAt = <T,>(list: readonly T[], index: number, patch: Partial<T>): T[] => list.map((row, i) => (i === index ? { ...row, ...patch } : row));

/** `list` without the row at `index`. */
export const withoutAt = <T,>(list: readonly T[], index: number): T[] => list.filter((_, i) => i !== index);

export function AddRow({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Button kind="tertiary" size="sm" renderIcon={Add} onClick={onClick}>
      {label}
    </Button>
  );
}
