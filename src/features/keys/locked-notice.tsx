/**
 * Said on a key's page while the vault lock keeps the key sealed (issue 16): an exportable
 * key cannot be exported or used until the vault is unlocked. The button asks the
 * header's lock control to open the unlock dialog.
 */
import { useEffect } from 'react';
import type { KeyInfo } from '../../engine';
import { useAppStore, useAppStoreApi } from '../../state/engine-provider';

export function VaultLockedNotice(props: { info: KeyInfo }) {
  const store = useAppStoreApi();
  const state = useAppStore((s) => s.lock.status?.state);
  useEffect(() => {
    if (store.getState().lock.status === null) void store.getState().lock.refresh();
  }, [store]);
  if (!props.info.extractable || props.info.kind === 'public' || state !== 'locked') return null;
  return (
    <div className="warning">
      <p>
        <strong>Unlock the vault to use this key.</strong> It is exportable, so the vault lock keeps it sealed under the vault passphrase until you unlock.
        {props.info.kind === 'key-pair' ? ' Its public half works without unlocking.' : ''}
      </p>
      <p className="actions">
        <button type="button" className="button" onClick={() => store.getState().lock.requestUnlock(true)}>
          Unlock the vault
        </button>
      </p>
    </div>
  );
}
