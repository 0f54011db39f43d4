/**
 * A tiny hash router: the whole app lives at one URL, and deep links such as a key's page
 * survive reloads because the hash never reaches a server. No history API, no library.
 * The paths themselves are the route table's (src/routes/routes.ts); this file only
 * follows and sets the location.
 */
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current hash, re-rendering on every hashchange. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash, () => '');
}

/** Goes to a hash path, as built by the route table's `href`. */
export function navigate(hash: string): void {
  const target = hash.startsWith('#') ? hash : `#${hash}`;
  if (window.location.hash === target) return;
  window.location.hash = target;
}
