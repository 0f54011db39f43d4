// Bulk revocation on the certificate list (E6): the selection's count, a reason, "Revoke selected" behind a confirmation, and the outcome.
import { useId, useState } from 'react';
import type { CertId, RevocationReason } from '../../engine';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { useAppStore } from '../../state/engine-provider';
import { pkiOpNames, type BulkRevocationSummary } from '../../state/slices/pki-slice';
import { ReasonField } from './reason-field';

/**
 * The sentence a finished bulk revocation reads as: how many, the CRLs published, what was
 * skipped. With `caName`, each CRL says whose it is (several CAs can publish in one act).
 */
export function bulkRevocationText(r: BulkRevocationSummary, caName?: (caId: string) => string | undefined): string {
  const parts = [`Revoked ${r.revoked} ${r.revoked === 1 ? 'certificate' : 'certificates'}.`];
  for (const crl of r.crls) {
    const name = caName?.(crl.issuerId);
    parts.push(`Published CRL number ${crl.number}${name ? ` of ${name}` : ''}.`);
  }
  if (r.skipped.length) parts.push(`Skipped ${r.skipped.length} (${[...new Set(r.skipped.map((s) => s.why))].join('; ')}).`);
  return parts.join(' ');
}

/**
 * The bulk actions over the selected certificates. The selection is held by the list by
 * certificate id (not by row), so it survives filtering and virtual scrolling.
 */
export function BulkRevokeBar(props: { selected: ReadonlySet<CertId>; matching: readonly CertId[]; onSelectMatching: () => void; onClear: () => void; onDone: () => void }) {
  const revokeMany = useAppStore((s) => s.pki.revokeCertificates);
  const op = useAppStore((s) => s.pki.ops[pkiOpNames.revokeMany]);
  const [reason, setReason] = useState<RevocationReason>('superseded');
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<BulkRevocationSummary | null>(null);
  const reasonId = useId();
  const busy = op?.status === 'busy';
  const n = props.selected.size;

  async function revoke() {
    setOutcome(null);
    const r = await revokeMany({ certIds: [...props.selected] }, { reason });
    setConfirming(false);
    if (r.ok) {
      setOutcome(r.value);
      props.onDone();
    }
  }

  return (
    <section aria-label="Selected certificates" className="bulk-actions">
      <p>
        <strong>
          {n} {n === 1 ? 'certificate' : 'certificates'} selected
        </strong>{' '}
        <button type="button" className="button" onClick={props.onSelectMatching} disabled={props.matching.length === 0}>
          Select all {props.matching.length} matching the filter
        </button>{' '}
        <button type="button" className="button" onClick={props.onClear} disabled={n === 0}>
          Clear selection
        </button>
      </p>
      <ReasonField id={reasonId} label="Revocation reason" value={reason} onChange={setReason} />
      <p className="actions">
        <button type="button" className="button button-danger" onClick={() => setConfirming(true)} disabled={n === 0 || busy}>
          Revoke selected…
        </button>
      </p>
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="Nothing was revoked" />
      {outcome?.crlErrors.map((e) => <ErrorAlert key={e.caId} error={e} title="Revoked, but a CRL could not be rebuilt yet" />)}
      {/* Only while revoking and after: the list's count message stays the page's one status at rest. */}
      {busy || outcome ? <StatusMessage>{busy ? `Revoking ${n} certificates…` : outcome ? bulkRevocationText(outcome) : null}</StatusMessage> : null}
      <ConfirmDialog
        open={confirming}
        title={`Revoke ${n} ${n === 1 ? 'certificate' : 'certificates'}?`}
        confirmLabel={`Revoke ${n}`}
        busy={busy}
        busyLabel="Revoking…"
        onConfirm={() => void revoke()}
        onCancel={() => setConfirming(false)}
      >
        <p>Their serials go on their CAs’ revocation lists, which Clavis rebuilds at once, one CRL per CA. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
