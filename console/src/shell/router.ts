import { useSyncExternalStore, type MouseEvent } from 'react';

/**
 * A small client-side router: the console lives under /console/, a page is a path below it
 * (`/service-ids/ServiceId-…`), and navigation is history.pushState. Query strings are not used for
 * anything secret.
 */
export const BASE = '/console';

const NAVIGATED = 'portcullis:navigated';

function subscribe(listener: () => void) {
  window.addEventListener('popstate', listener);
  window.addEventListener(NAVIGATED, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(NAVIGATED, listener);
  };
}

/** The current console path (`/service-ids`), without the base. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => {
    const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
    return path === '' ? '/' : path;
  });
}

export const hrefOf = (path: string) => `${BASE}${path}`;

export function navigate(path: string, options: { replace?: boolean } = {}) {
  if (options.replace) history.replaceState(null, '', hrefOf(path));
  else history.pushState(null, '', hrefOf(path));
  window.dispatchEvent(new Event(NAVIGATED));
  window.scrollTo(0, 0);
}

/** An onClick for links with `href={hrefOf(path)}`: navigates in-app on a plain left click. */
export function followLink(path: string) {
  return (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(path);
  };
}

/** The parameters of `path` if it matches `pattern` (`/service-ids/:id`), else undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = have[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return undefined;
  }
  return params;
}
