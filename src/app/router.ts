/**
 * A tiny hash router: the whole app lives at one URL, and `#/keys/<id>` deep links
 * survive reloads because the hash never reaches a server. No history API, no library.
 */
import { useSyncExternalStore } from 'react';

/** Every screen the app can show. */
export type Route =
  | { name: 'home' }
  | { name: 'keys' }
  | { name: 'key-new' }
  | { name: 'key-import' }
  | { name: 'key'; id: string }
  | { name: 'cas' }
  | { name: 'ca-new' }
  | { name: 'ca-bulk' }
  | { name: 'crl'; caId: string }
  | { name: 'certs' }
  | { name: 'cert-issue' }
  | { name: 'cert-csr'; keyId?: string }
  | { name: 'cert'; id: string }
  | { name: 'lifecycle' }
  | { name: 'audit' }
  // Backup and restore (A7)
  | { name: 'backup' }
  // Verifier (E8)
  | { name: 'verify' }
  // KDC
  | { name: 'kdc' }
  | { name: 'kdc-principals' }
  | { name: 'kdc-attacks' }
  | { name: 'kdc-keys' }
  // Key exchange
  | { name: 'exchange' }
  // Walkthroughs
  | { name: 'walkthroughs' }
  | { name: 'walkthrough-step'; id: string; step: number }
  | { name: 'walkthrough-object'; id: string; step: number; kind: 'key' | 'cert' | 'crl'; objectId: string }
  // Vault lock settings (issue 16)
  | { name: 'lock-settings' }
  | { name: 'not-found'; path: string };

/** Parses a location hash ("#/keys/abc") into a route. */
export function parseHash(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  // Only "#/..." is a route; other fragments (the skip link's "#main") mean home.
  if (!raw.startsWith('/')) return { name: 'home' };
  const path = raw.split('?')[0]!;
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { name: 'not-found', path };
  }
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'keys') {
    if (parts.length === 1) return { name: 'keys' };
    if (parts.length === 2) {
      if (parts[1] === 'new') return { name: 'key-new' };
      if (parts[1] === 'import') return { name: 'key-import' };
      return { name: 'key', id: parts[1]! };
    }
  }
  if (parts[0] === 'ca') {
    if (parts.length === 1) return { name: 'cas' };
    if (parts.length === 2 && parts[1] === 'new') return { name: 'ca-new' };
    if (parts.length === 2 && parts[1] === 'bulk') return { name: 'ca-bulk' };
    if (parts.length === 3 && parts[2] === 'crl') return { name: 'crl', caId: parts[1]! };
  }
  if (parts[0] === 'certs') {
    if (parts.length === 1) return { name: 'certs' };
    if (parts[1] === 'csr' && parts.length <= 3) return parts.length === 3 ? { name: 'cert-csr', keyId: parts[2]! } : { name: 'cert-csr' };
    if (parts.length === 2) return parts[1] === 'issue' ? { name: 'cert-issue' } : { name: 'cert', id: parts[1]! };
  }
  if (parts.length === 1 && parts[0] === 'lifecycle') return { name: 'lifecycle' };
  if (parts.length === 1 && parts[0] === 'audit') return { name: 'audit' };
  if (parts.length === 1 && parts[0] === 'backup') return { name: 'backup' };
  if (parts.length === 1 && parts[0] === 'verify') return { name: 'verify' };
  // KDC
  if (parts[0] === 'kdc') {
    if (parts.length === 1) return { name: 'kdc' };
    if (parts.length === 2 && parts[1] === 'principals') return { name: 'kdc-principals' };
    if (parts.length === 2 && parts[1] === 'attacks') return { name: 'kdc-attacks' };
    if (parts.length === 2 && parts[1] === 'keys') return { name: 'kdc-keys' };
  }
  // Key exchange
  if (parts.length === 1 && parts[0] === 'exchange') return { name: 'exchange' };
  // Walkthroughs: #/walkthroughs and #/walkthroughs/<id>/<stepIndex> (0-based)
  if (parts[0] === 'walkthroughs') {
    if (parts.length === 1) return { name: 'walkthroughs' };
    if (parts.length === 2) return { name: 'walkthrough-step', id: parts[1]!, step: 0 };
    if (parts.length === 3 && /^\d{1,3}$/.test(parts[2]!)) return { name: 'walkthrough-step', id: parts[1]!, step: Number(parts[2]) };
    if (parts.length === 5 && /^\d{1,3}$/.test(parts[2]!) && (parts[3] === 'key' || parts[3] === 'cert' || parts[3] === 'crl')) {
      return { name: 'walkthrough-object', id: parts[1]!, step: Number(parts[2]), kind: parts[3], objectId: parts[4]! };
    }
  }
  // Vault lock settings
  if (parts.length === 2 && parts[0] === 'settings' && parts[1] === 'lock') return { name: 'lock-settings' };
  return { name: 'not-found', path };
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current hash, re-rendering on every hashchange. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash, () => '');
}

/** Goes to a hash path such as "#/keys/abc". */
export function navigate(hash: string): void {
  const target = hash.startsWith('#') ? hash : `#${hash}`;
  if (window.location.hash === target) return;
  window.location.hash = target;
}

/** The path part of a hash ("#/audit?action=x" → "#/audit"): what names a screen. */
export function hashPath(hash: string): string {
  return hash.split('?')[0]!;
}

