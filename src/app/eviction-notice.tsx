/**
 * Eviction noticed (issue 14 #11): the browser may clear this site's IndexedDB (storage
 * pressure, "clear site data", a private window ending) and the app would then show an
 * empty vault as if nothing had been there. A small marker in localStorage remembers that
 * a vault existed and how many audit entries it had: a number and a version, never a key,
 * a name or anything else from the vault. When the vault has fewer entries than the marker
 * remembers, the app says plainly that data was lost.
 */
import { useEffect, useState } from 'react';
import type { Engine } from '../engine';
import { useEngine } from '../state/engine-provider';

/** localStorage key of the marker. */
export const VAULT_MARKER_KEY = 'clavis.vault-marker';

interface VaultMarker {
  v: 1;
  /** Audit entries the vault had when last seen (the audit log only grows). */
  auditCount: number;
}

function readMarker(): VaultMarker | undefined {
  try {
    const raw = globalThis.localStorage?.getItem(VAULT_MARKER_KEY);
    if (!raw) return undefined;
    const m = JSON.parse(raw) as Partial<VaultMarker>;
    return m && m.v === 1 && Number.isSafeInteger(m.auditCount) && m.auditCount! >= 0 ? { v: 1, auditCount: m.auditCount! } : undefined;
  } catch {
    return undefined;
  }
}

function writeMarker(auditCount: number): void {
  try {
    globalThis.localStorage?.setItem(VAULT_MARKER_KEY, JSON.stringify({ v: 1, auditCount } satisfies VaultMarker));
  } catch {
    // localStorage refused (private mode, quota): the notice is best effort.
  }
}

function auditCount(engine: Engine): Promise<number> {
  return engine.auditCount();
}

/** Shows "data was lost" when the vault has fewer audit entries than it had before; keeps the marker current otherwise. */
export function EvictionNotice() {
  const engine = useEngine();
  const [lost, setLost] = useState<{ before: number; now: number } | null>(null);
  useEffect(() => {
    let stopped = false;
    let noticed = false;
    const check = async () => {
      const now = await auditCount(engine).catch(() => undefined);
      if (now === undefined || stopped) return;
      const marker = readMarker();
      if (noticed) return;
      if (marker && now < marker.auditCount) {
        // Keep the marker until the user has read the notice.
        noticed = true;
        setLost({ before: marker.auditCount, now });
        return;
      }
      // Nothing to remember for a vault that never held anything.
      if (now > 0) writeMarker(now);
    };
    void check();
    const off = engine.onChange(() => void check());
    return () => {
      stopped = true;
      off();
    };
  }, [engine]);

  if (!lost) return null;
  async function acknowledge() {
    writeMarker(await auditCount(engine).catch(() => 0));
    setLost(null);
  }
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">Data was lost: this browser’s vault was cleared</p>
      <p className="alert-message">
        This vault had {lost.before} audit {lost.before === 1 ? 'entry' : 'entries'}; it now has {lost.now}. The browser (or someone using it) deleted this site’s
        stored data, so the keys, certificates and records that were here are gone from this browser and cannot be recovered here. Restore them from an encrypted backup
        if you have one; keys that were non-extractable cannot be restored at all.
      </p>
      <button type="button" className="button" onClick={() => void acknowledge()}>
        I understand
      </button>
    </div>
  );
}
