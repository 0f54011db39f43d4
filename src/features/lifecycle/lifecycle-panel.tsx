/**
 * The lifecycle of one key, on its page (B1–B6, B8): the state diagram, the transitions
 * allowed from here (destructive ones behind a confirmation), the ones that are not and
 * why, what the key may do right now, its timeline and dates, and its keyring versions.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { KeyId, KeyInfo, KeyRevocationReason, KeyState, ScheduledDates } from '../../engine';
import { timeline } from '../../engine/lifecycle/dates';
import { checkOperation, type GateDecision } from '../../engine/lifecycle/gates';
import { REVOCATION_REASONS } from '../../engine/lifecycle/revocation';
import { allowedTransitions, forbiddenTransitions, isDestroyedState, type TransitionRule } from '../../engine/lifecycle/states';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { DataTable, type Column } from '../../components/ui/data-table';
import { formatUtc } from '../../components/ui/format';
import { Badge, ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { readableMessage } from '../../components/ui/readable';
import { useAppStore } from '../../state/engine-provider';
import { lifecycleOpNames, type LifecycleVerb } from '../../state/slices/lifecycle-slice';
import { certificateOutcome, certificatePreviewText, reasonsFor, revocationOutcome, STATE_LABELS, STATE_SUMMARY } from './labels';
import { StateDiagram } from './state-diagram';
import { fromUtcInput, toUtcInput, useLifecycleOp } from './use-lifecycle';
import { href } from '../../routes/routes';

/** The tone of a state's badge (the text says the state; the tone only decorates). */
export function stateTone(state: KeyState): 'safe' | 'warn' | 'info' | 'neutral' {
  if (state === 'active') return 'safe';
  if (state === 'suspended' || state === 'compromised' || state === 'destroyed-compromised') return 'warn';
  if (state === 'pre-activation') return 'info';
  return 'neutral';
}

/** A key's state as a badge. */
export function StateBadge(props: { state: KeyState }) {
  return <Badge tone={stateTone(props.state)}>{STATE_LABELS[props.state]}</Badge>;
}

/** The engine verb behind a table edge. */
export function verbOf(t: Pick<TransitionRule, 'from' | 'to'>): LifecycleVerb {
  switch (t.to) {
    case 'active':
      return t.from === 'pre-activation' ? 'activate' : 'resume';
    case 'suspended':
      return 'suspend';
    case 'deactivated':
      return 'deactivate';
    case 'compromised':
      return 'compromise';
    case 'destroyed':
      return 'destroy';
    default:
      return t.from === 'destroyed' ? 'compromise' : 'destroy';
  }
}

const DONE: Record<LifecycleVerb, string> = {
  activate: 'activated',
  suspend: 'suspended',
  resume: 'resumed',
  deactivate: 'deactivated',
  compromise: 'marked compromised',
  destroy: 'destroyed: its material was deleted',
};

/** How often the key page re-reads the engine's clock (gates and timeline follow it). */
const CLOCK_REFRESH_MS = 30_000;

/** Everything lifecycle on a key's page. */
export function LifecyclePanel(props: { info: KeyInfo }) {
  const readClock = useAppStore((s) => s.lifecycle.readClock);
  const k = props.info;
  const stamp = `${k.id}:${k.state}:${k.history.length}:${k.createdAt}`;
  // Judge the key at the engine's current time: on arrival, after each change, and as time runs on.
  useEffect(() => {
    readClock();
    const t = setInterval(readClock, CLOCK_REFRESH_MS);
    return () => clearInterval(t);
  }, [stamp, readClock]);
  return (
    <>
      <StateSection info={props.info} />
      <TimelineSection info={props.info} />
      <VersionsSection info={props.info} />
    </>
  );
}

/**
 * Says, inside a revoke or compromise dialog and before the operator confirms, what the
 * revocation will do to the key's certificates (issue 14): which are revoked, with which
 * CRL reason, and which stay valid and why. Re-asked whenever the reason changes.
 */
