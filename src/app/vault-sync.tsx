/**
 * Tabs agree (issue 14 #10): every committed change to the vault, in this tab or another,
 * reloads the lists this tab shows (keys, CAs, certificates, KDC), and a schema upgrade in
 * another tab, which closes this tab's connection, asks the user to reload instead of
 * letting every action fail with "InvalidStateError".
 */
import { useEffect, useState } from 'react';
import { useAppStoreApi, useEngine } from '../state/engine-provider';
import { VERSION_CHANGE_EVENT } from './bootstrap';

/** Subscribes to the engine's change feed and reloads what this tab has loaded; one reload at a time, coalescing bursts. */
export function useVaultSync(): void {
  const engine = useEngine();
  const store = useAppStoreApi();
  useEffect(() => {
    let running = false;
    let again = false;
    let stopped = false;
    const reload = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const s = store.getState();
          const work: Array<Promise<unknown>> = [s.keys.refresh()];
          // Only what this tab has already loaded: a tab never loads the CA module just because another tab used it.
          if (s.pki.casStatus !== 'idle') work.push(s.pki.refreshCas());
          if (s.pki.certsStatus !== 'idle') work.push(s.pki.refreshCerts());
          if (s.kdc.status !== 'idle') work.push(s.kdc.refresh());
          await Promise.all(work);
        } while (again && !stopped);
      } finally {
        running = false;
      }
    };
    const unsubscribe = engine.onChange(() => void reload());
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [engine, store]);
}

/** A banner asking to reload after another tab upgraded the database. */
export function VersionChangePrompt() {
  const [changed, setChanged] = useState(false);
  useEffect(() => {
    const on = () => setChanged(true);
    window.addEventListener(VERSION_CHANGE_EVENT, on);
    return () => window.removeEventListener(VERSION_CHANGE_EVENT, on);
  }, []);
  if (!changed) return null;
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">Clavis was updated in another tab</p>
      <p className="alert-message">This tab can no longer read or write the vault until it is reloaded. Nothing was lost.</p>
      <button type="button" className="button" onClick={() => window.location.reload()}>
        Reload this tab
      </button>
    </div>
  );
}
