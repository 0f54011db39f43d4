// A certificate's page: its fields, status, chain, downloads, revocation and verification.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { asCertId, toErrorInfo, type CertId, type CertificateDetails, type CertInfo, type RevocationReason, type VerifyResult } from '../../engine';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { downloadFile, safeFileName } from '../../components/ui/download';
import { formatUtc, groupHex } from '../../components/ui/format';
import { Badge, ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { reasonWords } from '../../components/ui/readable';
import { PageTitle } from '../../components/ui/page-title';
import { VerifyChecks } from '../../components/ui/verify-checks';
import { useAppStore } from '../../state/engine-provider';
import { pkiOpNames } from '../../state/slices/pki-slice';
import type { ErrorInfo } from '../../state/types';
import { Asn1Tree } from './asn1-tree';
import { ReasonField } from './reason-field';
import { PROFILE_CHOICES, commonName, profileLabel, statusLabel, statusTone } from './labels';
import { href } from '../../routes/routes';
import { usePkiData } from './use-pki-data';

function StatusLine(props: { cert: CertInfo }) {
  const c = props.cert;
  return (
    <p className="cert-status">
      <Badge tone={statusTone(c.status)}>{statusLabel(c.status)}</Badge>{' '}
      {c.status === 'revoked' && c.revocation ? (
        <span>
          Revoked on <time dateTime={c.revocation.revokedAt}>{formatUtc(c.revocation.revokedAt)}</time>, reason: {reasonWords(c.revocation.reason)}
          {c.revocation.invalidityDate ? (
            <>
              ; key invalid since <time dateTime={c.revocation.invalidityDate}>{formatUtc(c.revocation.invalidityDate)}</time>
            </>
          ) : null}
        </span>
      ) : c.status === 'expired' ? (
        <span>Expired on {formatUtc(c.notAfter)}</span>
      ) : c.status === 'not-yet-valid' ? (
        <span>Valid from {formatUtc(c.notBefore)}</span>
      ) : (
        <span>Until {formatUtc(c.notAfter)}</span>
      )}
    </p>
  );
}

function Verification(props: { result: VerifyResult | null; error: ErrorInfo | null | undefined }) {
  const r = props.result;
  return (
    <section aria-labelledby="cert-verify" className="panel">
      <h2 id="cert-verify">Verification</h2>
      <ErrorAlert error={props.error} title="The certificate could not be verified" />
      {r ? (
        <VerifyChecks result={r} />
      ) : !props.error ? (
        <p>Verifying…</p>
      ) : null}
    </section>
  );
}

function RevokeSection(props: { cert: CertInfo; onRevoked: () => void }) {
  const { cert } = props;
  const revoke = useAppStore((s) => s.pki.revokeCertificate);
  const op = useAppStore((s) => s.pki.ops[pkiOpNames.revoke(cert.id)]);
  const [reason, setReason] = useState<RevocationReason>('keyCompromise');
  const [invalidity, setInvalidity] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [crlError, setCrlError] = useState<{ code: string; message: string } | null>(null);
  const ids = { reason: useId(), date: useId() };
  const busy = op?.status === 'busy';

  async function confirm() {
    const r = await revoke(cert.id, { reason, ...(invalidity ? { invalidityDate: new Date(`${invalidity}T00:00:00Z`) } : {}) });
    setConfirming(false);
    if (r.ok) {
      setCrlError(r.value.crlError ?? null);
      props.onRevoked();
    }
  }

  return (
    <section aria-labelledby="cert-revoke" className="panel panel-danger">
      <h2 id="cert-revoke">Revoke</h2>
      <p>
        Revoking puts the serial on the CA’s certificate revocation list, which Clavis rebuilds at once. It cannot be undone.
      </p>
      <ReasonField id={ids.reason} label="Reason" value={reason} onChange={setReason} />
      <div className="field">
        <label htmlFor={ids.date}>Invalidity date (optional)</label>
        <input id={ids.date} type="date" value={invalidity} onChange={(e) => setInvalidity(e.currentTarget.value)} aria-describedby={`${ids.date}-hint`} />
        <p className="hint" id={`${ids.date}-hint`}>
          When the key is known or suspected to have been compromised (not in the future).
        </p>
      </div>
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The certificate was not revoked" />
      {crlError ? <ErrorAlert error={crlError} title="Revoked, but the CRL could not be rebuilt yet" /> : null}
      <p className="actions">
        <button type="button" className="button button-danger" onClick={() => setConfirming(true)} disabled={busy}>
          Revoke…
        </button>
      </p>
      <ConfirmDialog
        open={confirming}
        title="Revoke this certificate?"
        confirmLabel="Revoke certificate"
        busy={busy}
        busyLabel="Revoking…"
        onCancel={() => setConfirming(false)}
        onConfirm={() => void confirm()}
      >
        <p>
          <code>{cert.subject}</code> (serial <code>{cert.serialHex}</code>) will be listed as revoked ({reason}) on the next CRL. This
          cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}

/** E5/E6: one certificate — details, extensions, fingerprints, chain, verification, ASN.1, downloads, revoke. */
export function CertPage(props: { id: string }) {
  // The id comes from the route: branded through asCertId; one not shaped as a certificate id names none.
  let id: CertId;
  try {
    id = asCertId(props.id);
  } catch (e) {
    return <CertUnavailable error={toErrorInfo(e)} />;
  }
  return <CertView id={id} />;
}

/** The page while its certificate is loading, or when it could not be loaded (none with that id). */
function CertUnavailable({ error }: { error?: ErrorInfo | undefined }) {
  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'certs' })}>Certificates</a>
      </p>
      <PageTitle documentTitle="Certificate">{error ? 'Certificate not found' : 'Loading certificate…'}</PageTitle>
      {error ? <ErrorAlert error={error} /> : null}
      <p>
        <a href={href({ name: 'certs' })}>Back to all certificates</a>
      </p>
    </>
  );
}

