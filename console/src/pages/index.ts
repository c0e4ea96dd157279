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

const serviceIds = lazy(() => import('./service-ids/index.tsx'));
const serviceId = lazy(() => import('./service-ids/detail.tsx'));
const trustedProfiles = lazy(() => import('./trusted-profiles/index.tsx'));
const trustedProfile = lazy(() => import('./trusted-profiles/detail.tsx'));
const roles = lazy(() => import('./roles/index.tsx'));
const authorizations = lazy(() => import('./authorizations/index.tsx'));
const settings = lazy(() => import('./settings/index.tsx'));
const audit = lazy(() => import('./audit/index.tsx'));
const enterprise = lazy(() => import('./enterprise/index.tsx'));
const assignAccess = lazy(() => import('./assign-access/index.tsx'));
const why = lazy(() => import('./why/index.tsx'));

export const pages: PageEntry[] = [
  { path: '/service-ids', nav: 'Service IDs', component: serviceIds },
  { path: '/service-ids/:id', component: serviceId },
  { path: '/trusted-profiles', nav: 'Trusted profiles', component: trustedProfiles },
  { path: '/trusted-profiles/:id', component: trustedProfile },
  { path: '/roles', nav: 'Roles', component: roles },
  { path: '/authorizations', nav: 'Authorizations', component: authorizations },
  { path: '/settings', nav: 'Settings', component: settings },
  { path: '/audit', nav: 'Audit', component: audit },
  { path: '/enterprise', nav: 'Enterprise', component: enterprise },
  { path: '/assign-access', nav: 'Assign access', component: assignAccess },
  { path: '/why', nav: 'Why', component: why },
];

/** Where the console opens after sign-in. */
export const HOME = '/service-ids';
