/**
 * Browser storage status (SECURITY.md W5, PRODUCT.md G4): whether the origin's storage
 * is persistent, and how much of the quota is in use. Talks to `navigator.storage`
 * (injected, so tests pass their own), never to the engine.
 */
import type { StoreApi } from 'zustand/vanilla';

/** The part of `StorageManager` the slice uses; every method may be missing. */
export interface StorageManagerLike {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
}

/** Storage status as shown in the shell. `null` means unknown (API missing or not asked yet). */
export interface StorageSlice {
  persisted: boolean | null;
  /** True once persistence has been requested in this session. */
  persistRequested: boolean;
  usage: number | null;
  quota: number | null;
  /** Re-reads persistence and usage. Never throws. */
  refresh(): Promise<void>;
  /**
   * Asks the browser to make storage persistent, once per session. Call it from a user
   * gesture (the first key generation): browsers weigh engagement when deciding.
   */
  requestPersistence(): Promise<void>;
}

/** Builds the storage slice over a StorageManager (or none, where the API is absent). */
export function createStorageSlice<S extends { storage: StorageSlice }>(
  set: StoreApi<S>['setState'],
  get: StoreApi<S>['getState'],
  manager: StorageManagerLike | undefined,
): StorageSlice {
  const patch = (p: Partial<StorageSlice>) => set((s) => ({ ...s, storage: { ...s.storage, ...p } }));
  return {
    persisted: null,
    persistRequested: false,
    usage: null,
    quota: null,
    async refresh() {
      const next: Partial<StorageSlice> = {};
      try {
        if (manager?.persisted) next.persisted = await manager.persisted();
      } catch {
        // Leave unknown: some browsers refuse the query in private modes.
      }
      try {
        if (manager?.estimate) {
          const e = await manager.estimate();
          next.usage = typeof e.usage === 'number' ? e.usage : null;
          next.quota = typeof e.quota === 'number' ? e.quota : null;
        }
      } catch {
        // Same: an estimate is informative only.
      }
      patch(next);
    },
    async requestPersistence() {
      if (get().storage.persistRequested) return;
      patch({ persistRequested: true });
      if (!manager?.persist) return;
      try {
        patch({ persisted: await manager.persist() });
      } catch {
        patch({ persisted: false });
      }
    },
  };
}
