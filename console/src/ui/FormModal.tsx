import { Form, Modal, Stack, TextArea, TextInput } from '@carbon/react';
import { useState, type ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice.tsx';

/**
 * The create/edit building block: a modal form whose primary button runs `onSubmit`; while it runs
 * the button is busy, and a refusal is shown in the modal (the API's message and transaction id)
 * so the user can correct the input. It closes only on success. Render it only while open
 * (`{editing ? <FormModal … /> : null}`) so each opening starts with fresh fields.
 */
export function FormModal(props: {
  title: string;
  submitLabel: string;
  onSubmit: () => Promise<void>;
  onClose: () => void;
  children: ReactNode;
  danger?: boolean;
  /** Disables the submit button (e.g. a required field is empty). */
  invalid?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async () => {
    if (busy || props.invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit();
      props.onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      modalHeading={props.title}
      primaryButtonText={busy ? 'Working…' : props.submitLabel}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={busy || props.invalid}
      danger={props.danger}
      onRequestSubmit={() => void submit()}
      onRequestClose={props.onClose}
      shouldSubmitOnEnter={false}
      preventCloseOnClickOutside
    >
      {error !== undefined ? <ErrorNotice error={error} title="Not done" /> : null}
      <Form
        aria-label={props.title}
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {props.children}
        {/* Enter in a field submits, as in any form. */}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

/** The delete building block: asks before deleting `name`, then runs `onConfirm` (errors shown in place). */
export function ConfirmDelete(props: { kind: string; name: string; consequence?: string; onConfirm: () => Promise<void>; onClose: () => void }) {
  return (
    <FormModal title={`Delete ${props.kind} ${props.name}?`} submitLabel="Delete" danger onSubmit={props.onConfirm} onClose={props.onClose}>
      <p>{props.consequence ?? `The ${props.kind} is deleted for good.`} This cannot be undone.</p>
    </FormModal>
  );
}

/**
 * The create or edit form of an entity that has a name and a description (service IDs, access
 * groups, trusted profiles, API keys). Creating (no `initial`): the description is optional and
 * left out when empty. Editing: both are sent, so a description can be cleared. What `save`
 * returns goes to `onSaved`.
 */
export function NamedForm<R>(props: {
  title: string;
  /** The fields' ids start with it. */
  idPrefix: string;
  initial?: { name: string; description?: string | undefined };
  save: (fields: { name: string; description?: string }) => Promise<R>;
  onClose: () => void;
  onSaved: (saved: R) => void;
}) {
  const editing = props.initial !== undefined;
  const [name, setName] = useState(props.initial?.name ?? '');
  const [description, setDescription] = useState(props.initial?.description ?? '');
  return (
    <FormModal
      title={props.title}
      submitLabel={editing ? 'Save' : 'Create'}
      invalid={!name.trim()}
      onClose={props.onClose}
      onSubmit={async () => props.onSaved(await props.save({ name: name.trim(), ...(editing || description.trim() ? { description: description.trim() } : {}) }))}
    >
      <Stack gap={6}>
        <TextInput id={`${props.idPrefix}-name`} labelText="Name" value={name} onChange={(e) => setName(e.target.value)} required data-modal-primary-focus />
        <TextArea id={`${props.idPrefix}-description`} labelText={editing ? 'Description' : 'Description (optional)'} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Stack>
    </FormModal>
  );
}
