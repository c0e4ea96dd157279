import { Button } from '@carbon/react';
import { Add, TrashCan } from '@carbon/react/icons';

/**
 * The buttons of a repeated part of a form (a rule's conditions, its contexts): remove one row
 * ("Remove condition 2"; disabled for the last one where at least one must remain), add a row.
 */
export function RemoveRow({ label, disabled, onClick }: { label: string; disabled: boolean; onClick: () => void }) {
  return <Button kind="ghost" size="md" hasIconOnly renderIcon={TrashCan} iconDescription={label} tooltipPosition="left" disabled={disabled} onClick={onClick} />;
}

export function AddRow({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Button kind="tertiary" size="sm" renderIcon={Add} onClick={onClick}>
      {label}
    </Button>
  );
}