function CertView({ id }: { id: CertId }) {
  usePkiData();
  const cert = useAppStore((s) => s.pki.certsById[id]);
  const cas = useAppStore((s) => s.pki.cas);
  const loadOp = useAppStore((s) => s.pki.ops[pkiOpNames.loadCert(id)]);
  const loadCertificate = useAppStore((s) => s.pki.loadCertificate);
  const describe = useAppStore((s) => s.pki.describeCertificate);
  const verify = useAppStore((s) => s.pki.verifyCertificate);
  const exportCertificate = useAppStore((s) => s.pki.exportCertificate);
  const exportOp = useAppStore((s) => s.pki.ops[pkiOpNames.exportCert(id)]);
  const [details, setDetails] = useState<CertificateDetails | null>(null);
  const [detailsError, setDetailsError] = useState<ErrorInfo | null>(null);
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState<ErrorInfo | null>(null);
  const [saved, setSaved] = useState('');
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const refreshVerification = useCallback(
    async (profile: string, isLive: () => boolean = () => mounted.current) => {
      const usage = PROFILE_CHOICES.some((p) => p.value === profile) ? (profile as (typeof PROFILE_CHOICES)[number]['value']) : 'any';
      const v = await verify(id, { usage });
      // The page may be gone by the time a slow verification ends: a state update then would reach an unmounted view.
      if (!isLive()) return;
      if (v.ok) setResult(v.value);
      else setVerifyError(v.error);
    },
    [id, verify],
  );

  useEffect(() => {
    let live = true;
    void (async () => {
      const c = await loadCertificate(id);
      if (!live || !c.ok) return;
      const d = await describe(id);
      if (!live) return;
      if (d.ok) setDetails(d.value);
      else setDetailsError(d.error);
      await refreshVerification(c.value.profile, () => live);
    })();
    return () => {
      live = false;
    };
  }, [id, loadCertificate, describe, refreshVerification]);

  if (!cert) return <CertUnavailable error={loadOp?.status === 'error' ? loadOp.error : undefined} />;

  const byId = new Map(cas.map((c) => [c.id, c]));
  const chain = [];
  for (let ca = cert.caId === cert.issuerId ? undefined : byId.get(cert.issuerId), guard = 0; ca && guard < 32; guard++) {
    chain.push(ca);
    ca = ca.parentId ? byId.get(ca.parentId) : undefined;
  }
  const issuerCa = byId.get(cert.issuerId);
  const ownCa = cert.caId ? byId.get(cert.caId) : undefined;
  const base = safeFileName(commonName(cert.subject), 'certificate');

  async function save(format: 'pem' | 'der' | 'chain' | 'full-chain' | 'p7b') {
    setSaved('');
    const r = await exportCertificate(id, format);
    if (!r.ok) return;
    const name = { chain: `${base}-chain.pem`, 'full-chain': `${base}-fullchain.pem`, p7b: `${base}-chain.p7b`, pem: `${base}.pem`, der: `${base}.der` }[format];
    const type = format === 'der' ? 'application/pkix-cert' : format === 'p7b' ? 'application/x-pkcs7-certificates' : 'application/x-pem-file';
    downloadFile(r.value, name, type);
    setSaved(`Saved ${name}`);
  }

  function onRevoked() {
    setResult(null);
    void refreshVerification(cert!.profile);
  }

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'certs' })}>Certificates</a> › {profileLabel(cert.profile)}
      </p>
      <PageTitle documentTitle={commonName(cert.subject)}>{commonName(cert.subject)}</PageTitle>
      <StatusLine cert={cert} />

      <section aria-labelledby="cert-details" className="panel">
        <h2 id="cert-details">Details</h2>
        <dl className="details">
          <dt>Subject</dt>
          <dd>
            <code>{cert.subject}</code>
          </dd>
          <dt>Issuer</dt>
          <dd>
            {issuerCa && issuerCa.certId !== cert.id ? <a href={href({ name: 'cert', id: issuerCa.certId })}>{cert.issuer}</a> : <code>{cert.issuer}</code>}
            {cert.caId === cert.issuerId ? ' (self-signed)' : ''}
          </dd>
          <dt>Serial number</dt>
          <dd>
            <code>{groupHex(cert.serialHex, 2).replace(/ /g, ':')}</code>
          </dd>
          <dt>Valid from</dt>
          <dd>
            <time dateTime={cert.notBefore}>{formatUtc(cert.notBefore)}</time>
          </dd>
          <dt>Valid until</dt>
          <dd>
            <time dateTime={cert.notAfter}>{formatUtc(cert.notAfter)}</time>
            {cert.truncated ? ' (cut to the issuer’s end date)' : ''}
          </dd>
          <dt>Profile</dt>
          <dd>{profileLabel(cert.profile)}</dd>
          <dt>Status</dt>
          <dd>{statusLabel(cert.status)}</dd>
          {details ? (
            <>
              <dt>Signature algorithm</dt>
              <dd>{details.signatureAlgorithm}</dd>
              <dt>Public key</dt>
              <dd>{details.publicKey}</dd>
            </>
          ) : null}
          <dt>Key</dt>
          <dd>
            {cert.keyId ? <a href={href({ name: 'key', id: cert.keyId })}>Vault key</a> : cert.source === 'csr' ? 'From a certificate request (not in the vault)' : 'none'}
          </dd>
          {cert.sans.dns.length + cert.sans.ip.length + cert.sans.email.length + cert.sans.uri.length > 0 ? (
            <>
              <dt>Subject alternative names</dt>
              <dd>
                <ul className="plain-list">
                  {cert.sans.dns.map((v) => (
                    <li key={`d${v}`}>DNS: {v}</li>
                  ))}
                  {cert.sans.ip.map((v) => (
                    <li key={`i${v}`}>IP: {v}</li>
                  ))}
                  {cert.sans.email.map((v) => (
                    <li key={`e${v}`}>E-mail: {v}</li>
                  ))}
                  {cert.sans.uri.map((v) => (
                    <li key={`u${v}`}>URI: {v}</li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
          {ownCa ? (
            <>
              <dt>CA</dt>
              <dd>
                This is the certificate of the CA “{ownCa.name}”. <a href={href({ name: 'crl', caId: ownCa.id })}>Its CRL</a>
              </dd>
            </>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="cert-fingerprints" className="panel fingerprint">
        <h2 id="cert-fingerprints">Fingerprints</h2>
        {details ? (
          <dl className="details">
            <dt>SHA-256</dt>
            <dd>
              <code>{groupHex(details.fingerprints.sha256, 2).replace(/ /g, ':')}</code>
            </dd>
            <dt>SHA-1</dt>
            <dd>
              <code>{groupHex(details.fingerprints.sha1, 2).replace(/ /g, ':')}</code>
            </dd>
          </dl>
        ) : (
          <p>Computing…</p>
        )}
      </section>

      <section aria-labelledby="cert-chain" className="panel">
        <h2 id="cert-chain">Chain</h2>
        <ol className="chain">
          <li>
            <strong>{commonName(cert.subject)}</strong> (this certificate)
          </li>
          {chain.map((ca) => (
            <li key={ca.id}>
              <a href={href({ name: 'cert', id: ca.certId })}>{ca.name}</a> ({ca.kind === 'root' ? 'root CA' : 'intermediate CA'})
            </li>
          ))}
        </ol>
      </section>

      <Verification result={result} error={verifyError} />

      <section aria-labelledby="cert-extensions" className="panel">
        <h2 id="cert-extensions">Extensions</h2>
        <ErrorAlert error={detailsError} title="The certificate could not be decoded" />
        {details ? (
          <dl className="extensions">
            {details.extensions.map((x) => (
              <div key={x.oid} className="extension">
                <dt>
                  {x.name} <span className="muted">({x.oid})</span> {x.critical ? <Badge tone="info">critical</Badge> : null}
                </dt>
                <dd>
                  <ul className="plain-list">
                    {x.values.map((v, i) => (
                      <li key={i}>{v}</li>
                    ))}
                  </ul>
                </dd>
              </div>
            ))}
          </dl>
        ) : null}
      </section>

      <section aria-labelledby="cert-download" className="panel">
        <h2 id="cert-download">Download</h2>
        <p className="actions">
          <button type="button" className="button" onClick={() => void save('pem')}>
            Download PEM
          </button>
          <button type="button" className="button" onClick={() => void save('der')}>
            Download DER
          </button>
          {cert.profile !== 'root-ca' ? (
            <>
              <button type="button" className="button" onClick={() => void save('chain')}>
                Download chain (PEM bundle)
              </button>
              <button type="button" className="button" onClick={() => void save('full-chain')}>
                Download chain with root (PEM bundle)
              </button>
              <button type="button" className="button" onClick={() => void save('p7b')}>
                Download chain with root (.p7b)
              </button>
            </>
          ) : null}
        </p>
        {cert.profile !== 'root-ca' ? (
          <p className="hint">
            The chain bundle holds this certificate and its intermediates, which is what a server sends. The bundles with root add the root CA certificate, for
            importing the whole chain elsewhere: the .p7b (PKCS #7) is what Windows, Java keytool and <code>openssl pkcs7 -print_certs</code> read.
          </p>
        ) : null}
        <ErrorAlert error={exportOp?.status === 'error' ? exportOp.error : null} title="The download failed" />
        <StatusMessage>{exportOp?.status === 'error' ? '' : saved}</StatusMessage>
        {cert.profile !== 'root-ca' && !cert.caId ? <Pkcs12Form id={id} base={base} /> : null}
      </section>

      {cert.profile !== 'root-ca' && cert.status !== 'revoked' ? <RevokeSection cert={cert} onRevoked={onRevoked} /> : null}
      {cert.status === 'revoked' ? (
        <p>
          <a href={href({ name: 'crl', caId: cert.issuerId })}>See the CRL of {issuerCa?.name ?? 'the issuer'}</a>
        </p>
      ) : null}

      <section aria-labelledby="cert-asn1" className="panel">
        <h2 id="cert-asn1">ASN.1 structure</h2>
        {details ? (
          <>
            <p className="hint">The DER as it was signed ({details.size} bytes). Open and close constructed nodes with Enter or Space.</p>
            <Asn1Tree root={details.asn1} label="ASN.1 tree of the certificate" />
          </>
        ) : null}
      </section>
    </>
  );
}

/**
 * PKCS #12: certificate, private key (encrypted under the passphrase) and chain in one
 * file for servers and mail clients. Only for a key kept exportable; the engine says so
 * otherwise. The passphrase leaves state as soon as it is used.
 */
function Pkcs12Form(props: { id: CertId; base: string }) {
  const exportPkcs12 = useAppStore((s) => s.pki.exportPkcs12);
  const op = useAppStore((s) => s.pki.ops[pkiOpNames.exportPkcs12(props.id)]);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [saved, setSaved] = useState('');
  const ids = { pass: useId(), confirm: useId(), help: useId() };
  const busy = op?.status === 'busy';

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved('');
    const pass = passphrase;
    const again = confirm;
    setPassphrase('');
    setConfirm('');
    setMismatch(pass !== again);
    if (pass !== again) return;
    const r = await exportPkcs12(props.id, pass);
    if (!r.ok) return;
    const name = `${props.base}.p12`;
    downloadFile(r.value, name, 'application/x-pkcs12');
    setSaved(`Saved ${name}`);
  }

  return (
    <form className="form" onSubmit={(e) => void onSubmit(e)} aria-labelledby="cert-p12" aria-busy={busy}>
      <h3 id="cert-p12">PKCS #12 with the private key</h3>
      <p className="hint" id={ids.help}>
        One .p12 file with this certificate, its private key encrypted under your passphrase (PBES2, AES-256) and the chain up to the root, as{' '}
        <code>openssl pkcs12</code>, Python, Windows, macOS and Java read it. Only a key created or imported as exportable can go into it.
      </p>
      <div className="field">
        <label htmlFor={ids.pass}>PKCS #12 passphrase</label>
        <input id={ids.pass} type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} aria-describedby={ids.help} />
      </div>
      <div className="field">
        <label htmlFor={ids.confirm}>Confirm PKCS #12 passphrase</label>
        <input id={ids.confirm} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} />
      </div>
      <ErrorAlert
        error={mismatch ? { code: 'INVALID_ARGUMENT', message: 'The two passphrases do not match. Type them again.' } : op?.status === 'error' ? op.error : null}
        title="No PKCS #12 file was made"
      />
      <p className="actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Encrypting…' : 'Download PKCS #12 (.p12)'}
        </button>
      </p>
      <StatusMessage>{mismatch || op?.status === 'error' ? '' : saved}</StatusMessage>
    </form>
  );
}
