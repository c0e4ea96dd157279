import { Form, Stack } from '@carbon/react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';

/**
 * A sign-in step's state: whether it runs, and its last refusal. `run` clears the refusal, runs the
 * step, and on failure keeps the refusal (and hands it to `onFailure`, which reads what the API
 * asks for next); on success the form stays busy, as the page changes once signed in.
 */
export function useSignInStep(onFailure?: (error: unknown) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (step: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await step();
    } catch (failure) {
      onFailure?.(failure);
      setError(failure);
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** The frame of every sign-in form: its refusal on top, the fields, then the buttons. */
export function SignInForm(props: { label: string; error: unknown; onSubmit: () => void; children: ReactNode }) {
  return (
    <Form
      aria-label={props.label}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <Stack gap={6}>
        {props.error !== undefined ? <ErrorNotice error={props.error} title="Not signed in" /> : null}
        {props.children}
      </Stack>
    </Form>
  );
}
