/**
 * The vault lock as the engine holds it (issue 16): a stand-in that loads the lock
 * (`vault-lock.ts`) on first real use, so a vault that never turns the lock on does not
 * pay for it on its first page. Until the lock is loaded no passphrase was entered in
 * this tab, so nothing is unlocked: locking is a no-op, plain material opens as it is,
 * and a write with no extractable material goes straight through. Everything else (a
 * sealed record, a write of exportable material, any lock verb) loads the lock first and
 * hands over to it, so its rules (sealing, the stamp check) apply unchanged.
 */
import type { ClavisStorage } from '../storage/db';
import type { KeyMaterialRecord } from '../storage/schema';
import { hasExtractablePiece, type LockStatus } from './basics';
import type { LockContext, VaultLock } from './vault-lock';

export function createLazyVaultLock(ctx: LockContext): VaultLock {
  let loaded: VaultLock | undefined;
  let loading: Promise<VaultLock> | undefined;
  const listeners = new Set<(s: LockStatus) => void>();
  const load = (): Promise<VaultLock> =>
    (loading ??= import('./vault-lock').then((m) => {
      const lock = m.createVaultLock(ctx);
      lock.onChange((s) => listeners.forEach((l) => l(s)));
      loaded = lock;
      return lock;
    }));
  const guards = new WeakMap<ClavisStorage, Promise<ClavisStorage>>();

  return {
    status: async () => (await load()).status(),
    enable: async (p, o) => (await load()).enable(p, o),
    unlock: async (p) => (await load()).unlock(p),
    lock: () => loaded?.lock(),
    disable: async (p) => (await load()).disable(p),
    changePassphrase: async (o, n) => (await load()).changePassphrase(o, n),
    setIdleTimeout: async (ms) => (await load()).setIdleTimeout(ms),
    noteActivity: () => loaded?.noteActivity(),
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    open: async (m: KeyMaterialRecord) => (m.sealed ? (await load()).open(m) : m),
    guard: (inner) => {
      const real = (): Promise<ClavisStorage> => {
        let g = guards.get(inner);
        if (!g) {
          g = load().then((lock) => lock.guard(inner));
          guards.set(inner, g);
        }
        return g;
      };
      const extractable = (adds: ReadonlyArray<{ material?: KeyMaterialRecord }> | undefined) => (adds ?? []).some(({ material }) => material !== undefined && hasExtractablePiece(material));
      return {
        ...inner,
        commitAudited: async (c) => (extractable(c.addKeys) ? (await real()).commitAudited(c) : inner.commitAudited(c)),
        addKey: async (info, material) => (hasExtractablePiece(material) ? (await real()).addKey(info, material) : inner.addKey(info, material)),
        commitRestore: async (c) => (extractable(c.addKeys) ? (await real()).commitRestore(c) : inner.commitRestore(c)),
      };
    },
  };
}
