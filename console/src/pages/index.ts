import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/**
 * Every page of the console, in side-nav order. A page is a folder under pages/ whose index.tsx
 * default-exports a component taking the route's parameters; it is loaded when first shown
 * (React.lazy), so the initial JavaScript stays small. `nav` puts it in the side nav (detail pages
 * have none).
 */
export interface PageEntry {
  /** Path below /console, with `:name` parameters. */
  path: string;
  /** The side-nav label; absent for pages reached from another page (details). */
  nav?: string;
  component: LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;
}

export const pages: PageEntry[] = [
  { path: '/users', nav: 'Users', component: lazy(() => import('./users/index.tsx')) },
  { path: '/users/:id', component: lazy(() => import('./users/detail.tsx')) },
  { path: '/access-groups', nav: 'Access groups', component: lazy(() => import('./access-groups/index.tsx')) },
  { path: '/access-groups/:id', component: lazy(() => import('./access-groups/detail.tsx')) },
  { path: '/service-ids', nav: 'Service IDs', component: lazy(() => import('./service-ids/index.tsx')) },
  { path: '/service-ids/:id', component: lazy(() => import('./service-ids/detail.tsx')) },
  { path: '/api-keys', nav: 'API keys', component: lazy(() => import('./api-keys/index.tsx')) },
  { path: '/trusted-profiles', nav: 'Trusted profiles', component: lazy(() => import('./trusted-profiles/index.tsx')) },
  { path: '/trusted-profiles/:id', component: lazy(() => import('./trusted-profiles/detail.tsx')) },
  { path: '/roles', nav: 'Roles', component: lazy(() => import('./roles/index.tsx')) },
  { path: '/authorizations', nav: 'Authorizations', component: lazy(() => import('./authorizations/index.tsx')) },
  { path: '/settings', nav: 'Settings', component: lazy(() => import('./settings/index.tsx')) },
  { path: '/audit', nav: 'Audit', component: lazy(() => import('./audit/index.tsx')) },
  { path: '/enterprise', nav: 'Enterprise', component: lazy(() => import('./enterprise/index.tsx')) },
  { path: '/assign-access', nav: 'Assign access', component: lazy(() => import('./assign-access/index.tsx')) },
  { path: '/why', nav: 'Why', component: lazy(() => import('./why/index.tsx')) },
  { path: '/security', nav: 'Security', component: lazy(() => import('./security/index.tsx')) },
];

/** Where the console opens after sign-in. */
export const HOME = '/service-ids';
