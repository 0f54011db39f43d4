import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { DistinguishedName, KeyInfo, SubjectAltNames } from '../../engine';
import { downloadFile, safeFileName } from '../../components/ui/download';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { pkiOpNames } from '../../state/slices/pki-slice';
import { NAME_FIELDS, cleanName, lines } from './labels';
import { pkiPaths } from './paths';

const SAN_FIELDS: ReadonlyArray<{ key: keyof SubjectAltNames; label: string; placeholder: string }> = [
  { key: 'dns', label: 'DNS names', placeholder: 'app.example.com' },
  { key: 'ip', label: 'IP addresses', placeholder: '192.0.2.10' },
  { key: 'email', label: 'E-mail addresses', placeholder: 'alice@example.com' },
  { key: 'uri', label: 'URIs', placeholder: 'https://example.com/id' },
];
type SanText = Record<keyof SubjectAltNames, string>;
const EMPTY_SANS: SanText = { dns: '', ip: '', email: '', uri: '' };

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
    const s: SubjectAltNames = {};
    for (const f of SAN_FIELDS) {
      const l = lines(sans[f.key]);
      if (l.length) s[f.key] = l;
    }
    const r = await createCsr(key.id, { subject: cleanName(subject), sans: s });
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
        <a href={pkiPaths.certs}>Certificates</a> › Create a CSR
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
                No active ECDSA or RSA signing key pair in the vault. <a href={pkiPaths.newKey}>Generate one</a> first.
              </>
            ) : props.keyId && !key ? (
              'That key cannot sign a request (it is not an active ECDSA or RSA signing key pair); choose another.'
            ) : (
              'ECDSA and RSA signing key pairs can sign requests.'
            )}
          </p>
        </div>

        <fieldset className="fieldset">
          <legend>Subject</legend>
          {NAME_FIELDS.map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={fid(`dn-${f.key}`)}>{f.label}</label>
              <input
                id={fid(`dn-${f.key}`)}
                value={subject[f.key] ?? ''}
                maxLength={f.key === 'C' ? 2 : 64}
                autoComplete="off"
                onChange={(e) => setSubject({ ...subject, [f.key]: e.currentTarget.value })}
              />
            </div>
          ))}
        </fieldset>

        <fieldset className="fieldset">
          <legend>Subject alternative names</legend>
          <p className="hint">One per line. The CA decides which of them it certifies.</p>
          {SAN_FIELDS.map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={fid(`san-${f.key}`)}>{f.label}</label>
              <textarea
                id={fid(`san-${f.key}`)}
                rows={2}
                value={sans[f.key]}
                placeholder={f.placeholder}
                spellCheck={false}
                onChange={(e) => setSans({ ...sans, [f.key]: e.currentTarget.value })}
              />
            </div>
          ))}
        </fieldset>

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
            <a className="button" href={pkiPaths.issue}>
              Issue it with a CA here
            </a>
          </p>
        </section>
      ) : null}
      <StatusMessage>{message}</StatusMessage>
    </>
  );
}
