import { Button, Form, InlineNotification, RadioButton, RadioButtonGroup, Stack } from '@carbon/react';
import { useEffect, useState, type FormEvent } from 'react';
import { signInWithFederation } from '../../api/auth.ts';
import { ApiError } from '../../api/errors.ts';
import { federationChoices, type FederationChoices } from '../../api/federation.ts';
import { hrefOf, navigate } from '../../shell/router.ts';
import { HOME } from '../index.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Loading } from '../../ui/Loading.tsx';
import { counted, noun } from '../../ui/counted.ts';

/** The radio value of continuing as the account member (profile ids never take it). */
const AS_MEMBER = '';

/** A session length for people: "8 hours", "30 minutes". */
function duration(seconds: number): string {
  if (seconds % 3600 === 0) return counted(seconds / 3600, noun('hour'));
  return counted(Math.round(seconds / 60), noun('minute'));
}

/**
 * `/console/federation?ticket=…`, where the server sends the browser after an identity provider
 * answered: sign in as the account's member, or pick one of the trusted profiles whose rules
 * matched (IBM's "select a trusted profile, or continue without one"). The ticket is single use and
 * short-lived; it is read once and taken out of the address bar, so it stays in no history entry.
 */
export function FederationChoice() {
  const [ticket] = useState(() => new URLSearchParams(location.search).get('ticket') ?? '');
  const [choices, setChoices] = useState<FederationChoices | undefined>(undefined);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(ticket ? undefined : new Error('This page needs the ticket of a sign-in through an identity provider.'));

  useEffect(() => {
    if (location.search) history.replaceState(null, '', hrefOf('/federation'));
    if (!ticket) return;
    let live = true;
    federationChoices(ticket).then(
      (offered) => {
        if (!live) return;
        setChoices(offered);
        setChosen(offered.member ? AS_MEMBER : offered.profiles[0]?.id);
      },
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [ticket]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (chosen === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await signInWithFederation(ticket, chosen === AS_MEMBER ? undefined : chosen);
      navigate(HOME, { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  // A refused ticket (unknown, spent or expired) cannot be retried: only a new sign-in helps.
  const ticketGone = error !== undefined && (!choices || (error instanceof ApiError && error.code === 'federation_ticket_invalid'));

  return (
    <main className="pc-signin">
      <div className="pc-signin__panel">
        <h1>Choose how to sign in</h1>
        {ticketGone ? (
          <Stack gap={6}>
            <ErrorNotice error={error} title="This sign-in can no longer be used" />
            <p>A sign-in through an identity provider can be used once, within a few minutes. Sign in again to continue.</p>
            <Button kind="primary" href={hrefOf('/')}>
              Back to sign-in
            </Button>
          </Stack>
        ) : !choices ? (
          <Loading text="Reading your sign-in…" />
        ) : (
          <Form aria-label="Choose how to sign in" onSubmit={(event) => void submit(event)}>
            <Stack gap={6}>
              <InlineNotification
                kind="info"
                lowContrast
                hideCloseButton
                title="Signed in at your identity provider"
                subtitle={`As ${choices.name ? `${choices.name} (${choices.subject})` : choices.subject}, for account ${choices.account_id}.`}
              />
              {error !== undefined ? <ErrorNotice error={error} title="Not signed in" /> : null}
              <RadioButtonGroup
                legendText={choices.profiles.length > 0 ? 'Select a trusted profile, or continue without one' : 'Sign in as'}
                name="federation-choice"
                orientation="vertical"
                valueSelected={chosen}
                onChange={(value) => setChosen(String(value))}
              >
                {[
                  ...(choices.member ? [<RadioButton key="member" id="federation-member" value={AS_MEMBER} labelText="Continue without a profile (as yourself, the account member)" />] : []),
                  ...choices.profiles.map((p) => (
                    <RadioButton
                      key={p.id}
                      id={`federation-${p.id}`}
                      value={p.id}
                      labelText={`${p.name}${p.description ? ` — ${p.description}` : ''} (trusted profile, session up to ${duration(p.session_expiration_in_seconds)})`}
                    />
                  )),
                ]}
              </RadioButtonGroup>
              <Button type="submit" disabled={busy || chosen === undefined}>
                {busy ? 'Signing in…' : 'Continue'}
              </Button>
            </Stack>
          </Form>
        )}
      </div>
    </main>
  );
}
