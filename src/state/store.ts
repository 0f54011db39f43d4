/**
 * The app store: a zustand vanilla store built per engine (zustand's "initialise state
 * with props" pattern), so every test gets a fresh store over a fresh engine. Slices
 * hold plain serialisable data only (STYLE.md, "state").
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Engine } from '../engine';
import { createExchangeSlice, type ExchangeSlice } from './slices/exchange-slice';
import { createKdcSlice, type KdcSlice } from './slices/kdc-slice';
import { createKeysSlice, type KeysSlice } from './slices/keys-slice';
import { createLifecycleSlice, type LifecycleSlice } from './slices/lifecycle-slice';
import { createLockSlice, type LockSlice } from './slices/lock-slice';
import { createPkiSlice, type PkiSlice } from './slices/pki-slice';
import { createStorageSlice, type StorageManagerLike, type StorageSlice } from './slices/storage-slice';

/** Everything the UI reads from the store. */
export interface AppState {
  exchange: ExchangeSlice;
  kdc: KdcSlice;
  keys: KeysSlice;
  lifecycle: LifecycleSlice;
  lock: LockSlice;
  pki: PkiSlice;
  storage: StorageSlice;
}

/** The store type components get from the provider. */
export type AppStore = StoreApi<AppState>;

/** Optional dependencies of the store besides the engine. */
export interface AppStoreOptions {
  /** Defaults to `navigator.storage` where it exists. */
  storageManager?: StorageManagerLike;
}

/** Creates a store whose slices call the given engine. */
export function createAppStore(engine: Engine, options: AppStoreOptions = {}): AppStore {
  const manager =
    options.storageManager ?? (typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : undefined);
  return createStore<AppState>()((set, get) => ({
    exchange: createExchangeSlice(set, get, engine),
    kdc: createKdcSlice(set, get, engine),
    keys: createKeysSlice(set, get, engine),
    lifecycle: createLifecycleSlice(set, get, engine),
    lock: createLockSlice(set, get, engine),
    pki: createPkiSlice(set, get, engine),
    storage: createStorageSlice(set, get, manager),
  }));
}
