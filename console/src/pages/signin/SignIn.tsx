import { Button, InlineNotification, PasswordInput, Tab, TabList, TabPanel, TabPanels, Tabs, TextInput } from '@carbon/react';
import { useEffect, useState } from 'react';
import { signInWithApiKey, signInWithPasskey, signInWithPassword } from '../../api/auth.ts';
import { ApiError } from '../../api/errors.ts';
import { signInProviders } from '../../api/federation.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { IdentityProviders, type IdentityProvider } from './IdentityProviders.tsx';
import { SignInForm, useSignInStep } from './SignInForm.tsx';

/**
 * Sign-in: password (with the one-time code of an authenticator app, or a passkey, when the
 * account requires one, and the account to use when the user is in several), or an API key. With
 * `?account=<id>` (a link an administrator shares, or the account switcher asking for a new
 * sign-in) the account is filled in and its identity providers appear as buttons.
 */
export function SignIn({ reason }: { reason?: string }) {
  const [account] = useState(() => new URLSearchParams(location.search).get('account')?.trim() ?? '');
  const { providers, error } = useAccountProviders(account);
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
              <PasswordForm account={account} />
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

/** The identity providers of `account`, the one the page's `?account=` names (none without one). */
function useAccountProviders(account: string): { providers: IdentityProvider[]; error?: unknown } {
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

function PasswordForm({ account: named }: { account: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [account, setAccount] = useState(named);
  const [passcode, setPasscode] = useState('');
  const [askAccount, setAskAccount] = useState(named !== '');
  const [askPasscode, setAskPasscode] = useState(false);
  // The API says what is missing: the one-time code (or a passkey), or which account (several memberships).
  const step = useSignInStep((failure) => {
    if (!(failure instanceof ApiError)) return;
    if ((failure.code === 'mfa_required' || failure.code === 'mfa_failed') && !/webauthn|passkey/.test(failure.message)) setAskPasscode(true);
    if (failure.code === 'missing_property' && /account/.test(failure.message)) setAskAccount(true);
  });
  const fields = { username, password, ...(account.trim() ? { account: account.trim() } : {}) };

  return (
    <SignInForm
      label="Sign in with a password"
      error={step.error}
      onSubmit={() => void step.run(() => signInWithPassword({ ...fields, ...(passcode.trim() ? { passcode: passcode.trim() } : {}) }))}
    >
      <TextInput id="signin-username" labelText="Username or e-mail" autoComplete="username webauthn" value={username} onChange={(e) => setUsername(e.target.value)} required />
      <PasswordInput id="signin-password" labelText="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      {askAccount ? (
        <TextInput
          id="signin-account"
          labelText="Account ID"
          helperText="The account to work in (you may be a member of several)."
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
      <div className="pc-signin__actions">
        <Button type="submit" disabled={step.busy || !username || !password}>
          {step.busy ? 'Signing in…' : 'Sign in'}
        </Button>
        <Button kind="tertiary" disabled={step.busy || !username || !password} onClick={() => void step.run(() => signInWithPasskey(fields))}>
          Sign in with a passkey
        </Button>
      </div>
    </SignInForm>
  );
}

function ApiKeyForm() {
  const [apikey, setApikey] = useState('');
  const step = useSignInStep();
  return (
    <SignInForm label="Sign in with an API key" error={step.error} onSubmit={() => void step.run(() => signInWithApiKey(apikey.trim()))}>
      <PasswordInput
        id="signin-apikey"
        labelText="API key"
        helperText="Exchanged for a session of this browser, then forgotten: the page never stores it."
        autoComplete="off"
        value={apikey}
        onChange={(e) => setApikey(e.target.value)}
        required
      />
      <Button type="submit" disabled={step.busy || !apikey.trim()}>
        {step.busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </SignInForm>
  );
}
