// A CA's CRL page: the latest CRL, its entries, publishing, downloads and "revoke all certificates of this CA".
import { useCallback, useEffect, useMemo, useState } from 'react';
import { DataTable } from '../../components/ui/data-table';
import { asCaId, type CaId, type CrlInfo } from '../../engine';
import { downloadFile, safeFileName } from '../../components/ui/download';
import { formatUtc } from '../../components/ui/format';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { reasonWords } from '../../components/ui/readable';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { pkiOpNames } from '../../state/slices/pki-slice';
import { href } from '../../routes/routes';
import { useCrlWindows } from './crl-window';
import { RevokeAllSection } from './revoke-all';
import { usePkiData } from './use-pki-data';

/** Published CRLs shown in the history. */
export const CRL_HISTORY_SIZE = 10;

/** E7: a CA's current CRL decoded, its entries in one list read window by window as it scrolls, downloads, "Rebuild now", and revoking all its certificates (issue 15). */
export function CrlPage(props: { caId: string }) {
  // The id comes from the route: branded through asCaId; one not shaped as a CA id names no CA.
  let caId: CaId;
  try {
    caId = asCaId(props.caId);
  } catch {
    return <CaUnavailable />;
  }
  return <CrlView caId={caId} />;
}

/** The page while the CAs load, or when there is no CA with the route's id. */
function CaUnavailable() {
  usePkiData({ certs: true });
  const casStatus = useAppStore((s) => s.pki.casStatus);
  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'cas' })}>Certificate authorities</a>
      </p>
      <PageTitle documentTitle="CRL">{casStatus === 'ready' ? 'CA not found' : 'Loading CRL…'}</PageTitle>
      {casStatus === 'ready' ? <p>There is no CA with this id in this browser.</p> : null}
    </>
  );
}

