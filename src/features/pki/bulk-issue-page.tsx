// The page that issues many certificates at once from a CSV.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { decodePem, encodePem, utf8, zipStored, type BulkProgress, type BulkRow, type LeafProfile } from '../../engine';
import { downloadFile, safeFileName } from '../../components/ui/download';
import { FileDrop } from '../../components/ui/file-drop';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import type { ErrorInfo } from '../../state/types';
import { PROFILE_CHOICES, VALIDITY } from './labels';
import { IssuingCaField, NoIssuer, pickIssuer } from './issuing-ca';
import { href } from '../../routes/routes';
import { useNow, usePkiData } from './use-pki-data';

const PHASE_TEXT: Record<BulkProgress['phase'], string> = {
  preparing: 'Checking rows',
  signing: 'Signing',
  saving: 'Saving every certificate in one transaction',
};

/** What a finished job leaves to download (the view's own state: never in the store). */
interface BulkDone {
  caName: string;
  certs: Array<{ id: string; subject: string; serialHex: string }>;
  pem: string;
  newKeys: number;
}

const nf = new Intl.NumberFormat('en');

/**
 * E2 at scale: issue many certificates from one CA at once, from a CSV (one row per
 * certificate: CN, SANs, profile, validity) or from a folder of CSRs, with a progress bar
 * and a cancel that stores nothing; the results download as a PEM bundle or a ZIP.
 */