function CertificatePreviewNote(props: { keyId: KeyId; reason: KeyRevocationReason }) {
  const preview = useAppStore((s) => s.lifecycle.previewRevocation);
  const asked = `${props.keyId}\n${props.reason}`;
  const [answer, setAnswer] = useState<{ asked: string; text: string } | null>(null);
  useEffect(() => {
    let live = true;
    void preview(props.keyId, props.reason).then((r) => {
      if (live) setAnswer({ asked, text: r.ok ? certificatePreviewText(r.value) : `Its certificates could not be checked: ${readableMessage(r.error.message)}` });
    });
    return () => {
      live = false;
    };
  }, [preview, asked, props.keyId, props.reason]);
  // An answer for another reason is not shown while the new one is asked.
  const text = answer?.asked === asked ? answer.text : null;
  if (text === '') return null;
  return (
    <p role="status" aria-live="polite">
      {text ?? 'Checking the certificates of this key…'}
    </p>
  );
}

type Pending = { kind: 'compromise' | 'destroy'; rule: TransitionRule } | { kind: 'revoke' } | null;

const OPERATION_COLUMNS: Column<GateDecision>[] = [
  {
    header: 'Operation',
    rowHeader: true,
    cell: (d) => (
      <>
        {d.op} <span className="muted">({d.kind})</span>
      </>
    ),
  },
  { header: 'Now', cell: (d) => (d.allowed ? 'Allowed' : d.needsAcknowledgement ? 'Only with acknowledged risk' : 'Refused') },
  { header: 'Rule', cell: (d) => d.message.replace(/^lifecycle: /, '') },
];

