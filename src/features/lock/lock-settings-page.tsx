/**
 * The vault lock's settings (issue 16; `#/settings/lock`, loaded with its route): turn the
 * lock on with a passphrase typed twice, change the passphrase, set the idle timeout,
 * turn it off. Passphrases leave their fields as soon as a form is submitted and go
 * straight to the engine; nothing here keeps them.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { DEFAULT_IDLE_TIMEOUT_MS, LOCK_ITERATIONS } from '../../engine';
import { useAppStore, useAppStoreApi } from '../../state/engine-provider';
import { lockOps } from '../../state/slices/lock-slice';
import type { ErrorInfo } from '../../state/types';

const TIMEOUTS = [5, 15, 30, 60, 240].map((m) => ({ ms: m * 60_000, label: m < 60 ? `${m} minutes` : `${m / 60} hour${m === 60 ? '' : 's'}` }));

function minutes(ms: number): string {
  const found = TIMEOUTS.find((t) => t.ms === ms);
  return found ? found.label : `${Math.round(ms / 60_000)} minutes`;
}

function PassField(props: { label: string; value: string; onChange: (v: string) => void; autoComplete: string; describedBy?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input id={id} type="password" autoComplete={props.autoComplete} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)} aria-describedby={props.describedBy} />
    </div>
  );
}

function TimeoutSelect(props: { value: number; onChange: (ms: number) => void }) {
  const id = useId();
  const options = TIMEOUTS.some((t) => t.ms === props.value) ? TIMEOUTS : [...TIMEOUTS, { ms: props.value, label: minutes(props.value) }];
  return (
    <div className="field">
      <label htmlFor={id}>Lock after this long unused</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
        {options.map((t) => (
          <option key={t.ms} value={t.ms}>
            {t.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** One form of the page: its heading, its fields, its error and its outcome. */
function Panel(props: { title: string; children: ReactNode; onSubmit: () => Promise<void>; error: ErrorInfo | null; done: string; submit: string; busy: boolean; danger?: boolean }) {
  const titleId = useId();
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>{props.title}</h2>
      <form
        className="form"
        onSubmit={(e: FormEvent<HTMLFormElement>) => {
          e.preventDefault();
          void props.onSubmit();
        }}
      >
        {props.children}
        <ErrorAlert error={props.error} title={`${props.title}: not done`} />
        <p className="actions">
          <button type="submit" className={`button ${props.danger ? 'button-danger' : 'button-primary'}`} disabled={props.busy}>
            {props.busy ? 'Working…' : props.submit}
          </button>
        </p>
        <StatusMessage>{props.done}</StatusMessage>
      </form>
    </section>
  );
}

const mismatch: ErrorInfo = { code: 'INVALID_ARGUMENT', message: 'The two passphrases do not match. Type them again.' };
const missing: ErrorInfo = { code: 'INVALID_ARGUMENT', message: 'Enter the passphrase.' };

/** Local form state: an error of the form's own checks, or the engine's, and a done line. */
function useFormState(opName: string) {
  const op = useAppStore((s) => s.lock.ops[opName]);
  const [own, setOwn] = useState<ErrorInfo | null>(null);
  const [done, setDone] = useState('');
  const [attempted, setAttempted] = useState(false);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const error: ErrorInfo | null = own ?? (attempted && op?.status === 'error' ? (op.error ?? null) : null);
  const start = () => {
    setOwn(null);
    setDone('');
    setAttempted(true);
  };
  return { op, error, done, busy: op?.status === 'busy', live, start, fail: setOwn, setDone };
}

function EnableForm() {
  const store = useAppStoreApi();
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [timeout, setTimeoutMs] = useState(DEFAULT_IDLE_TIMEOUT_MS);
  const f = useFormState(lockOps.enable);
  const helpId = useId();
  async function submit() {
    f.start();
    const [p, a] = [pass, again];
    setPass('');
    setAgain('');
    if (p.length === 0) return f.fail(missing);
    if (p !== a) return f.fail(mismatch);
    const r = await store.getState().lock.enable(p, timeout);
    if (r.ok && f.live.current) f.setDone('The vault lock is on. Exportable keys are now kept under the passphrase; this tab stays unlocked.');
  }
  return (
    <Panel title="Turn on the vault lock" onSubmit={submit} error={f.error} done={f.done} submit="Turn on the vault lock" busy={f.busy}>
      <p id={helpId} className="hint">
        At least 8 characters. Clavis cannot recover a forgotten passphrase: the exportable keys would stay locked until you turn the lock off with it, which also needs it.
      </p>
      <PassField label="Vault passphrase" value={pass} onChange={setPass} autoComplete="new-password" describedBy={helpId} />
      <PassField label="Confirm vault passphrase" value={again} onChange={setAgain} autoComplete="new-password" />
      <TimeoutSelect value={timeout} onChange={setTimeoutMs} />
    </Panel>
  );
}

