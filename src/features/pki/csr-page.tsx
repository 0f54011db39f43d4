// The page that reads a CSR and issues a certificate from it.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { DistinguishedName, KeyInfo } from '../../engine';
import { downloadFile, safeFileName } from '../../components/ui/download';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { pkiOpNames } from '../../state/slices/pki-slice';
import { cleanName } from './labels';
import { EMPTY_SANS, SubjectFields, sansOf, type SanText } from './subject-fields';
import { href } from '../../routes/routes';


/** Vault keys that can sign a request: active ECDSA/RSA signing key pairs (not CA keys). */
export function csrCapable(k: KeyInfo): boolean {
  return k.kind === 'key-pair' && k.state === 'active' && k.owner !== 'certificate authority' && /^(ECDSA|RSA)/.test(k.template) && k.operations.includes('sign');
}

/**
 * E2: create a PKCS#10 certificate signing request for a vault key pair, for a CA outside
 * this browser (or this one). The request is signed inside the engine; only the PEM (public
 * data) reaches this page, to copy or download. Nothing is stored.
 */
export function CsrPage(props: { keyId?: string }) {
  const keyIds = useAppStore((s) => s.keys.ids);
  const keysById = useAppStore((s) => s.keys.byId);
  const createCsr = useAppStore((s) => s.pki.createCsr);
  const clearOp = useAppStore((s) => s.pki.clearOp);
  const op = useAppStore((s) => s.pki.ops[pkiOpNames.createCsr]);
  const id = useId();
  const fid = (s: string) => `${id}-${s}`;
  const keys = useMemo(() => keyIds.map((k) => keysById[k]).filter((k): k is KeyInfo => !!k && csrCapable(k)), [keyIds, keysById]);
  const [keyId, setKeyId] = useState(props.keyId ?? '');
  const [subject, setSubject] = useState<DistinguishedName>({});
  const [sans, setSans] = useState<SanText>(EMPTY_SANS);
  const [pem, setPem] = useState('');
  const [message, setMessage] = useState('');
  const key = keys.find((k) => k.id === keyId) ?? (props.keyId ? undefined : keys[0]);
  const busy = op?.status === 'busy';

  useEffect(() => () => clearOp(pkiOpNames.createCsr), [clearOp]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy || !key) return;
    setPem('');
    setMessage('');
    const r = await createCsr(key.id, { subject: cleanName(subject), sans: sansOf(sans) });
    if (r.ok) {
      setPem(r.value);
      setMessage('Certificate signing request created');
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(pem);
      setMessage('Copied the request (public data only)');
    } catch {
      setMessage('Copying is not allowed here; select the text and copy it, or download the file');
    }
  }

  const fileName = `${safeFileName(subject.CN ?? key?.name ?? 'request', 'request')}.csr`;

  return (
    <>
      <p className="breadcrumb">
        <a href={href({ name: 'certs' })}>Certificates</a> › Create a CSR
      </p>
      <PageTitle documentTitle="Create a certificate signing request">Create a certificate signing request</PageTitle>
      <p className="lead">
        A certificate signing request (CSR) asks a certificate authority to certify a public key. Clavis signs it with the vault key, which
        proves you hold the private key; the private key never leaves the vault. Hand the request to any CA, or issue it here.
      </p>
      <form className="form" onSubmit={onSubmit} aria-busy={busy}>
        <div className="field">
          <label htmlFor={fid('key')}>Vault key pair</label>
          <select id={fid('key')} value={key?.id ?? ''} onChange={(e) => setKeyId(e.currentTarget.value)}>
            {key ? null : <option value="">Choose a key</option>}
            {keys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.template})
              </option>
            ))}
          </select>
          <p className="hint">
            {keys.length === 0 ? (
              <>
                No active ECDSA or RSA signing key pair in the vault. <a href={href({ name: 'key-new' })}>Generate one</a> first.
              </>
            ) : props.keyId && !key ? (
              'That key cannot sign a request (it is not an active ECDSA or RSA signing key pair); choose another.'
            ) : (
              'ECDSA and RSA signing key pairs can sign requests.'
            )}
          </p>
        </div>

        <SubjectFields fid={fid} subject={subject} onSubject={setSubject} sans={sans} onSans={setSans} sanHint="One per line. The CA decides which of them it certifies." />

        <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The request was not created" />
        <p className="actions">
          <button type="submit" className="button button-primary" disabled={busy || !key}>
            {busy ? 'Creating…' : 'Create CSR'}
          </button>
        </p>
      </form>

      {pem ? (
        <section className="panel" aria-labelledby={fid('result')}>
          <h2 id={fid('result')}>Your request</h2>
          <div className="field">
            <label htmlFor={fid('pem')}>CSR (PEM)</label>
            <textarea id={fid('pem')} className="mono" rows={10} readOnly value={pem} spellCheck={false} />
          </div>
          <p className="actions">
            <button type="button" className="button" onClick={() => void copy()}>
              Copy CSR
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                downloadFile(pem, fileName, 'application/pkcs10');
                setMessage(`Saved ${fileName}`);
              }}
            >
              Download CSR
            </button>
            <a className="button" href={href({ name: 'cert-issue' })}>
              Issue it with a CA here
            </a>
          </p>
        </section>
      ) : null}
      <StatusMessage>{message}</StatusMessage>
    </>
  );
}