function StateSection(props: { info: KeyInfo }) {
  const k = props.info;
  const now = useAppStore((s) => s.lifecycle.clock.now);
  const transition = useAppStore((s) => s.lifecycle.transition);
  const revoke = useAppStore((s) => s.lifecycle.revoke);
  const op = useLifecycleOp(lifecycleOpNames.transition(k.id));
  const [pending, setPending] = useState<Pending>(null);
  const [done, setDone] = useState('');
  const reasons = reasonsFor(k.state);
  const [reason, setReason] = useState<KeyRevocationReason>(reasons[0] ?? 'keyCompromise');
  const reasonId = useId();
  const busy = op?.status === 'busy';
  const allowed = allowedTransitions(k.state, 'operator');
  const forbidden = forbiddenTransitions(k.state);
  const clockOnly = allowedTransitions(k.state).filter((t) => !t.causes.includes('operator'));

  async function run(verb: LifecycleVerb) {
    setDone('');
    const r = await transition(k.id, verb);
    if (r.ok) {
      setPending(null);
      setDone(`The key was ${DONE[verb]}. It is now ${STATE_LABELS[r.value.state].toLowerCase()}.${certificateOutcome(r.value.certificates)}`);
    }
  }

  async function onRevoke() {
    setDone('');
    const r = await revoke(k.id, reason);
    if (r.ok) {
      setPending(null);
      setDone(`The key was revoked (${REVOCATION_REASONS[reason].label}). It is now ${STATE_LABELS[r.value.state].toLowerCase()}.${certificateOutcome(r.value.certificates)}`);
    }
  }

  function onClick(t: TransitionRule) {
    const verb = verbOf(t);
    if (verb === 'compromise' || verb === 'destroy') setPending({ kind: verb, rule: t });
    else void run(verb);
  }

  const error = op?.status === 'error' ? op.error : null;
  const operations = k.operations.map((o) => checkOperation(k, o, now));

  return (
    <section aria-labelledby="key-lifecycle" className="panel">
      <h2 id="key-lifecycle">Lifecycle</h2>
      <p>
        State: <StateBadge state={k.state} /> — {STATE_SUMMARY[k.state]}.
      </p>
      <StateDiagram state={k.state} />

      <h3>Change state</h3>
      {allowed.length === 0 && reasons.length === 0 ? <p>No operator transition leaves this state.</p> : null}
      <div className="lc-transitions" role="group" aria-label="Allowed transitions">
        {allowed.map((t) => {
          const verb = verbOf(t);
          const confirm = verb === 'compromise' || verb === 'destroy';
          return (
            <button
              key={`${t.from}>${t.to}`}
              type="button"
              className={confirm ? 'button button-danger' : 'button'}
              disabled={busy}
              onClick={() => onClick(t)}
              title={`${STATE_LABELS[t.to]}: ${t.explanation}`}
            >
              {t.action}
              {confirm ? '…' : ''}
            </button>
          );
        })}
        {reasons.length > 0 ? (
          <button type="button" className="button button-danger" disabled={busy} onClick={() => setPending({ kind: 'revoke' })}>
            Revoke…
          </button>
        ) : null}
      </div>
      <ul className="plain-list">
        {allowed.map((t) => (
          <li key={`${t.from}>${t.to}`}>
            <strong>{t.action}</strong> → {STATE_LABELS[t.to]}: {t.explanation} <span className="muted">({t.source})</span>
          </li>
        ))}
      </ul>
      <ErrorAlert error={pending ? null : error} title="The state did not change" />
      <StatusMessage>{done}</StatusMessage>

      <h3>Not possible from {STATE_LABELS[k.state].toLowerCase()}</h3>
      <ul className="lc-forbidden">
        {forbidden.map((f) => (
          <li key={f.to}>
            <strong>{STATE_LABELS[f.to]}</strong>: {f.explanation}
          </li>
        ))}
        {clockOnly.map((t) => (
          <li key={`clock-${t.to}`}>
            <strong>{STATE_LABELS[t.to]}</strong>: only the clock makes this move, when the key’s date is reached ({t.source}).
          </li>
        ))}
      </ul>

      {operations.length > 0 ? (
        <>
          <h3>What it may do now</h3>
          <DataTable caption="Operations of this key at the current time" className="lc-ops" columns={OPERATION_COLUMNS} rows={operations} rowKey={(d) => d.op} />
        </>
      ) : null}

      <ConfirmDialog
        open={pending?.kind === 'compromise'}
        title={`Mark “${k.name}” compromised?`}
        confirmLabel="Mark compromised"
        busy={busy}
        busyLabel="Marking…"
        onConfirm={() => void run('compromise')}
        onCancel={() => setPending(null)}
      >
        <p>
          Compromise is permanent: the key never protects anything again, and processing with it needs an explicit acknowledgement of
          the risk. {k.state === 'destroyed' ? 'The tombstone will say the key was compromised.' : ''}
        </p>
        {pending?.kind === 'compromise' ? <CertificatePreviewNote keyId={k.id} reason="keyCompromise" /> : null}
        <ErrorAlert error={error} title="The key was not marked compromised" />
      </ConfirmDialog>
      <ConfirmDialog
        open={pending?.kind === 'destroy'}
        title={`Destroy “${k.name}”?`}
        confirmLabel="Destroy key"
        busy={busy}
        busyLabel="Destroying…"
        onConfirm={() => void run('destroy')}
        onCancel={() => setPending(null)}
      >
        <p>
          Its material is deleted from this browser now (crypto-shredding): anything encrypted under it can never be decrypted again. A
          tombstone with its name, dates and fingerprint stays. This cannot be undone.
        </p>
        <ErrorAlert error={error} title="The key was not destroyed" />
      </ConfirmDialog>
      <ConfirmDialog
        open={pending?.kind === 'revoke'}
        title={`Revoke “${k.name}”?`}
        confirmLabel="Revoke key"
        busy={busy}
        busyLabel="Revoking…"
        onConfirm={() => void onRevoke()}
        onCancel={() => setPending(null)}
      >
        <div className="field">
          <label htmlFor={reasonId}>Revocation reason</label>
          <select id={reasonId} value={reason} onChange={(e) => setReason(e.currentTarget.value as KeyRevocationReason)}>
            {reasons.map((r) => (
              <option key={r} value={r}>
                {REVOCATION_REASONS[r].label}
              </option>
            ))}
          </select>
        </div>
        <p>
          The key becomes {STATE_LABELS[revocationOutcome(k.state, reason)].toLowerCase()}.{' '}
          {REVOCATION_REASONS[reason].compromise
            ? 'A compromise is permanent.'
            : reason === 'certificateHold'
              ? 'It can be resumed later.'
              : 'It keeps decrypting and verifying until its process-stop date, but never protects again.'}
        </p>
        {pending?.kind === 'revoke' ? <CertificatePreviewNote keyId={k.id} reason={reason} /> : null}
        <ErrorAlert error={error} title="The key was not revoked" />
      </ConfirmDialog>
    </section>
  );
}

