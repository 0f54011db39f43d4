/**
 * The vault lock in the app's header (issue 16): says whether the lock is Off, Locked or
 * Unlocked on every screen, locks at once or opens the unlock dialog, and links to the
 * lock settings (a screen of its own, loaded with its route). It also keeps the idle
 * timeout honest: the user's typing and clicking count as activity, and a timer asks the
 * engine again when the vault is due to lock, so the header changes without a click.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { ErrorAlert } from '../../components/ui/messages';
import { useAppStore, useAppStoreApi } from '../../state/engine-provider';
import { lockOps } from '../../state/slices/lock-slice';
import { keepTabInside } from '../../components/ui/focus-trap';
import { href } from '../../routes/routes';

const LABEL = { off: 'Off', locked: 'Locked', unlocked: 'Unlocked' } as const;
/** Activity is reported at most this often (ms): the idle timeout is minutes long. */
const ACTIVITY_EVERY = 5_000;

export function LockControl() {
  const store = useAppStoreApi();
  const status = useAppStore((s) => s.lock.status);
  const requested = useAppStore((s) => s.lock.unlockRequested);

  useEffect(() => {
    void store.getState().lock.refresh();
  }, [store]);

  // Look again when the vault is due to lock (the engine forgets the key then).
  const locksAt = status?.locksAt;
  useEffect(() => {
    if (locksAt === undefined) return;
    const t = setTimeout(() => void store.getState().lock.refresh(), Math.max(0, locksAt - Date.now()) + 50);
    return () => clearTimeout(t);
  }, [store, locksAt]);

  // The user's own input restarts the idle timeout.
  const unlocked = status?.state === 'unlocked';
  useEffect(() => {
    if (!unlocked) return;
    let last = 0;
    const onActivity = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_EVERY) return;
      last = now;
      store.getState().lock.noteActivity();
    };
    window.addEventListener('keydown', onActivity, true);
    window.addEventListener('pointerdown', onActivity, true);
    return () => {
      window.removeEventListener('keydown', onActivity, true);
      window.removeEventListener('pointerdown', onActivity, true);
    };
  }, [store, unlocked]);

  if (!status) return null;
  return (
    <div className="lock-control">
      <a href={href({ name: 'lock-settings' })} className="lock-state">
        Vault lock: <strong>{LABEL[status.state]}</strong>
      </a>
      {status.state === 'locked' ? (
        <button type="button" className="button" onClick={() => store.getState().lock.requestUnlock(true)}>
          Unlock
        </button>
      ) : null}
      {status.state === 'unlocked' ? (
        <button type="button" className="button" onClick={() => store.getState().lock.lockNow()}>
          Lock now
        </button>
      ) : null}
      {requested && status.state === 'locked' ? <UnlockDialog onClose={() => store.getState().lock.requestUnlock(false)} /> : null}
    </div>
  );
}

/**
 * The unlock dialog: the vault passphrase, once. Modal (everything behind it is inert),
 * Escape or Cancel closes it, focus returns to what opened it. The passphrase leaves the
 * field as soon as it is submitted and is never kept.
 */
export function UnlockDialog(props: { onClose: () => void }) {
  const store = useAppStoreApi();
  const op = useAppStore((s) => s.lock.ops[lockOps.unlock]);
  const [passphrase, setPassphrase] = useState('');
  const [empty, setEmpty] = useState(false);
  const ids = { title: useId(), body: useId(), pass: useId() };
  const backdropRef = useRef<HTMLDivElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const live = useRef(true);
  const busy = op?.status === 'busy';

  useEffect(() => {
    live.current = true;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const behind = [...document.body.children].filter((el): el is HTMLElement => el instanceof HTMLElement && el !== backdropRef.current && !el.inert);
    for (const el of behind) el.inert = true;
    inputRef.current?.focus();
    return () => {
      live.current = false;
      for (const el of behind) el.inert = false;
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const pass = passphrase;
    setPassphrase('');
    if (pass.length === 0) {
      setEmpty(true);
      return;
    }
    setEmpty(false);
    await store.getState().lock.unlock(pass);
    if (live.current) inputRef.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      if (!busy) props.onClose();
      return;
    }
    keepTabInside(e, dialogRef.current);
  }

  const error = empty ? { code: 'INVALID_ARGUMENT', message: 'Enter the vault passphrase.' } : op?.status === 'error' ? op.error : null;
  return createPortal(
    <div className="dialog-backdrop" ref={backdropRef}>
      <div ref={dialogRef} className="dialog" role="dialog" aria-modal="true" aria-labelledby={ids.title} aria-describedby={ids.body} aria-busy={busy || undefined} onKeyDown={onKeyDown}>
        <h2 id={ids.title} className="dialog-title">
          Unlock the vault
        </h2>
        <form className="form" onSubmit={(e) => void onSubmit(e)}>
          <p id={ids.body}>
            Exportable keys are kept under the vault passphrase. Unlocking opens them in this tab until it closes or the vault stays unused for the idle timeout. Non-extractable
            keys work without unlocking.
          </p>
          <div className="field">
            <label htmlFor={ids.pass}>Vault passphrase</label>
            <input ref={inputRef} id={ids.pass} type="password" autoComplete="current-password" value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} />
          </div>
          <ErrorAlert error={error} title="Not unlocked" />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={props.onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Unlocking…' : 'Unlock'}
            </button>
          </div>
        </form>
      </div>
    </div>,
    document.body,
  );
}