export function BulkIssuePage() {
  usePkiData();
  const cas = useAppStore((s) => s.pki.cas);
  const parseBulkCsv = useAppStore((s) => s.pki.parseBulkCsv);
  const issueBulk = useAppStore((s) => s.pki.issueBulk);
  const id = useId();
  const fid = (s: string) => `${id}-${s}`;

  const [caId, setCaId] = useState('');
  const [source, setSource] = useState<'csv' | 'csr'>('csv');
  const [profile, setProfile] = useState<LeafProfile>('tls-server');
  const [validity, setValidity] = useState(String(VALIDITY['tls-server'].default));
  const [rows, setRows] = useState<BulkRow[] | null>(null);
  const [rowsFrom, setRowsFrom] = useState('');
  const [readError, setReadError] = useState<ErrorInfo | null>(null);
  const [progress, setProgress] = useState<BulkProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [outcome, setOutcome] = useState<BulkDone | 'cancelled' | null>(null);
  const controller = useRef<AbortController | null>(null);

  // Leaving the screen cancels a running job: it then stores nothing.
  useEffect(() => () => controller.current?.abort(), []);

  const now = useNow();
  const { issuers, ca } = pickIssuer(cas, caId, now);

  function reset() {
    setRows(null);
    setRowsFrom('');
    setReadError(null);
    setOutcome(null);
    setError(null);
  }

  async function onCsv(file: File) {
    reset();
    const r = await parseBulkCsv(await file.text());
    if (!r.ok) {
      setReadError(r.error);
      return;
    }
    setRows(r.value);
    setRowsFrom(file.name);
  }

  async function onCsrs(files: File[]) {
    reset();
    const days = Number(validity);
    const texts = await Promise.all(files.map((f) => f.text()));
    setRows(texts.map((csr) => ({ profile, csr, ...(Number.isInteger(days) && days > 0 ? { validityDays: days } : {}) })));
    setRowsFrom(files.length === 1 ? files[0]!.name : `${nf.format(files.length)} files`);
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (running || !ca || !rows?.length) return;
    // CSR rows take the profile and validity shown when the job starts.
    const days = Number(validity);
    const jobRows = source === 'csr' ? rows.map((r) => ({ ...r, profile, ...(Number.isInteger(days) && days > 0 ? { validityDays: days } : {}) })) : rows;
    const abort = new AbortController();
    controller.current = abort;
    setRunning(true);
    setError(null);
    setOutcome(null);
    setProgress({ phase: 'preparing', done: 0, total: jobRows.length });
    const r = await issueBulk({ caId: ca.id, rows: jobRows, signal: abort.signal, onProgress: setProgress });
    controller.current = null;
    if (abort.signal.aborted && (!r.ok || r.value.status === 'cancelled')) {
      // The screen may be gone already (unmount cancels): nothing else to show.
      setRunning(false);
      setOutcome('cancelled');
      return;
    }
    setRunning(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    if (r.value.status === 'cancelled') {
      setOutcome('cancelled');
      return;
    }
    setOutcome({
      caName: ca.name,
      certs: r.value.certs.map((c) => ({ id: c.id, subject: c.subject, serialHex: c.serialHex })),
      pem: r.value.pem,
      newKeys: r.value.newKeyIds.length,
    });
  }

  function downloadZip(done: BulkDone) {
    const blocks = decodePem(done.pem, { maxChars: done.pem.length }).map((b) => encodePem(b.label, b.der));
    const entries = blocks.map((pem, i) => {
      const c = done.certs[i];
      const label = c ? `${String(i + 1).padStart(5, '0')}-${safeFileName(c.subject.replace(/^CN=/, ''), 'certificate')}` : `${i + 1}`;
      return { name: `${label}.pem`, data: utf8(pem) };
    });
    downloadFile(zipStored(entries), `${safeFileName(done.caName, 'ca')}-certificates.zip`, 'application/zip');
  }

  const total = progress?.total ?? 0;
  const done = progress?.done ?? 0;

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'cas' })}>Certificate authorities</a> › Issue many
      </p>
      <PageTitle documentTitle="Issue many certificates">Issue many certificates</PageTitle>
      <p className="lead">
        One CA signs a whole list at once: a CSV with one certificate per line (each gets a new non-extractable ECDSA P-256 key in the
        vault), or a folder of certificate signing requests. Every certificate and its audit entry is saved in one step, so a job lands
        whole or not at all.
      </p>
      <NoIssuer issuers={issuers} />
      <form className="form" onSubmit={onSubmit} aria-busy={running}>
        <IssuingCaField issuers={issuers} ca={ca} onChange={setCaId} disabled={running} />
        <fieldset className="fieldset" disabled={running}>
          <legend>Certificates from</legend>
          <div className="field field-check">
            <input
              id={fid('src-csv')}
              type="radio"
              name={fid('src')}
              checked={source === 'csv'}
              onChange={() => {
                setSource('csv');
                reset();
              }}
            />
            <label htmlFor={fid('src-csv')}>A CSV file, one certificate per line</label>
          </div>
          <div className="field field-check">
            <input
              id={fid('src-csr')}
              type="radio"
              name={fid('src')}
              checked={source === 'csr'}
              onChange={() => {
                setSource('csr');
                reset();
              }}
            />
            <label htmlFor={fid('src-csr')}>Certificate signing requests (CSRs)</label>
          </div>
          {source === 'csv' ? (
            <FileDrop
              label="CSV file"
              accept=".csv,text/csv,text/plain"
              disabled={running}
              hint={
                <>
                  Columns <code>cn,sans,profile,validity_days</code> (a header line is allowed). SANs are separated by <code>;</code>; the
                  profile is tls-server, tls-client, code-signing or email (default tls-server); an empty validity takes the profile’s
                  default.
                </>
              }
              onFile={(f) => void onCsv(f)}
            />
          ) : (
            <>
              <div className="field">
                <label htmlFor={fid('profile')}>Profile</label>
                <select id={fid('profile')} value={profile} onChange={(e) => {
                  const p = e.currentTarget.value as LeafProfile;
                  setProfile(p);
                  setValidity(String(VALIDITY[p].default));
                }}>
                  {PROFILE_CHOICES.map((p) => (
                    <option key={p.value} value={p.value}>
                      {p.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={fid('validity')}>Validity (days)</label>
                <input id={fid('validity')} type="number" min={1} max={VALIDITY[profile].max} value={validity} onChange={(e) => setValidity(e.currentTarget.value)} />
                <p className="hint">At most {VALIDITY[profile].max} days for this profile.</p>
              </div>
              <FileDrop
                label="CSR files"
                accept=".csr,.pem,.der,.req"
                multiple
                disabled={running}
                hint="Choose or drop every request of the folder at once (PEM or DER). Each keeps its subject and requested names."
                onFile={(f) => void onCsrs([f])}
                onFiles={(fs) => void onCsrs(fs)}
              />
            </>
          )}
        </fieldset>
        <ErrorAlert error={readError} title="The file could not be read" />
        <StatusMessage>{rows ? `${nf.format(rows.length)} ${rows.length === 1 ? 'certificate' : 'certificates'} to issue, from ${rowsFrom}.` : ''}</StatusMessage>
        <p className="actions">
          <button type="submit" className="button button-primary" disabled={running || !ca || !rows?.length}>
            {rows?.length ? `Issue ${nf.format(rows.length)} ${rows.length === 1 ? 'certificate' : 'certificates'}` : 'Issue certificates'}
          </button>
          {running ? (
            <button type="button" className="button" onClick={() => controller.current?.abort()}>
              Cancel
            </button>
          ) : null}
        </p>
      </form>
      {progress && (running || outcome === null) ? (
        <section className="panel" aria-labelledby={fid('progress-title')}>
          <h2 id={fid('progress-title')}>Progress</h2>
          <progress id={fid('progress')} aria-label="Issuing certificates" max={total || 1} value={done} />
          <p>
            {PHASE_TEXT[progress.phase]}: {nf.format(done)} of {nf.format(total)}
          </p>
        </section>
      ) : null}
      <ErrorAlert error={error} title="Nothing was issued" />
      <StatusMessage>
        {outcome === 'cancelled' ? 'Cancelled: nothing was issued, and the reserved serial numbers will never be used.' : null}
        {outcome && outcome !== 'cancelled'
          ? `Issued ${nf.format(outcome.certs.length)} ${outcome.certs.length === 1 ? 'certificate' : 'certificates'} from ${outcome.caName}${outcome.newKeys ? `, each for a new key in the vault` : ''}.`
          : null}
      </StatusMessage>
      {outcome && outcome !== 'cancelled' ? (
        <section className="panel" aria-labelledby={fid('result-title')}>
          <h2 id={fid('result-title')}>Results</h2>
          <p className="actions">
            <button type="button" className="button" onClick={() => downloadFile(outcome.pem, `${safeFileName(outcome.caName, 'ca')}-certificates.pem`, 'application/x-pem-file')}>
              Download PEM bundle
            </button>
            <button type="button" className="button" onClick={() => downloadZip(outcome)}>
              Download ZIP
            </button>
            <a className="button" href={href({ name: 'certs' })}>
              Go to the certificate list
            </a>
          </p>
        </section>
      ) : null}
    </>
  );
}
