import { ActionableNotification } from '@carbon/react';
import { useEffect, useState } from 'react';
import { signedOutBecause, signOut } from '../api/auth.ts';
import { counted, noun } from '../ui/counted.ts';

/** How long before the session ends the console warns. */
const WARN_MS = 5 * 60 * 1000;

/**
 * Warns that the session ends soon (its fixed lifetime, the account's `session_expiration_in_seconds`),
 * and returns to the sign-in page when it has ended.
 */
export function SessionExpiry({ endsAt }: { endsAt: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (now >= endsAt) signedOutBecause('Your session ended. Sign in again to continue.');
  }, [now, endsAt]);
  const left = endsAt - now;
  if (left > WARN_MS || left <= 0) return null;
  const minutes = Math.max(1, Math.round(left / 60_000));
  return (
    <ActionableNotification
      kind="warning"
      title="Your session ends soon"
      subtitle={`It ends in about ${counted(minutes, noun('minute'))} (${new Date(endsAt).toLocaleTimeString()}). Sign in again to keep working.`}
      actionButtonLabel="Sign in again"
      onActionButtonClick={() => void signOut()}
      hideCloseButton
      lowContrast
      inline
    />
  );
}