const DATE_FIELDS = [
  { name: 'activation', label: 'Activation', help: 'pre-activation → active when reached' },
  { name: 'protectStop', label: 'Protect-stop', help: 'end of originator use: no more encrypting, signing or wrapping' },
  { name: 'deactivation', label: 'Deactivation', help: 'active → deactivated when reached, at the latest' },
  { name: 'processStop', label: 'Process-stop', help: 'end of recipient use: no more decrypting or verifying' },
] as const;

function TimelineSection(props: { info: KeyInfo }) {
  const k = props.info;
  const now = useAppStore((s) => s.lifecycle.clock.now);
  const [done, setDone] = useState('');
  const points = timeline(k, now);
  return (
    <section aria-labelledby="key-timeline" className="panel">
      <h2 id="key-timeline">Timeline and dates</h2>
      <ol className="lc-timeline">
        {points.map((p, i) => (
          <li key={`${p.at}-${i}`} className={p.kind === 'scheduled' ? 'lc-scheduled' : undefined}>
            <time dateTime={p.at}>{formatUtc(p.at)}</time> — {p.kind === 'scheduled' ? 'scheduled: ' : ''}
            {p.label}
          </li>
        ))}
      </ol>
      <p className="hint">Times are UTC and follow the engine’s clock (now {formatUtc(new Date(now).toISOString())}).</p>
      {isDestroyedState(k.state) ? (
        <p>A destroyed key’s dates are history and cannot change.</p>
      ) : (
        // Keyed by the stored dates, so the form starts again from them after every change.
        <DatesForm key={JSON.stringify(k.dates)} info={k} onSaved={setDone} />
      )}
      <StatusMessage>{done}</StatusMessage>
    </section>
  );
}

type DateField = (typeof DATE_FIELDS)[number]['name'];

function DatesForm(props: { info: KeyInfo; onSaved: (message: string) => void }) {
  const k = props.info;
  const setDates = useAppStore((s) => s.lifecycle.setDates);
  const op = useLifecycleOp(lifecycleOpNames.dates(k.id));
  const ids: Record<DateField, string> = { activation: useId(), protectStop: useId(), deactivation: useId(), processStop: useId() };
  const [values, setValues] = useState(() => Object.fromEntries(DATE_FIELDS.map((f) => [f.name, toUtcInput(k.dates[f.name])])) as Record<DateField, string>);
  const [localError, setLocalError] = useState('');
  const busy = op?.status === 'busy';
  const fields = DATE_FIELDS.filter((f) => f.name !== 'activation' || k.state === 'pre-activation');

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    props.onSaved('');
    setLocalError('');
    const changed: ScheduledDates = {};
    for (const f of fields) {
      const v = values[f.name];
      if (v === toUtcInput(k.dates[f.name])) continue;
      const ms = fromUtcInput(v);
      if (ms === undefined) {
        setLocalError(`${f.label}: enter a date and time, or keep the current one (dates cannot be removed).`);
        return;
      }
      changed[f.name] = ms;
    }
    if (Object.keys(changed).length === 0) {
      setLocalError('No date was changed.');
      return;
    }
    const r = await setDates(k.id, changed);
    if (r.ok) props.onSaved(`Dates saved. The key is ${STATE_LABELS[r.value.state].toLowerCase()}.`);
  }

  return (
    <form className="form" onSubmit={(e) => void onSubmit(e)} aria-busy={busy}>
      <h3>Edit dates</h3>
      {fields.map((f) => (
        <div className="field" key={f.name}>
          <label htmlFor={ids[f.name]}>{f.label} date (UTC)</label>
          <input
            id={ids[f.name]}
            type="datetime-local"
            value={values[f.name]}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setValues((old) => ({ ...old, [f.name]: v }));
            }}
            aria-describedby={`${ids[f.name]}-help`}
          />
          <p className="hint" id={`${ids[f.name]}-help`}>
            {f.help}
          </p>
        </div>
      ))}
      <p className="actions">
        <button type="submit" className="button" disabled={busy}>
          Save dates
        </button>
      </p>
      {localError ? <ErrorAlert error={{ code: 'INVALID_ARGUMENT', message: localError }} title="Dates not saved" /> : null}
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="Dates not saved" />
    </form>
  );
}

