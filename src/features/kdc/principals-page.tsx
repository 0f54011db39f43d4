// C1: the KDC's principals screen: register, list, suspend, revoke and reinstate.
import { useState, type FormEvent } from 'react';
import type { KdcPrincipalInfo, KeyRevocationReason, PrincipalId } from '../../engine';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { DataTable } from '../../components/ui/data-table';
import { Field } from '../../components/ui/field';
import { Badge, ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { reasonWords } from '../../components/ui/readable';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { kdcOpNames } from '../../state/slices/kdc-slice';
import type { ErrorInfo } from '../../state/types';
import { KdcNav, useKdcData } from './kdc-nav';
import { href } from '../../routes/routes';
import { ReasonField } from './reason-field';

function statusTone(p: KdcPrincipalInfo): 'safe' | 'warn' | 'neutral' {
  return p.status === 'active' ? 'safe' : p.status === 'suspended' ? 'warn' : 'neutral';
}

/** C1: register, list, suspend, revoke and reinstate principals. */
export function KdcPrincipalsPage() {
  useKdcData();
  const principals = useAppStore((s) => s.kdc.principals);
  const status = useAppStore((s) => s.kdc.status);
  const register = useAppStore((s) => s.kdc.registerPrincipal);
  const suspend = useAppStore((s) => s.kdc.suspendPrincipal);
  const revoke = useAppStore((s) => s.kdc.revokePrincipal);
  const reinstate = useAppStore((s) => s.kdc.reinstatePrincipal);
  const rotate = useAppStore((s) => s.kdc.rotatePrincipalKey);
  const registerOp = useAppStore((s) => s.kdc.ops[kdcOpNames.register]);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'user' | 'service'>('user');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [revoking, setRevoking] = useState<PrincipalId | null>(null);
  const [reason, setReason] = useState<KeyRevocationReason>('keyCompromise');
  const [busy, setBusy] = useState(false);

  async function onRegister(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const r = await register(name, kind);
    if (r.ok) {
      setMessage(`Registered ${r.value.name} (${r.value.kind}), long-term key KCV ${r.value.kcv}`);
      setName('');
    } else setError(r.error);
  }

  async function act(label: string, f: () => Promise<{ ok: true; value: KdcPrincipalInfo } | { ok: false; error: ErrorInfo }>) {
    setError(null);
    setBusy(true);
    const r = await f();
    setBusy(false);
    if (r.ok) setMessage(label === 'rotated' ? `${r.value.name}'s long-term key rotated: key version ${r.value.kvno}, KCV ${r.value.kcv}; tickets sealed under the old version stay valid until they expire` : `${r.value.name} ${label}: now ${r.value.status}`);
    else setError(r.error);
    return r.ok;
  }

  return (
    <>
      <KdcNav current={href({ name: 'kdc-principals' })} />
      <PageTitle documentTitle="KDC principals">KDC principals</PageTitle>
      <p>
        Each principal shares a long-term AES-256 key with the key distribution center. The principal&apos;s copy is non-extractable; the KDC keeps its
        copy wrapped (AES-KW) under its own non-extractable master key.
      </p>
      <form className="form panel" onSubmit={(e) => void onRegister(e)} aria-labelledby="kdc-register-title">
        <h2 id="kdc-register-title">Register a principal</h2>
        <Field id="kdc-name" label="Principal name" hint="Up to 64 lower-case letters, digits and . _ @ - (for example alice or files.example).">
          {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" maxLength={64} required />}
        </Field>
        <Field id="kdc-kind" label="Kind">
          {(control) => (
            <select {...control} value={kind} onChange={(e) => setKind(e.target.value as 'user' | 'service')}>
              <option value="user">User</option>
              <option value="service">Service</option>
            </select>
          )}
        </Field>
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={registerOp?.status === 'busy'}>
            Register principal
          </button>
        </div>
      </form>
      <StatusMessage>{message}</StatusMessage>
      <ErrorAlert error={error} />
      <h2>Registered principals</h2>
      {principals.length === 0 ? (
        <p>{status === 'ready' ? 'No principals yet. Register two (a user and a service) to distribute a key.' : 'Loading…'}</p>
      ) : (
        <DataTable
          caption="Registered principals"
          rows={principals}
          rowKey={(p) => p.name}
          columns={[
            { header: 'Name', rowHeader: true, cell: (p) => p.name },
            { header: 'Kind', cell: (p) => p.kind },
            {
              header: 'Status',
              cell: (p) => (
                <>
                  <Badge tone={statusTone(p)}>{p.status}</Badge>
                  {p.reason ? <span className="hint"> ({reasonWords(p.reason)})</span> : null}
                  {p.ownerRevoked && p.status !== 'revoked' ? <span className="hint"> revoked as a key owner</span> : null}
                </>
              ),
            },
            { header: 'Key version', cell: (p) => p.kvno },
            { header: 'Long-term key KCV', cell: (p) => p.kcv, className: 'mono' },
            {
              header: 'Actions',
              cell: (p) => (
                <div className="actions">
                  {p.status === 'active' ? (
                    <button type="button" className="button button-small" disabled={busy} onClick={() => void act('suspended', () => suspend(p.name))} aria-label={`Suspend ${p.name}`}>
                      Suspend
                    </button>
                  ) : (
                    <button type="button" className="button button-small" disabled={busy} onClick={() => void act('reinstated', () => reinstate(p.name))} aria-label={`Reinstate ${p.name}`}>
                      Reinstate
                    </button>
                  )}
                  {p.status !== 'revoked' ? (
                    <button type="button" className="button button-small" disabled={busy} onClick={() => void act('rotated', () => rotate(p.name))} aria-label={`Rotate key of ${p.name} (its long-term key)`}>
                      Rotate key
                    </button>
                  ) : null}
                  {p.status !== 'revoked' ? (
                    <button type="button" className="button button-small button-danger" disabled={busy} onClick={() => setRevoking(p.name)} aria-label={`Revoke ${p.name}`}>
                      Revoke
                    </button>
                  ) : null}
                </div>
              ),
            },
          ]}
        />
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking ?? ''}?`}
        confirmLabel="Revoke principal"
        busy={busy}
        busyLabel="Revoking…"
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          const n = revoking!;
          void act('revoked', () => revoke(n, reason)).then(() => setRevoking(null));
        }}
      >
        <p>Every key distributed to it is revoked, services refuse its tickets, and the KDC issues it no new ones until it is reinstated.</p>
        <ReasonField id="kdc-revoke-reason" value={reason} onChange={setReason} />
      </ConfirmDialog>
    </>
  );
}
