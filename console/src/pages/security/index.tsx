import { TextInput } from '@carbon/react';
import { useCallback, useState } from 'react';
import { signedOutBecause } from '../../api/auth.ts';
import { api, data } from '../../api/client.ts';
import { DataList, type Column } from '../../ui/DataList.tsx';
import { ConfirmDelete, FormModal } from '../../ui/FormModal.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';

interface Passkey {
  id: string;
  name: string;
  created_at: string;
  last_used_at?: string;
}

/**
 * Security: your own passkeys (`/signin/mfa/passkeys`), the second factor a password sign-in can
 * use (and the only one an account asking for LEVEL3 accepts). Registering asks the server for a
 * challenge, the browser's authenticator answers it (WebAuthn through @simplewebauthn/browser,
 * loaded only then), and the answer is stored under your name for it. Removing one ends your
 * sessions and revokes your tokens, so the console signs you out.
 */
export default function SecurityPage() {
  const [reload, setReload] = useState(0);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Passkey | undefined>(undefined);

  const load = useCallback(async () => ({ items: (await data(api.GET('/signin/mfa/passkeys'))).passkeys as Passkey[] }), []);

  const columns: Column<Passkey>[] = [
    { key: 'name', header: 'Name', cell: (p) => p.name },
    { key: 'created', header: 'Registered', cell: (p) => new Date(p.created_at).toLocaleString() },
    { key: 'used', header: 'Last used', cell: (p) => (p.last_used_at ? new Date(p.last_used_at).toLocaleString() : 'Never') },
  ];

  return (
    <div className="pc-page">
      <PageHeader title="Security" description="Your passkeys: security keys or this device's authenticator, a second factor when you sign in with your password." />
      <DataList
        title="Passkeys"
        columns={columns}
        rowKey={(p) => p.id}
        load={load}
        reloadKey={reload}
        primaryAction={{ label: 'Register a passkey', onClick: () => setAdding(true) }}
        rowActions={[{ label: 'Remove', danger: true, onClick: setRemoving }]}
        empty={{ title: 'No passkeys yet', text: 'Register one to sign in with your password and a passkey.' }}
      />
      {adding ? <RegisterPasskey onDone={() => setReload((n) => n + 1)} onClose={() => setAdding(false)} /> : null}
      {removing ? (
        <ConfirmDelete
          kind="passkey"
          name={removing.name}
          consequence="All your sessions end and your tokens are revoked: you sign in again."
          onConfirm={async () => {
            await data(api.DELETE('/signin/mfa/passkeys/{passkey_id}', { params: { path: { passkey_id: removing.id } } }));
            // The server ended every session of yours and revoked your tokens: this one too.
            signedOutBecause('Removing a passkey ended your sessions. Sign in again to continue.');
          }}
          onClose={() => setRemoving(undefined)}
        />
      ) : null}
    </div>
  );
}

function RegisterPasskey({ onDone, onClose }: { onDone: () => void; onClose: () => void }) {
  const [name, setName] = useState('');
  return (
    <FormModal
      title="Register a passkey"
      submitLabel="Register"
      invalid={!name.trim()}
      onClose={onClose}
      onSubmit={async () => {
        const options = await data(api.POST('/signin/mfa/passkeys/options'));
        const { startRegistration } = await import('@simplewebauthn/browser');
        const response = await startRegistration({ optionsJSON: options as unknown as Parameters<typeof startRegistration>[0]['optionsJSON'] });
        await data(api.POST('/signin/mfa/passkeys', { body: { name: name.trim(), response: response as never } }));
        onDone();
      }}
    >
      <TextInput
        id="passkey-name"
        labelText="Name"
        helperText="How you tell your passkeys apart, e.g. the device or key it is on."
        maxLength={64}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
    </FormModal>
  );
}
