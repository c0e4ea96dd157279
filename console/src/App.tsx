import { lazy, Suspense, useEffect } from 'react';
import { restore, useAuth } from './api/auth.ts';
import { HOME } from './pages/index.ts';
import { FederationChoice } from './pages/signin/FederationChoice.tsx';
import { SignIn } from './pages/signin/SignIn.tsx';
import { navigate, usePath } from './shell/router.ts';
import { Loading } from './ui/Loading.tsx';

/** The signed-in shell loads after the sign-in page, which is all a cold start needs to answer. */
const Shell = lazy(async () => ({ default: (await import('./shell/Shell.tsx')).Shell }));

/**
 * Sign-in first; then the shell. `/` opens the home page. `/federation` is where an identity
 * provider's sign-in lands (choose member or trusted profile), signed in or not: it starts a new sign-in.
 */
export function App() {
  const auth = useAuth();
  const path = usePath();
  useEffect(() => {
    void restore();
  }, []);
  useEffect(() => {
    if (auth.status === 'signed-in' && path === '/') navigate(HOME, { replace: true });
  }, [auth.status, path]);

  if (auth.status === 'loading') return <Loading text="Starting the console…" />;
  if (path === '/federation') return <FederationChoice />;
  if (auth.status === 'signed-out') return <SignIn {...(auth.reason ? { reason: auth.reason } : {})} />;
  return (
    <Suspense fallback={<Loading text="Starting the console…" />}>
      <Shell identity={auth.identity} />
    </Suspense>
  );
}
