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
 * The create form of an entity that has a name and an optional description (service IDs, access
 * groups, trusted profiles, API keys): `create` makes it; what it returns goes to `onCreated`.
 */
export function CreateNamed<R>(props: {
  /** What is created, with its article ("a service ID"). */
  what: string;
  /** The fields' ids start with it. */
  idPrefix: string;
  create: (fields: { name: string; description?: string }) => Promise<R>;
  onClose: () => void;
  onCreated: (created: R) => void;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <FormModal
      title={`Create ${props.what}`}
      submitLabel="Create"
      invalid={!name.trim()}
      onClose={props.onClose}
      onSubmit={async () => props.onCreated(await props.create({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) }))}
    >
      <Stack gap={6}>
        <TextInput id={`${props.idPrefix}-name`} labelText="Name" value={name} onChange={(e) => setName(e.target.value)} required data-modal-primary-focus />
        <TextArea id={`${props.idPrefix}-description`} labelText="Description (optional)" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Stack>
    </FormModal>
  );
}
