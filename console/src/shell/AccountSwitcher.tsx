import { MenuButton, MenuItem, Modal } from '@carbon/react';
import { useEffect, useState } from 'react';
import { memberAccounts, signOut, switchAccount, type MemberAccount } from '../api/auth.ts';
import { ApiError } from '../api/errors.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { HOME } from '../pages/index.ts';
import { hrefOf, navigate } from './router.ts';

/** Refusals a new sign-in into the account answers: its MFA level, or a session that cannot move (API key, identity provider). */
const SIGN_IN_AGAIN = new Set(['step_up_required', 'reauthentication_required']);

/**
 * The header's account switcher, shown only to people in two or more accounts: a menu of their
 * accounts (`GET /signin/accounts`); choosing one moves the session there (`POST
 * /signin/session/switch`) under that account's rules. When the server asks for a new sign-in (the
 * account requires a stronger second factor than this session used, or the session came from an
 * API key or an identity provider), it offers one, for that account.
 */
export function AccountSwitcher({ accountId }: { accountId: string }) {
  const [accounts, setAccounts] = useState<MemberAccount[]>([]);
  const [refused, setRefused] = useState<{ account: MemberAccount; error: unknown } | undefined>(undefined);

  useEffect(() => {
    let live = true;
    // The switcher is a convenience: without the list (e.g. a trusted profile's session) it stays hidden.
    memberAccounts().then(
      (listed) => live && setAccounts(listed),
      () => live && setAccounts([]),
    );
    return () => {
      live = false;
    };
  }, [accountId]);

  if (accounts.length < 2) return null;
  const current = accounts.find((a) => a.id === accountId);

  const choose = async (account: MemberAccount) => {
    try {
      await switchAccount(account.id);
      navigate(HOME, { replace: true });
    } catch (error) {
      setRefused({ account, error });
    }
  };

  const signInThere = refused && refused.error instanceof ApiError && SIGN_IN_AGAIN.has(refused.error.code ?? '');

  return (
    <>
      <MenuButton className="pc-account-switcher" kind="ghost" size="lg" label={`Account: ${current?.name ?? accountId}`} menuAlignment="bottom-end">
        {accounts.map((account) => (
          <MenuItem
            key={account.id}
            label={`${account.name} (${account.id})`}
            disabled={account.id === accountId}
            onClick={() => void choose(account)}
          />
        ))}
      </MenuButton>
      {refused ? (
        <Modal
          open
          modalHeading={`Switch to ${refused.account.name}`}
          primaryButtonText={signInThere ? `Sign in to ${refused.account.name}` : 'Close'}
          {...(signInThere ? { secondaryButtonText: 'Stay here' } : {})}
          onRequestClose={() => setRefused(undefined)}
          onRequestSubmit={() => {
            if (!signInThere) return setRefused(undefined);
            // A new sign-in, on the sign-in page of that account (its identity providers, its account ID filled in).
            void signOut().finally(() => location.assign(`${hrefOf('/')}?account=${encodeURIComponent(refused.account.id)}`));
          }}
        >
          <ErrorNotice error={refused.error} title="Not switched" />
        </Modal>
      ) : null}
    </>
  );
}