function VersionsSection(props: { info: KeyInfo }) {
  const k = props.info;
  const ring = useAppStore((s) => s.lifecycle.keyrings[k.keyringId]);
  const usage = useAppStore((s) => s.lifecycle.usage[k.id]);
  const loadKeyring = useAppStore((s) => s.lifecycle.loadKeyring);
  const rotate = useAppStore((s) => s.lifecycle.rotate);
  const op = useLifecycleOp(lifecycleOpNames.rotate(k.id));
  const [done, setDone] = useState<KeyInfo | null>(null);
  const busy = op?.status === 'busy';

  useEffect(() => {
    void loadKeyring(k.id);
  }, [k.id, k.state, k.primary, loadKeyring]);

  async function onRotate() {
    setDone(null);
    const r = await rotate(k.id);
    if (r.ok) setDone(r.value);
  }

  const versionColumns: Column<KeyInfo>[] = [
    { header: 'Version', rowHeader: true, cell: (v) => (v.id === k.id ? `Version ${v.version} (this page)` : <a href={href({ name: 'key', id: v.id })}>Version {v.version}</a>) },
    { header: 'Role', cell: (v) => (v.primary ? '★ Primary (protects)' : 'Process only'), className: (v) => (v.primary ? 'lc-primary' : undefined) },
    { header: 'State', cell: (v) => <StateBadge state={v.state} /> },
    { header: 'Created', cell: (v) => <time dateTime={v.createdAt}>{formatUtc(v.createdAt)}</time> },
  ];

  const canRotate = k.kind !== 'public' && !isDestroyedState(k.state);
  return (
    <section aria-labelledby="key-versions" className="panel">
      <h2 id="key-versions">Versions</h2>
      <p>
        Ciphertexts name the key and version that made them, so older versions keep decrypting until their process-stop date. Encrypting
        with any version uses the primary.
      </p>
      {ring ? (
        <DataTable caption="Versions of this key" columns={versionColumns} rows={ring} rowKey={(v) => v.id} />
      ) : (
        <p>Loading versions…</p>
      )}
      <p>
        {usage
          ? `Used ${usage.count} ${usage.count === 1 ? 'time' : 'times'}${usage.lastUsedAt ? `, last on ${formatUtc(usage.lastUsedAt)}` : ''}.`
          : 'Use count loading…'}
      </p>
      {canRotate ? (
        <p className="actions">
          <button type="button" className="button" disabled={busy} onClick={() => void onRotate()}>
            {busy ? 'Rotating…' : 'Rotate key'}
          </button>
        </p>
      ) : null}
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The key was not rotated" />
      <StatusMessage>
        {done ? (
          <>
            Rotated: <a href={href({ name: 'key', id: done.id })}>version {done.version}</a> is now the primary. Older versions only
            decrypt and verify.
          </>
        ) : null}
      </StatusMessage>
    </section>
  );
}
