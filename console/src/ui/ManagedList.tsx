import { useMemo, useState, type ReactNode } from 'react';
import { DataList, type DataListProps, type RowAction } from './DataList.tsx';
import { ConfirmDelete } from './FormModal.tsx';

/**
 * A list people change: DataList plus the create button, the "Edit" and "Delete" (or "Remove") row
 * actions, the modal each opens (delete asks first: ConfirmDelete), and the reload after a change.
 * The forms are the page's own (FormModal): they get `onClose` and `onSaved`.
 */
export interface Removal<T> {
  /** The row action's label: "Delete" unless the item only leaves a list ("Remove"). */
  label?: string;
  /** What the item is, for the confirmation ("zone", "claim rule"). */
  kind: string;
  name: (item: T) => string;
  /** What deleting it does, when more than "it is deleted for good". */
  consequence?: string;
  run: (item: T) => Promise<unknown>;
  /** Hides the action for items that cannot be deleted (e.g. a locked one). */
  hidden?: (item: T) => boolean;
}

export type FormOpener = (onClose: () => void, onSaved: () => void) => ReactNode;

export function ManagedList<T>(
  props: Omit<DataListProps<T>, 'primaryAction'> & {
    /** The accessible name of the section the list stands in, if it is one section of a page. */
    section?: string;
    create?: { label: string; form: FormOpener };
    /** The edit form of an item; undefined for items that cannot be edited (no "Edit" on them). */
    edit?: (item: T) => FormOpener | undefined;
    remove?: Removal<T>;
    /** Told after every change the list made (besides reloading itself). */
    onChanged?: () => void;
  },
) {
  const { section, create, edit, remove, onChanged, rowActions, reloadKey, ...list } = props;
  const [open, setOpen] = useState<FormOpener | undefined>(undefined);
  const [removing, setRemoving] = useState<T | undefined>(undefined);
  const [changes, setChanges] = useState(0);
  // One value that changes with the page's reload key and with every change made here.
  const reload = useMemo(() => ({}), [reloadKey, changes]);
  const saved = () => {
    setChanges((n) => n + 1);
    onChanged?.();
  };
  const actions: RowAction<T>[] = [
    ...(rowActions ?? []),
    ...(edit ? [{ label: 'Edit', onClick: (item: T) => setOpen(() => edit(item)), hidden: (item: T) => edit(item) === undefined }] : []),
    ...(remove ? [{ label: remove.label ?? 'Delete', danger: true, onClick: setRemoving, ...(remove.hidden ? { hidden: remove.hidden } : {}) }] : []),
  ];
  const content = (
    <>
      <DataList {...list} reloadKey={reload} rowActions={actions} {...(create ? { primaryAction: { label: create.label, onClick: () => setOpen(() => create.form) } } : {})} />
      {open ? open(() => setOpen(undefined), saved) : null}
      {remove && removing !== undefined ? (
        <ConfirmDelete
          kind={remove.kind}
          name={remove.name(removing)}
          {...(remove.consequence ? { consequence: remove.consequence } : {})}
          onConfirm={async () => {
            await remove.run(removing);
            saved();
          }}
          onClose={() => setRemoving(undefined)}
        />
      ) : null}
    </>
  );
  return section ? (
    <section className="pc-section" aria-label={section}>
      {content}
    </section>
  ) : (
    content
  );
}
