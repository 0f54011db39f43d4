/**
 * Start-up: open the vault's storage, build the engine (with bulk AES-GCM in a Web
 * Worker) and the store. Opening can fail (IndexedDB blocked or missing); the caller
 * shows the error screen then.
 */
import { createEngine, openStorage, toErrorInfo, type Engine } from '../engine';
import { createAppStore, type AppStore } from '../state/store';
import type { ErrorInfo } from '../state/types';
import { createWorkerBulkCipher } from '../engine/workers/bulk-client';

/** Dispatched on `window` when another tab upgraded the database and this tab's connection closed. */
export const VERSION_CHANGE_EVENT = 'clavis:versionchange';

/** A started app, or why it could not start. */
export type Bootstrapped = { ok: true; engine: Engine; store: AppStore } | { ok: false; error: ErrorInfo };

/** Opens storage and creates the engine and store. Never throws. */
export async function bootstrap(): Promise<Bootstrapped> {
  if (typeof indexedDB === 'undefined') {
    return { ok: false, error: { code: 'STORAGE', message: 'storage: this browser offers no IndexedDB, so keys cannot be kept' } };
  }
  if (!globalThis.crypto?.subtle) {
    return { ok: false, error: { code: 'UNSUPPORTED', message: 'clavis: WebCrypto is not available (it needs a secure context: https or localhost)' } };
  }
  try {
    // Another tab needs a newer schema: this tab's connection is closed, so ask to reload (issue 14 #10).
    const storage = await openStorage({ onVersionChange: () => window.dispatchEvent(new Event(VERSION_CHANGE_EVENT)) });
    const engine = createEngine({ storage, bulk: createWorkerBulkCipher() });
    return { ok: true, engine, store: createAppStore(engine) };
  } catch (e) {
    return { ok: false, error: toErrorInfo(e) };
  }
}