function ChangeForm() {
  const store = useAppStoreApi();
  const [old, setOld] = useState('');
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const f = useFormState(lockOps.change);
  async function submit() {
    f.start();
    const [o, p, a] = [old, pass, again];
    setOld('');
    setPass('');
    setAgain('');
    if (o.length === 0 || p.length === 0) return f.fail(missing);
    if (p !== a) return f.fail(mismatch);
    const r = await store.getState().lock.changePassphrase(o, p);
    if (r.ok && f.live.current) f.setDone('The passphrase was changed; every exportable key was sealed again under it.');
  }
  return (
    <Panel title="Change the passphrase" onSubmit={submit} error={f.error} done={f.done} submit="Change the passphrase" busy={f.busy}>
      <PassField label="Current vault passphrase" value={old} onChange={setOld} autoComplete="current-password" />
      <PassField label="New vault passphrase" value={pass} onChange={setPass} autoComplete="new-password" />
      <PassField label="Confirm new vault passphrase" value={again} onChange={setAgain} autoComplete="new-password" />
    </Panel>
  );
}

function TimeoutForm(props: { current: number; unlocked: boolean }) {
  const store = useAppStoreApi();
  const [timeout, setTimeoutMs] = useState(props.current);
  const f = useFormState(lockOps.timeout);
  async function submit() {
    f.start();
    const r = await store.getState().lock.setIdleTimeout(timeout);
    if (r.ok && f.live.current) f.setDone(`The vault now locks after ${minutes(timeout)} unused.`);
  }
  return (
    <Panel title="Idle timeout" onSubmit={submit} error={f.error} done={f.done} submit="Save the timeout" busy={f.busy}>
      <p className="hint">Currently {minutes(props.current)}. {props.unlocked ? '' : 'Unlock the vault to change it.'}</p>
      <TimeoutSelect value={timeout} onChange={setTimeoutMs} />
    </Panel>
  );
}

function DisableForm() {
  const store = useAppStoreApi();
  const [pass, setPass] = useState('');
  const f = useFormState(lockOps.disable);
  async function submit() {
    f.start();
    const p = pass;
    setPass('');
    if (p.length === 0) return f.fail(missing);
    const r = await store.getState().lock.disable(p);
    if (r.ok && f.live.current) f.setDone('The vault lock is off. Exportable keys are stored as before, protected by this browser profile only.');
  }
  return (
    <Panel title="Turn off the vault lock" onSubmit={submit} error={f.error} done={f.done} submit="Turn off the vault lock" busy={f.busy} danger>
      <p className="hint">Exportable keys are stored unsealed again, in one step. Anyone using this browser profile could then export them.</p>
      <PassField label="Vault passphrase to turn the lock off" value={pass} onChange={setPass} autoComplete="current-password" />
    </Panel>
  );
}

export function LockSettingsPage() {
  const store = useAppStoreApi();
  const status = useAppStore((s) => s.lock.status);
  useEffect(() => {
    void store.getState().lock.refresh();
  }, [store]);
  return (
    <>
      <PageTitle documentTitle="Vault lock">Vault lock</PageTitle>
      <section className="panel" aria-labelledby="lock-what">
        <h2 id="lock-what">What the lock protects</h2>
        <p>
          The vault lock keeps every <strong>exportable</strong> key (and every Fernet key) sealed under a passphrase: its material is stored encrypted with a key derived from the
          passphrase (PBKDF2-SHA-256, {LOCK_ITERATIONS.toLocaleString('en-US')} iterations, AES-256-GCM), so it can be exported or used only after you unlock the vault.
          Unlocking lasts until this tab closes, you lock it, or the vault stays unused for the idle timeout.
        </p>
        <p>
          <strong>Non-extractable keys are unaffected:</strong> the browser never lets their bytes out, and they keep working while the vault is locked.
        </p>
        <p role="status">
          {status === null ? 'Reading the lock…' : status.state === 'off' ? 'The vault lock is off.' : status.state === 'locked' ? 'The vault lock is on, and the vault is locked.' : 'The vault lock is on, and the vault is unlocked in this tab.'}
        </p>
        {status?.state === 'locked' ? (
          <p className="actions">
            <button type="button" className="button button-primary" onClick={() => store.getState().lock.requestUnlock(true)}>
              Unlock the vault
            </button>
          </p>
        ) : null}
      </section>
      {status?.state === 'off' ? <EnableForm /> : null}
      {status && status.state !== 'off' ? (
        <>
          <TimeoutForm key={status.idleTimeoutMs} current={status.idleTimeoutMs} unlocked={status.state === 'unlocked'} />
          <ChangeForm />
          <DisableForm />
        </>
      ) : null}
    </>
  );
}
