/**
 * The lifecycle overview (#/lifecycle): the clock, keys grouped by state, what changes in
 * the next 30 days, revoked keys with reasons and dates, and principals (key owners) with
 * their status and revoke/reinstate.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { KeyInfo, KeyRevocationReason, PrincipalInfo, RevokedKey } from '../../engine';
import { REVOCATION_REASONS } from '../../engine/lifecycle/revocation';
import { KEY_STATES } from '../../engine/lifecycle/states';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { DataTable, type Column } from '../../components/ui/data-table';
import { formatUtc } from '../../components/ui/format';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { lifecycleOpNames, upcomingChanges, UPCOMING_DAYS, type UpcomingChange } from '../../state/slices/lifecycle-slice';
import { ClockControl } from './clock-control';
import { CAUSE_LABELS, certificateOutcome, reasonLabel, REVOCATION_REASON_LIST, STATE_LABELS, STATE_SUMMARY } from './labels';
import { StateBadge } from './lifecycle-panel';
import { useLifecycleOp } from './use-lifecycle';
import { href } from '../../routes/routes';

export function LifecyclePage() {
  const ids = useAppStore((s) => s.keys.ids);
  const byId = useAppStore((s) => s.keys.byId);
  const now = useAppStore((s) => s.lifecycle.clock.now);
  const loadOverview = useAppStore((s) => s.lifecycle.loadOverview);
  const overviewOp = useLifecycleOp(lifecycleOpNames.overview);

  useEffect(() => {
    void loadOverview();
  }, [loadOverview]);

  const keys = useMemo(() => ids.map((id) => byId[id]).filter((k): k is KeyInfo => k !== undefined), [ids, byId]);
  const upcoming = useMemo(() => upcomingChanges(keys, now), [keys, now]);

  return (
    <>
      <PageTitle documentTitle="Key lifecycle">Key lifecycle</PageTitle>
      <p className="lead">
        Every key moves through the NIST SP 800-57 states, with KMIP’s rules: a key is used only in the states that allow it, its
        dates move it on, and every change is in the <a href={href({ name: 'audit' })}>audit log</a>.
      </p>
      <ClockControl />
      <ErrorAlert error={overviewOp?.status === 'error' ? overviewOp.error : null} title="The overview could not be loaded" />
      <KeysByState keys={keys} />
      <Upcoming upcoming={upcoming} />
      <RevokedKeys />
      <Principals />
    </>
  );
}

function KeysByState(props: { keys: KeyInfo[] }) {
  return (
    <section aria-labelledby="lc-by-state" className="panel">
      <h2 id="lc-by-state">Keys by state</h2>
      {props.keys.length === 0 ? (
        <p>
          No keys yet. <a href={href({ name: 'key-new' })}>Generate one</a>.
        </p>
      ) : (
        <div className="state-groups">
          {KEY_STATES.map((state) => {
            const inState = props.keys.filter((k) => k.state === state);
            const headingId = `lc-state-${state}`;
            return (
              <section key={state} aria-labelledby={headingId}>
                <h3 id={headingId}>
                  {STATE_LABELS[state]} ({inState.length})
                </h3>
                <p className="hint">{STATE_SUMMARY[state]}</p>
                {inState.length > 0 ? (
                  <ul>
                    {inState.map((k) => (
                      <li key={k.id}>
                        <a href={href({ name: 'key', id: k.id })}>{k.name}</a> <span className="muted">v{k.version}</span>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}

const UPCOMING_COLUMNS: Column<UpcomingChange>[] = [
  { header: 'Key', rowHeader: true, cell: (u) => <a href={href({ name: 'key', id: u.keyId })}>{u.name}</a> },
  { header: 'Date', cell: (u) => <time dateTime={u.at}>{formatUtc(u.at)}</time> },
  { header: 'What happens', cell: (u) => u.label },
];

function Upcoming(props: { upcoming: ReturnType<typeof upcomingChanges> }) {
  return (
    <section aria-labelledby="lc-upcoming" className="panel">
      <h2 id="lc-upcoming">In the next {UPCOMING_DAYS} days</h2>
      {props.upcoming.length === 0 ? (
        <p>No key reaches a date in the next {UPCOMING_DAYS} days.</p>
      ) : (
        <DataTable caption={`Dates reached in the next ${UPCOMING_DAYS} days`} columns={UPCOMING_COLUMNS} rows={props.upcoming} rowKey={(u) => `${u.keyId}-${u.label}`} />
      )}
    </section>
  );
}

const REVOKED_COLUMNS: Column<RevokedKey>[] = [
  { header: 'Key', rowHeader: true, cell: (r) => <a href={href({ name: 'key', id: r.key.id })}>{r.key.name}</a> },
  { header: 'Reason', cell: (r) => reasonLabel(r.reason) },
  { header: 'Revoked', cell: (r) => <time dateTime={r.revokedAt}>{formatUtc(r.revokedAt)}</time> },
  { header: 'By', cell: (r) => CAUSE_LABELS[r.cause] },
  { header: 'State now', cell: (r) => <StateBadge state={r.key.state} /> },
];

function RevokedKeys() {
  const revoked = useAppStore((s) => s.lifecycle.revoked);
  const status = useAppStore((s) => s.lifecycle.overviewStatus);
  return (
    <section aria-labelledby="lc-revoked" className="panel">
      <h2 id="lc-revoked">Revoked keys</h2>
      {status !== 'ready' ? (
        <p>Loading…</p>
      ) : revoked.length === 0 ? (
        <p>No key has been revoked.</p>
      ) : (
        <DataTable caption="Revoked keys, newest first" columns={REVOKED_COLUMNS} rows={revoked} rowKey={(r) => r.key.id} />
      )}
    </section>
  );
}

function Principals() {
  const principals = useAppStore((s) => s.lifecycle.principals);
  const status = useAppStore((s) => s.lifecycle.overviewStatus);
  const [revoking, setRevoking] = useState<PrincipalInfo | null>(null);
  const [done, setDone] = useState('');
  const reinstate = useAppStore((s) => s.lifecycle.reinstatePrincipal);
  const ops = useAppStore((s) => s.lifecycle.ops);
  const failed = principals.map((p) => ({ p, op: ops[lifecycleOpNames.principal(p.id)] })).find((x) => x.op?.status === 'error' && revoking?.id !== x.p.id);

  async function onReinstate(p: PrincipalInfo) {
    setDone('');
    const r = await reinstate(p.id);
    if (r.ok) setDone(`${p.id} was reinstated: new keys may be created for it again.`);
  }

  const columns: Column<PrincipalInfo>[] = [
    { header: 'Principal', rowHeader: true, cell: (p) => p.id },
    {
      header: 'Status',
      cell: (p) =>
        p.revoked
          ? `Revoked${p.reason ? ` (${reasonLabel(p.reason)})` : ''}${p.revokedAt ? ` on ${formatUtc(p.revokedAt)}` : ''}`
          : `In good standing${p.reinstatedAt ? `, reinstated on ${formatUtc(p.reinstatedAt)}` : ''}`,
    },
    { header: 'Keys', cell: (p) => p.keyCount },
    {
      header: 'Action',
      cell: (p) =>
        p.revoked ? (
          <button
            type="button"
            className="button button-small"
            aria-label={`Reinstate ${p.id}`}
            disabled={ops[lifecycleOpNames.principal(p.id)]?.status === 'busy'}
            onClick={() => void onReinstate(p)}
          >
            Reinstate
          </button>
        ) : (
          <button type="button" className="button button-small button-danger" aria-label={`Revoke ${p.id}…`} onClick={() => setRevoking(p)}>
            Revoke…
          </button>
        ),
    },
  ];

  return (
    <section aria-labelledby="lc-principals" className="panel">
      <h2 id="lc-principals">Principals</h2>
      <p className="hint">The owners of keys. Revoking one moves all its keys at once and blocks new keys for it until it is reinstated.</p>
      {status !== 'ready' ? (
        <p>Loading…</p>
      ) : principals.length === 0 ? (
        <p>No key has an owner yet. Give keys an owner when you generate or import them.</p>
      ) : (
        <DataTable caption="Principals and their status" columns={columns} rows={principals} rowKey={(p) => p.id} />
      )}
      <ErrorAlert error={failed?.op?.error} title={failed ? `${failed.p.id}: not changed` : undefined} />
      <StatusMessage>{done}</StatusMessage>
      {revoking ? (
        <RevokePrincipalDialog
          principal={revoking}
          onClose={(message) => {
            setRevoking(null);
            if (message) setDone(message);
          }}
        />
      ) : null}
    </section>
  );
}

function RevokePrincipalDialog(props: { principal: PrincipalInfo; onClose: (message?: string) => void }) {
  const p = props.principal;
  const revokePrincipal = useAppStore((s) => s.lifecycle.revokePrincipal);
  const op = useLifecycleOp(lifecycleOpNames.principal(p.id));
  const [reason, setReason] = useState<KeyRevocationReason>(REVOCATION_REASON_LIST[0]!);
  const reasonId = useId();
  const info = REVOCATION_REASONS[reason];

  async function onConfirm() {
    const r = await revokePrincipal(p.id, reason);
    if (r.ok) props.onClose(`${p.id} was revoked (${info.label}); its ${p.keyCount} ${p.keyCount === 1 ? 'key was' : 'keys were'} moved.${certificateOutcome(r.value.certificates)}`);
  }

  return (
    <ConfirmDialog
      open
      title={`Revoke ${p.id}?`}
      confirmLabel="Revoke principal"
      busy={op?.status === 'busy'}
      busyLabel="Revoking…"
      onConfirm={() => void onConfirm()}
      onCancel={() => props.onClose()}
    >
      <div className="field">
        <label htmlFor={reasonId}>Revocation reason</label>
        <select id={reasonId} value={reason} onChange={(e) => setReason(e.currentTarget.value as KeyRevocationReason)}>
          {REVOCATION_REASON_LIST.map((r) => (
            <option key={r} value={r}>
              {REVOCATION_REASONS[r].label}
            </option>
          ))}
        </select>
      </div>
      <p>
        {info.compromise
          ? `Every key of ${p.id} becomes compromised, permanently.`
          : reason === 'certificateHold'
            ? `Every active key of ${p.id} is suspended.`
            : `Every active or suspended key of ${p.id} is deactivated (it only decrypts and verifies); keys never activated are destroyed.`}{' '}
        No new key can be created for {p.id} until it is reinstated.
      </p>
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The principal was not revoked" />
    </ConfirmDialog>
  );
}
