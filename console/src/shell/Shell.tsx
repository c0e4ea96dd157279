import {
  Button,
  Content,
  Header,
  HeaderGlobalBar,
  HeaderMenuButton,
  HeaderName,
  SideNav,
  SideNavItems,
  SideNavMenu,
  SideNavMenuItem,
  SkipToContent,
} from '@carbon/react';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { signOut, type Identity } from '../api/auth.ts';
import { pages } from '../pages/index.ts';
import { ErrorBoundary } from '../ui/ErrorBoundary.tsx';
import { Loading } from '../ui/Loading.tsx';
import { followLink, hrefOf, matchPath, usePath } from './router.ts';
import { SessionExpiry } from './SessionExpiry.tsx';

/** Loaded after the first paint: its menu and dialog stay out of the initial JavaScript. */
const AccountSwitcher = lazy(() => import('./AccountSwitcher.tsx').then((m) => ({ default: m.AccountSwitcher })));

/** The UI Shell: header "Portcullis", the side nav "Manage > Access (IAM)", and the current page. */
export function Shell({ identity }: { identity: Identity }) {
  const path = usePath();
  const [navOpen, setNavOpen] = useState(false);
  // The menu button's nav is for narrow screens (wide ones always show the nav): crossing Carbon's
  // lg breakpoint closes it, so a menu opened on a phone does not come back over the page after
  // the window widened and narrowed again.
  useEffect(() => {
    const wide = window.matchMedia('(min-width: 66rem)');
    const close = () => setNavOpen(false);
    wide.addEventListener('change', close);
    return () => wide.removeEventListener('change', close);
  }, []);
  const found = pages.map((page) => ({ page, params: matchPath(page.path, path) })).find((m) => m.params !== undefined);
  const section = '/' + (path.split('/')[1] ?? '');

  let body: ReactNode;
  if (found) {
    const Page = found.page.component;
    body = <Page params={found.params!} />;
  } else {
    body = (
      <div className="pc-page">
        <h1 className="pc-title">Page not found</h1>
        <p>There is no console page at {path}.</p>
      </div>
    );
  }

  return (
    <>
      <Header aria-label="Portcullis">
        <SkipToContent />
        <HeaderMenuButton aria-label={navOpen ? 'Close menu' : 'Open menu'} isActive={navOpen} onClick={() => setNavOpen(!navOpen)} aria-expanded={navOpen} />
        <HeaderName href={hrefOf('/')} prefix="" onClick={followLink('/')}>
          Portcullis
        </HeaderName>
        <HeaderGlobalBar>
          <span className="pc-whoami" title={identity.iamId}>
            {identity.name} · {identity.accountId}
          </span>
          <Suspense fallback={null}>
            <AccountSwitcher accountId={identity.accountId} />
          </Suspense>
          <Button kind="ghost" size="lg" className="pc-signout" onClick={() => void signOut()}>
            Sign out
          </Button>
        </HeaderGlobalBar>
        <SideNav aria-label="Side navigation" expanded={navOpen} onSideNavBlur={() => setNavOpen(false)} isPersistent={true}>
          <SideNavItems>
            <li className="pc-nav-heading">Manage</li>
            <SideNavMenu title="Access (IAM)" defaultExpanded isActive={false}>
              {pages
                .filter((page) => page.nav)
                .map((page) => (
                  <SideNavMenuItem
                    key={page.path}
                    href={hrefOf(page.path)}
                    isActive={section === page.path}
                    onClick={(event: React.MouseEvent) => {
                      setNavOpen(false);
                      followLink(page.path)(event);
                    }}
                  >
                    {page.nav}
                  </SideNavMenuItem>
                ))}
            </SideNavMenu>
          </SideNavItems>
        </SideNav>
      </Header>
      <Content id="main-content" className="pc-content">
        <SessionExpiry endsAt={identity.sessionEndsAt} idleEndsAt={identity.sessionIdleEndsAt} />
        <ErrorBoundary key={`${identity.accountId} ${path}`}>
          <Suspense fallback={<Loading />}>{body}</Suspense>
        </ErrorBoundary>
      </Content>
    </>
  );
}
