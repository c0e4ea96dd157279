import { ActionableNotification } from '@carbon/react';
import { useEffect, useState } from 'react';
import { keepSession, SESSION_WARNING_MS, signedOutBecause, signOut } from '../api/auth.ts';
import { counted, noun } from '../ui/counted.ts';

/**
 * Warns that the session ends soon, and returns to the sign-in page when it has ended. A session
 * ends at its fixed lifetime (the account's `session_expiration_in_seconds`: sign in again) or
 * once unused for the account's `session_invalidation_in_seconds` (`idleEndsAt`, which every
 * renewal moves: "Stay signed in" renews now, and so does any call the console makes meanwhile).
 */
export function SessionExpiry({ endsAt, idleEndsAt }: { endsAt: number; idleEndsAt: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const idle = idleEndsAt < endsAt;
  const end = Math.min(endsAt, idleEndsAt);
  useEffect(() => {
    if (now >= end) signedOutBecause(idle ? 'Your session ended after a time without use. Sign in again to continue.' : 'Your session ended. Sign in again to continue.');
  }, [now, end, idle]);
  const left = end - now;
  if (left > SESSION_WARNING_MS || left <= 0) return null;
  const when = `in about ${counted(Math.max(1, Math.round(left / 60_000)), noun('minute'))} (${new Date(end).toLocaleTimeString()})`;
  // At the inactivity deadline a renewal keeps the session ("Stay signed in"; a refusal signs the
  // console out, and the sign-in page says why); at the fixed end only a new sign-in helps.
  const action = idle
    ? { subtitle: `Unused, it ends ${when}. Stay signed in to keep working.`, label: 'Stay signed in', run: () => void keepSession().then(() => setNow(Date.now()), () => undefined) }
    : { subtitle: `It ends ${when}. Sign in again to keep working.`, label: 'Sign in again', run: () => void signOut() };
  return (
    <ActionableNotification
      kind="warning"
      title="Your session ends soon"
      subtitle={action.subtitle}
      actionButtonLabel={action.label}
      onActionButtonClick={action.run}
      hideCloseButton
      lowContrast
      inline
    />
  );
}
