// "Revoke all certificates of this CA / of this key" (issue 15): a reason, a confirmation that counts what goes, and the outcome (N revoked, CRL number n published).
import { useId, useMemo, useState } from 'react';
import type { CaId, KeyId, RevocationReason } from '../../engine';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { useAppStore, useAppStoreApi } from '../../state/engine-provider';
import { pkiOpNames, sweepCandidates, type BulkRevocationSummary } from '../../state/slices/pki-slice';
import { bulkRevocationText } from './bulk-revoke';
import { REASON_CHOICES } from './labels';
import { ReasonField } from './reason-field';

/** Whose certificates a sweep takes: a CA's (by id) or a vault key's (by id and public-key fingerprint). */
export type RevokeAllScope = { kind: 'ca'; caId: CaId; name: string } | { kind: 'key'; keyId: KeyId; spkiSha256: string; name: string };

/** The sentence a finished sweep reads as; "nothing to revoke" is an outcome, not an error. `caName` names each CRL's CA. */
export function sweepText(r: BulkRevocationSummary, caName?: (caId: string) => string | undefined): string {
  if (r.revoked > 0) return bulkRevocationText(r, caName);
  const skipped = r.skipped.length ? ` Left alone: ${r.skipped.length} (${[...new Set(r.skipped.map((s) => s.why))].join('; ')}).` : '';
  return `Nothing was revoked: no unexpired, unrevoked certificate was left. No CRL was published.${skipped}`;
}

const plural = (n: number) => `${n} ${n === 1 ? 'certificate' : 'certificates'}`;

/**
 * The "revoke all" panel of a CA's page or a key's page. It reads the inventory only when
 * the user asks (opening the dialog), so a key page does not load the CA module on sight.
 */
export function RevokeAllSection(props: { scope: RevokeAllScope }) {
  const { scope } = props;
  const id = scope.kind === 'ca' ? scope.caId : scope.keyId;
  const opName = pkiOpNames.revokeAll(scope.kind, id);
  const store = useAppStoreApi();
  const op = useAppStore((s) => s.pki.ops[opName]);
  const certsStatus = useAppStore((s) => s.pki.certsStatus);
  const certsById = useAppStore((s) => s.pki.certsById);
  const cas = useAppStore((s) => s.pki.cas);
  const [reason, setReason] = useState<RevocationReason>('superseded');
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<BulkRevocationSummary | null>(null);
  const reasonId = useId();
  const headingId = useId();
  const busy = op?.status === 'busy';
  const what = scope.kind === 'ca' ? 'this CA' : 'this key';
  const candidates = useMemo(
    () => (certsStatus === 'ready' ? sweepCandidates(Object.values(certsById), scope.kind === 'ca' ? { caId: scope.caId } : { spkiSha256: scope.spkiSha256 }) : undefined),
    [certsStatus, certsById, scope],
  );
  const count = candidates?.length;
  // Only a key sweep takes CA certificates (a CA's own key); say so, it ends a whole branch.
  const caCerts = candidates?.filter((c) => c.profile === 'sub-ca').length ?? 0;

  // A key's certificates may sit at several CAs: its outcome names each CRL's CA.
  const caNameOf = (caId: string) => cas.find((c) => c.id === caId)?.name;

  function open() {
    setOutcome(null);
    store.getState().pki.clearOp(opName);
    const s = store.getState().pki;
    if (s.certsStatus !== 'ready' && s.certsStatus !== 'loading') {
      void s.refreshCerts();
      if (s.casStatus !== 'ready') void s.refreshCas();
    }
    setConfirming(true);
  }

  async function revoke() {
    const s = store.getState();
    const r = scope.kind === 'ca' ? await s.pki.revokeCaCertificates(scope.caId, { reason }) : await s.pki.revokeKeyCertificates(scope.keyId, { reason });
    setConfirming(false);
    if (!r.ok) return;
    setOutcome(r.value);
    // keyCompromise marks the key compromised in the same act: show its new state.
    if (scope.kind === 'key' && r.value.revoked > 0) void s.keys.loadKey(scope.keyId);
  }

  return (
    <section aria-labelledby={headingId} className="panel panel-danger">
      <h2 id={headingId}>Revoke all certificates of {what}</h2>
      {scope.kind === 'ca' ? (
        <p>
          Revokes every unexpired certificate {scope.name} issued, in one act with one new CRL. Its intermediate CA certificates stay
          valid: revoke one from its own page, which ends everything under it.
        </p>
      ) : (
        <p>
          Revokes every unexpired certificate of this key’s public key, at every CA that issued one, with one new CRL per CA. The key
          keeps its state, except for key compromise, which also marks it compromised. To retire the key too, revoke the key in its
          lifecycle: that revokes its certificates as well.
        </p>
      )}
      <ReasonField id={reasonId} label="Revocation reason" value={reason} onChange={setReason} disabled={busy} />
      <p className="actions">
        <button type="button" className="button button-danger" onClick={open} disabled={busy}>
          Revoke all certificates of {what}…
        </button>
      </p>
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="Nothing was revoked" />
      {outcome?.crlErrors.map((e) => <ErrorAlert key={e.caId} error={e} title="Revoked, but a CRL could not be rebuilt yet" />)}
      {/* Only while revoking and after: the page's other status messages stay alone at rest. */}
      {busy || outcome ? <StatusMessage>{busy ? 'Revoking…' : outcome ? sweepText(outcome, scope.kind === 'key' ? caNameOf : undefined) : null}</StatusMessage> : null}
      <ConfirmDialog
        open={confirming}
        title={`Revoke all certificates of “${scope.name}”?`}
        confirmLabel={count === undefined ? 'Revoke all' : `Revoke ${plural(count)}`}
        busy={busy}
        busyLabel="Revoking…"
        onConfirm={() => void revoke()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {count === undefined
            ? 'Counting the certificates…'
            : count === 0
              ? 'No unexpired, unrevoked certificate is listed; Clavis checks again and revokes any it finds.'
              : `${plural(count)} will be revoked for “${REASON_CHOICES.find((r) => r.value === reason)?.label.split(':')[0] ?? reason}”.`}{' '}
          Their serials go on the revocation lists, which Clavis rebuilds at once, one CRL per CA. This cannot be undone.
        </p>
        {caCerts > 0 ? (
          <p>
            <strong>{caCerts === 1 ? 'This includes a CA certificate.' : `This includes ${caCerts} CA certificates.`}</strong> Revoking a CA certificate ends
            every certificate issued under it.
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
