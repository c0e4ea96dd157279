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

export const pages: PageEntry[] = [
  { path: '/service-ids', nav: 'Service IDs', component: serviceIds },
  { path: '/service-ids/:id', component: serviceId },
];

/** Where the console opens after sign-in. */
export const HOME = '/service-ids';
