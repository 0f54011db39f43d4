// C3 and C4: the KDC's distributed keys screen: verify against the record, revoke.
import { useState } from 'react';
import type { KdcKeyId, KeyRevocationReason, PrincipalId, VerifyKeyResult } from '../../engine';
import { formatUtc } from '../../components/ui/format';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { DataTable } from '../../components/ui/data-table';
import { Badge, ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { reasonWords } from '../../components/ui/readable';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import type { ErrorInfo } from '../../state/types';
import { KdcNav, useKdcData } from './kdc-nav';
import { href } from '../../routes/routes';
import { ReasonField } from './reason-field';

/** C3 and C4: the distributed keys, verified against the KDC's record, revoked. */
export function KdcKeysPage() {
  useKdcData();
  const keys = useAppStore((s) => s.kdc.keys);
  const revoked = useAppStore((s) => s.kdc.revoked);
  const status = useAppStore((s) => s.kdc.status);
  const verify = useAppStore((s) => s.kdc.verifyKey);
  const revokeKey = useAppStore((s) => s.kdc.revokeKey);
  const [results, setResults] = useState<Record<string, VerifyKeyResult>>({});
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [message, setMessage] = useState('');
  const [revoking, setRevoking] = useState<KdcKeyId | null>(null);
  const [reason, setReason] = useState<KeyRevocationReason>('keyCompromise');
  const [busy, setBusy] = useState(false);

  async function onVerify(id: KdcKeyId, holder: PrincipalId) {
    setError(null);
    const r = await verify(id, holder);
    if (!r.ok) return setError(r.error);
    setResults((x) => ({ ...x, [`${id}:${holder}`]: r.value }));
    const v = r.value;
    // A revoked key is never "fine", whatever its check value says (NIST SP 800-57 §8.3.5).
    setMessage(
      v.revoked
        ? `${holder}'s key ${id} is revoked: do not use it (its KCV ${v.holderKcv} is the one the KDC issued, but the KDC has withdrawn the key)`
        : v.match
          ? `${holder}'s key ${id} matches the KDC's record (KCV ${v.kdcKcv})`
          : `${holder}'s key ${id} does NOT match the KDC's record`,
    );
  }

  async function onRevoke() {
    if (!revoking) return;
    setBusy(true);
    const r = await revokeKey(revoking, reason);
    setBusy(false);
    setRevoking(null);
    if (r.ok) setMessage(`Revoked ${r.value.id}`);
    else setError(r.error);
  }

  const fmt = (iso?: string) => (iso ? formatUtc(iso) : '—');

  return (
    <>
      <KdcNav current={href({ name: 'kdc-keys' })} />
      <PageTitle documentTitle="Distributed keys">Distributed keys</PageTitle>
      <p>
        The KDC keeps every key it distributed wrapped (AES-KW) under its master key, with a key check value. A holder can verify that its key is the one
        issued: both KCVs are computed without exporting either key.
      </p>
      <StatusMessage>{message}</StatusMessage>
      <ErrorAlert error={error} />
      {keys.length === 0 ? (
        <p>{status === 'ready' ? 'No keys distributed yet.' : 'Loading…'}</p>
      ) : (
        <DataTable
          caption="Distributed keys"
          rows={keys}
          rowKey={(k) => k.id}
          columns={[
            { header: 'Key id', rowHeader: true, cell: (k) => k.id, className: 'mono kdc-id' },
            { header: 'Parties', cell: (k) => k.parties.join(' ↔ ') },
            { header: 'KCV', cell: (k) => k.kcv, className: 'mono' },
            { header: 'Issued', cell: (k) => fmt(k.issuedAt) },
            { header: 'Expires', cell: (k) => fmt(k.expiresAt) },
            { header: 'Status', cell: (k) => (k.revoked ? <Badge tone="neutral">revoked</Badge> : <Badge tone="safe">active</Badge>) },
            {
              header: 'Actions',
              cell: (k) => (
                <div className="actions">
                  {k.parties.map((p) => {
                    const v = results[`${k.id}:${p}`];
                    return (
                      <span key={p}>
                        <button type="button" className="button button-small" onClick={() => void onVerify(k.id, p)} aria-label={`Verify ${p}'s copy of ${k.id}`}>
                          Verify {p}
                        </button>
                        {v ? (
                          <span className="hint"> {v.revoked ? '✗ revoked: do not use' : v.match ? `✓ matches (${v.holderKcv})` : `✗ differs (${v.holderKcv} ≠ ${v.kdcKcv})`}</span>
                        ) : null}
                      </span>
                    );
                  })}
                  {!k.revoked ? (
                    <button type="button" className="button button-small button-danger" onClick={() => setRevoking(k.id)} aria-label={`Revoke ${k.id}`}>
                      Revoke
                    </button>
                  ) : null}
                </div>
              ),
            },
          ]}
        />
      )}
      <h2>Revoked keys</h2>
      {revoked.length === 0 ? (
        <p>No revoked keys.</p>
      ) : (
        <DataTable
          caption="Revoked keys"
          rows={revoked}
          rowKey={(r) => r.id}
          columns={[
            { header: 'Key id', rowHeader: true, cell: (r) => r.id, className: 'mono kdc-id' },
            { header: 'Parties', cell: (r) => r.parties.join(' ↔ ') },
            { header: 'Reason', cell: (r) => reasonWords(r.reason) },
            { header: 'Revoked', cell: (r) => fmt(r.revokedAt) },
          ]}
        />
      )}
      <ConfirmDialog open={revoking !== null} title="Revoke this key?" confirmLabel="Revoke key" busy={busy} busyLabel="Revoking…" onCancel={() => setRevoking(null)} onConfirm={() => void onRevoke()}>
        <p>Services refuse tickets for a revoked key and the parties stop using it.</p>
        <ReasonField id="kdc-key-reason" value={reason} onChange={setReason} />
      </ConfirmDialog>
    </>
  );
}