function CrlView({ caId }: { caId: CaId }) {
  usePkiData({ certs: true });
  const ca = useAppStore((s) => s.pki.cas.find((c) => c.id === caId));
  const crl = useAppStore((s) => s.pki.crls[caId]);
  const certsById = useAppStore((s) => s.pki.certsById);
  const loadCrl = useAppStore((s) => s.pki.loadCrl);
  const crlEntries = useAppStore((s) => s.pki.crlEntries);
  const publishCrl = useAppStore((s) => s.pki.publishCrl);
  const exportCrl = useAppStore((s) => s.pki.exportCrl);
  const listCrls = useAppStore((s) => s.pki.listCrls);
  const historyOp = useAppStore((s) => s.pki.ops[pkiOpNames.crlHistory(caId)]);
  const [history, setHistory] = useState<CrlInfo[] | null>(null);
  const loadOp = useAppStore((s) => s.pki.ops[pkiOpNames.loadCrl(caId)]);
  const publishOp = useAppStore((s) => s.pki.ops[pkiOpNames.publishCrl(caId)]);
  const exportOp = useAppStore((s) => s.pki.ops[pkiOpNames.exportCrl(caId)]);
  const entriesOp = useAppStore((s) => s.pki.ops[pkiOpNames.crlEntries(caId)]);
  const [message, setMessage] = useState('');

  useEffect(() => {
    void loadCrl(caId);
  }, [caId, loadCrl]);

  // The entries on screen are read again whenever a new CRL (another number) is current.
  const number = crl?.number;
  const readWindow = useCallback((offset: number, limit: number) => crlEntries(caId, { offset, limit }), [caId, crlEntries]);
  const entries = useCrlWindows(number === undefined ? null : `${caId}:${number}`, readWindow);

  useEffect(() => {
    let live = true;
    void listCrls(caId, CRL_HISTORY_SIZE).then((r) => {
      if (live && r.ok) setHistory(r.value);
    });
    return () => {
      live = false;
    };
  }, [caId, listCrls, number]);

  const certBySerial = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of Object.values(certsById)) if (c.issuerId === caId) m.set(c.serialHex, c.id);
    return m;
  }, [certsById, caId]);

  if (!ca) return <CaUnavailable />;

  const base = safeFileName(ca.name, 'ca');

  async function save(format: 'pem' | 'der', crlNumber?: number) {
    // A new attempt: the last "Saved …" or "Published …" must not stand beside this attempt's error.
    setMessage('');
    const r = await exportCrl(caId, format, crlNumber);
    if (!r.ok) return;
    const name = `${base}${crlNumber === undefined ? '' : `-${crlNumber}`}.crl${format === 'pem' ? '.pem' : ''}`;
    downloadFile(r.value, name, format === 'der' ? 'application/pkix-crl' : 'application/x-pem-file');
    setMessage(`Saved ${name}`);
  }

  async function rebuild() {
    setMessage('');
    const r = await publishCrl(caId);
    if (r.ok) setMessage(`Published CRL number ${r.value.number}`);
  }

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'cas' })}>Certificate authorities</a> › {ca.name}
      </p>
      <PageTitle documentTitle={`CRL of ${ca.name}`}>Revocation list of {ca.name}</PageTitle>
      <p className="lead">
        The certificate revocation list (CRL) names every unexpired certificate this CA has revoked. Clavis rebuilds it on every
        revocation; verifiers treat it as current until its next update.
      </p>
      <ErrorAlert error={loadOp?.status === 'error' ? loadOp.error : null} title="The CRL could not be loaded" />
      {crl ? (
        <section aria-labelledby="crl-current" className="panel">
          <h2 id="crl-current">Current CRL</h2>
          <dl className="details">
            <dt>CRL number</dt>
            <dd>{crl.number}</dd>
            <dt>This update</dt>
            <dd>
              <time dateTime={crl.thisUpdate}>{formatUtc(crl.thisUpdate)}</time>
            </dd>
            <dt>Next update</dt>
            <dd>
              <time dateTime={crl.nextUpdate}>{formatUtc(crl.nextUpdate)}</time>
            </dd>
            <dt>Revoked certificates</dt>
            <dd>{crl.entries}</dd>
            <dt>Issuer</dt>
            <dd>
              <a href={href({ name: 'cert', id: ca.certId })}>{ca.subject}</a>
            </dd>
          </dl>
          <p className="actions">
            <button type="button" className="button" onClick={() => void save('pem')}>
              Download CRL (PEM)
            </button>
            <button type="button" className="button" onClick={() => void save('der')}>
              Download CRL (DER)
            </button>
            <button type="button" className="button" onClick={() => void rebuild()} disabled={publishOp?.status === 'busy'}>
              {publishOp?.status === 'busy' ? 'Rebuilding…' : 'Rebuild now'}
            </button>
          </p>
          <ErrorAlert error={publishOp?.status === 'error' ? publishOp.error : null} title="The CRL was not rebuilt" />
          <ErrorAlert error={exportOp?.status === 'error' ? exportOp.error : null} title="The download failed" />
          <StatusMessage>{publishOp?.status === 'error' || exportOp?.status === 'error' ? '' : message}</StatusMessage>
        </section>
      ) : loadOp?.status === 'done' ? (
        <p>This CA has not published a CRL.</p>
      ) : (
        <p>Loading the CRL…</p>
      )}

      {crl ? (
        <section aria-labelledby="crl-entries" className="panel">
          <h2 id="crl-entries">Revoked certificates</h2>
          <ErrorAlert error={entriesOp?.status === 'error' ? entriesOp.error : null} title="The entries could not be read" />
          {entries.total === 0 ? <p>No certificate of this CA is revoked.</p> : null}
          {entries.total !== null && entries.total > 0 ? (
            <>
              <p>
                {entries.total} {entries.total === 1 ? 'entry' : 'entries'}, in the CRL’s order; they are read as the list scrolls.
              </p>
              <DataTable
                caption={`Entries of CRL number ${crl.number}`}
                regionLabel="Entries of this CRL (table, scrolls sideways on small screens)"
                lazy={{ count: entries.total, at: entries.at, loading: (i) => `Loading entry ${i + 1}…` }}
                virtual
                onRangeChange={entries.onRangeChange}
                rowKey={(e) => e.serialHex}
                columns={[
                  {
                    header: 'Serial',
                    rowHeader: true,
                    cell: (e) => {
                      const certId = certBySerial.get(e.serialHex);
                      return certId ? <a href={href({ name: 'cert', id: certId })}>{e.serialHex}</a> : <code>{e.serialHex}</code>;
                    },
                  },
                  { header: 'Revoked', cell: (e) => formatUtc(e.revocationDate) },
                  { header: 'Reason', cell: (e) => (e.reason ? reasonWords(e.reason) : 'unspecified') },
                  { header: 'Invalidity date', cell: (e) => (e.invalidityDate ? formatUtc(e.invalidityDate) : '—') },
                ]}
              />
            </>
          ) : null}
        </section>
      ) : null}
      {history && history.length > 0 ? (
        <section aria-labelledby="crl-history" className="panel">
          <h2 id="crl-history">History</h2>
          <p className="hint">
            The {history.length === 1 ? 'only CRL' : `latest ${history.length} CRLs`} this CA published, newest first. Verifiers must use the newest: an
            older CRL misses later revocations.
          </p>
          <DataTable
            caption={`Published CRLs of ${ca.name}`}
            regionLabel="Published CRLs of this CA (table, scrolls sideways on small screens)"
            rows={history}
            rowKey={(h) => h.id}
            columns={[
              { header: 'CRL number', rowHeader: true, cell: (h) => `${h.number}${h.number === crl?.number ? ' (current)' : ''}` },
              { header: 'This update', cell: (h) => <time dateTime={h.thisUpdate}>{formatUtc(h.thisUpdate)}</time> },
              { header: 'Next update', cell: (h) => <time dateTime={h.nextUpdate}>{formatUtc(h.nextUpdate)}</time> },
              { header: 'Entries', cell: (h) => h.entries },
              {
                header: 'Download',
                cell: (h) => (
                  <>
                    <button type="button" className="button button-small" onClick={() => void save('pem', h.number)} aria-label={`PEM of CRL number ${h.number}`}>
                      PEM
                    </button>{' '}
                    <button type="button" className="button button-small" onClick={() => void save('der', h.number)} aria-label={`DER of CRL number ${h.number}`}>
                      DER
                    </button>
                  </>
                ),
              },
            ]}
          />
        </section>
      ) : null}
      <ErrorAlert error={historyOp?.status === 'error' ? historyOp.error : null} title="The CRL history could not be read" />
      <RevokeAllSection scope={{ kind: 'ca', caId, name: ca.name }} />
    </>
  );
}
