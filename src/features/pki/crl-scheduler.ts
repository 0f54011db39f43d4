// Republishes the CRLs that are due while Clavis is open.
import { useEffect } from 'react';
import { useAppStore } from '../../state/engine-provider';
import { CRL_CHECK_INTERVAL_MS } from '../../state/slices/pki-slice';

/** Delay of the first check after the app opens (lets the first page render and settle). */
export const CRL_FIRST_CHECK_MS = 3_000;

/**
 * R6: while the app is open, rebuild every CRL that reaches its nextUpdate within the
 * grace period (the engine's due list, `pki.crlsDue`), shortly after start and then every
 * CRL_CHECK_INTERVAL_MS. Without a CA the CA module is never loaded. A check never
 * overlaps the previous one.
 */
export function useCrlScheduler(opts: { intervalMs?: number; firstMs?: number } = {}): void {
  const rebuild = useAppStore((s) => s.pki.rebuildDueCrls);
  const intervalMs = opts.intervalMs ?? CRL_CHECK_INTERVAL_MS;
  const firstMs = opts.firstMs ?? CRL_FIRST_CHECK_MS;
  useEffect(() => {
    let running = false;
    let stopped = false;
    const tick = () => {
      if (running || stopped) return;
      running = true;
      void rebuild().finally(() => {
        running = false;
      });
    };
    const first = setTimeout(tick, firstMs);
    const every = setInterval(tick, intervalMs);
    return () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
    };
  }, [rebuild, intervalMs, firstMs]);
}
