/**
 * A screen's own state in the query of its hash (`#/audit?action=key.create&actor=operator`), so a
 * filtered view survives a reload and can be linked. The router reads only the path; a
 * change of the query alone is no navigation (focus stays where it is).
 *
 * Common case:
 * ```tsx
 * const query = useHashQuery();                 // URLSearchParams, re-read on every hashchange
 * setHashQuery({ ...Object.fromEntries(query), actor: 'operator' });
 * ```
 */
import { useSyncExternalStore } from 'react';
import { hashPath, href, withQuery } from '../../routes/routes';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current hash's query string (without "?"), re-read on every hashchange. */
export function useHashQueryString(): string {
  return useSyncExternalStore(
    subscribe,
    () => {
      const h = window.location.hash;
      const i = h.indexOf('?');
      return i < 0 ? '' : h.slice(i + 1);
    },
    () => '',
  );
}

/**
 * Replaces the query of the current hash without a new history entry (typing in a filter
 * must not add one per keystroke) and tells hash readers. Empty values are left out.
 */
export function setHashQuery(values: Record<string, string | undefined>): void {
  const path = hashPath(window.location.hash) || href({ name: 'home' });
  const target = withQuery(path, values);
  if (window.location.hash === target) return;
  window.history.replaceState(window.history.state, '', target);
  window.dispatchEvent(new Event('hashchange'));
}
