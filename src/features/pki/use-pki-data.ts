// Loads the CAs and, when asked, the certificate inventory for the PKI screens.
import { useEffect, useState } from 'react';
import { useAppStoreApi } from '../../state/engine-provider';

/** Loads the CAs (and, when asked, the certificate inventory) when a CA screen opens. */
export function usePkiData(opts: { certs?: boolean } = {}): void {
  const store = useAppStoreApi();
  const certs = opts.certs === true;
  useEffect(() => {
    const s = store.getState().pki;
    void s.refreshCas();
    if (certs) void s.refreshCerts();
  }, [store, certs]);
}

/**
 * The time the screen opened, for coarse date checks (expiry warnings, "is this CA still
 * valid"). Read once so renders stay pure; a screen is reopened long before days pass.
 */
export function useNow(): number {
  const [now] = useState(() => Date.now());
  return now;
}
