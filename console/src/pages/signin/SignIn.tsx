import { Button, Form, InlineNotification, PasswordInput, Stack, Tab, TabList, TabPanel, TabPanels, Tabs, TextInput } from '@carbon/react';
import { useEffect, useState, type FormEvent } from 'react';
import { signInWithApiKey, signInWithPassword } from '../../api/auth.ts';
import { ApiError } from '../../api/errors.ts';
import { signInProviders } from '../../api/federation.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { IdentityProviders, type IdentityProvider } from './IdentityProviders.tsx';

/**
 * Sign-in: password (with the one-time code of an authenticator app when the account requires
 * one, and the account to use when the user is in several), or an API key. With `?account=<id>`
 * (a link an administrator shares), the account's identity providers appear as buttons.
 */
export function SignIn({ reason }: { reason?: string }) {
  const { providers, error } = useAccountProviders();
  return (
    <main className="pc-signin">
      <div className="pc-signin__panel">
        <h1>Sign in to Portcullis</h1>
        {reason ? <InlineNotification kind="info" lowContrast hideCloseButton title="Signed out" subtitle={reason} /> : null}
        <Tabs>
          <TabList aria-label="Sign-in methods" contained fullWidth>
            <Tab>Password</Tab>
            <Tab>API key</Tab>
          </TabList>
          <TabPanels>
            <TabPanel>
              <PasswordForm />
            </TabPanel>
            <TabPanel>
              <ApiKeyForm />
            </TabPanel>
          </TabPanels>
        </Tabs>
        {error !== undefined ? <ErrorNotice error={error} title="Identity providers unavailable" /> : null}
        <IdentityProviders providers={providers} />
      </div>
    </main>
  );
}

/** The identity providers of the account the page's `?account=` names (none without one). */
function useAccountProviders(): { providers: IdentityProvider[]; error?: unknown } {
  const [account] = useState(() => new URLSearchParams(location.search).get('account')?.trim() ?? '');
  const [providers, setProviders] = useState<IdentityProvider[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (!account) return;
    let live = true;
    signInProviders(account).then(
      (listed) => live && setProviders(listed.map((p) => ({ id: p.id, name: p.name, startUrl: p.login_url }))),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [account]);
  return error === undefined ? { providers } : { providers, error };
}

function PasswordForm() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [account, setAccount] = useState('');
  const [passcode, setPasscode] = useState('');
  const [askAccount, setAskAccount] = useState(false);
  const [askPasscode, setAskPasscode] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signInWithPassword({
        username,
        password,
        ...(account.trim() ? { account: account.trim() } : {}),
        ...(passcode.trim() ? { passcode: passcode.trim() } : {}),
      });
    } catch (failure) {
      // The API says what is missing: the one-time code, or which account (several memberships).
      if (failure instanceof ApiError && (failure.code === 'mfa_required' || failure.code === 'mfa_failed')) setAskPasscode(true);
      if (failure instanceof ApiError && failure.code === 'missing_property' && /account/.test(failure.message)) setAskAccount(true);
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <Form aria-label="Sign in with a password" onSubmit={(event) => void submit(event)}>
      <Stack gap={6}>
        {error !== undefined ? <ErrorNotice error={error} title="Not signed in" /> : null}
        <TextInput id="signin-username" labelText="Username or e-mail" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        <PasswordInput
          id="signin-password"
          labelText="Password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        {askAccount ? (
          <TextInput
            id="signin-account"
            labelText="Account ID"
            helperText="You are a member of several accounts: name the one to work in."
            value={account}
            onChange={(e) => setAccount(e.target.value)}
          />
        ) : null}
        {askPasscode ? (
          <TextInput
            id="signin-passcode"
            labelText="One-time code"
            helperText="The code of your authenticator app, or a recovery code."
            autoComplete="one-time-code"
            inputMode="numeric"
            value={passcode}
            onChange={(e) => setPasscode(e.target.value)}
          />
        ) : null}
        <Button type="submit" disabled={busy || !username || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </Stack>
    </Form>
  );
}

function ApiKeyForm() {
  const [apikey, setApikey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signInWithApiKey(apikey.trim());
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <Form aria-label="Sign in with an API key" onSubmit={(event) => void submit(event)}>
      <Stack gap={6}>
        {error !== undefined ? <ErrorNotice error={error} title="Not signed in" /> : null}
        <PasswordInput
          id="signin-apikey"
          labelText="API key"
          helperText="Kept in this tab's memory only: reloading the page signs you out."
          autoComplete="off"
          value={apikey}
          onChange={(e) => setApikey(e.target.value)}
          required
        />
        <Button type="submit" disabled={busy || !apikey.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </Stack>
    </Form>
  );
}
