// The key page's export sections: public key formats and protected secret-key export.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { KeyInfo, ProtectedExportFormat, PublicExportFormat, UnprotectedExportFormat } from '../../engine';
import { VaultLockedNotice } from './locked-notice';
import { downloadFile, safeFileName } from '../../components/ui/download';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { useAppStore, useOp } from '../../state/engine-provider';
import { opNames } from '../../state/slices/keys-slice';
import type { ErrorInfo } from '../../state/types';

const PUBLIC_FILES: Record<PublicExportFormat, { suffix: string; type: string; label: string }> = {
  pem: { suffix: '-public.pem', type: 'application/x-pem-file', label: 'Download public key (PEM)' },
  der: { suffix: '-public.der', type: 'application/octet-stream', label: 'Download public key (DER)' },
  jwk: { suffix: '-public.jwk.json', type: 'application/json', label: 'Download public key (JWK)' },
  openssh: { suffix: '.pub', type: 'text/plain', label: 'Download public key (OpenSSH)' },
};

/** SSH has key types for signature keys only (Ed25519, ECDSA, RSA). */
function publicFormatsOf(k: KeyInfo): PublicExportFormat[] {
  const ssh = /^(ECDSA|Ed25519|RSA-PSS|RSASSA)/.test(k.template);
  return (Object.keys(PUBLIC_FILES) as PublicExportFormat[]).filter((f) => f !== 'openssh' || ssh);
}

/** Key pairs and public keys: the SPKI PEM shown as text, plus PEM/DER/JWK downloads. */
export function PublicKeySection(props: { info: KeyInfo }) {
  const k = props.info;
  const exportPublicKey = useAppStore((s) => s.keys.exportPublicKey);
  const exportPublicKeyDer = useAppStore((s) => s.keys.exportPublicKeyDer);
  const op = useOp(opNames.exportPublic(k.id));
  const [pem, setPem] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const textId = useId();

  useEffect(() => {
    let live = true;
    void exportPublicKey(k.id, 'pem').then((r) => {
      if (live && r.ok) setPem(r.value);
    });
    return () => {
      live = false;
    };
  }, [k.id, exportPublicKey]);

  async function download(format: PublicExportFormat) {
    setDone('');
    const r = format === 'der' ? await exportPublicKeyDer(k.id) : await exportPublicKey(k.id, format);
    if (!r.ok) return;
    const f = PUBLIC_FILES[format];
    const name = `${safeFileName(k.name)}${f.suffix}`;
    downloadFile(r.value, name, f.type);
    setDone(`Saved ${name}`);
  }

  return (
    <section aria-labelledby="key-public" className="panel">
      <h2 id="key-public">Public key</h2>
      <p>The public half is safe to share: others use it to {k.operations.includes('verify') ? 'verify your signatures' : 'encrypt to you or agree keys with you'}.</p>
      <div className="field">
        <label htmlFor={textId}>Public key (PEM)</label>
        <textarea id={textId} readOnly rows={pem ? Math.min(14, pem.split('\n').length + 1) : 3} value={pem ?? ''} className="mono" spellCheck={false} />
      </div>
      <p className="actions">
        {publicFormatsOf(k).map((f) => (
          <button key={f} type="button" className="button" onClick={() => void download(f)} disabled={op?.status === 'busy'}>
            {PUBLIC_FILES[f].label}
          </button>
        ))}
      </p>
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The public key could not be exported" />
      <StatusMessage>{done}</StatusMessage>
    </section>
  );
}

/** A clear format: a text one, or the raw key bytes. */
interface SecretFormat {
  format: UnprotectedExportFormat | 'raw';
  label: string;
  suffix: string;
  type: string;
}

function clearFormats(k: KeyInfo): SecretFormat[] {
  if (k.template === 'FERNET') return [{ format: 'fernet', label: 'Download Fernet key', suffix: '.fernet.txt', type: 'text/plain' }];
  const jwk: SecretFormat = { format: 'jwk', label: `Download ${k.kind === 'secret' ? 'secret' : 'private'} key (JWK)`, suffix: '.jwk.json', type: 'application/json' };
  if (k.kind === 'secret') return [jwk, { format: 'raw', label: 'Download raw key bytes', suffix: '.key', type: 'application/octet-stream' }];
  return [jwk, { format: 'pkcs8-pem', label: 'Download private key (PKCS #8 PEM, unencrypted)', suffix: '-private.pem', type: 'application/x-pem-file' }];
}

/**
 * Export of an exportable key's secret or private part. Unencrypted formats carry a
 * warning; key pairs also get passphrase-encrypted PKCS #8. The exported value goes
 * straight to a download and is never rendered; passphrases are cleared after use.
 */
export function SecretExportSection(props: { info: KeyInfo }) {
  const k = props.info;
  const exportKey = useAppStore((s) => s.keys.exportKey);
  const exportUnprotected = useAppStore((s) => s.keys.dangerouslyExportUnprotectedKey);
  const exportRaw = useAppStore((s) => s.keys.dangerouslyExportRawSecret);
  const op = useOp(opNames.exportSecret(k.id));
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [formError, setFormError] = useState<ErrorInfo | null>(null);
  const [done, setDone] = useState('');
  const ids = { pass: useId(), confirm: useId(), help: useId() };
  const busy = op?.status === 'busy';
  const pair = k.kind === 'key-pair';
  const protectable = pair || k.template !== 'FERNET';

  async function save(f: { format: SecretFormat['format'] } | { format: ProtectedExportFormat; passphrase: string }, suffix: string, type: string) {
    setDone('');
    const r =
      'passphrase' in f ? await exportKey(k.id, f) : f.format === 'raw' ? await exportRaw(k.id) : await exportUnprotected(k.id, f.format);
    if (!r.ok) return;
    const name = `${safeFileName(k.name)}${suffix}`;
    downloadFile(r.value, name, type);
    setDone(`Saved ${name}`);
  }

  async function onEncrypted(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setFormError(null);
    // A new attempt: the last "Saved …" must not stand beside this attempt's error.
    setDone('');
    const pass = passphrase;
    const again = confirm;
    // The passphrase leaves component state and the inputs as soon as it is used.
    setPassphrase('');
    setConfirm('');
    if (pass.length === 0) {
      setFormError({ code: 'INVALID_ARGUMENT', message: 'Enter a passphrase to protect the file.' });
      return;
    }
    if (pass !== again) {
      setFormError({ code: 'INVALID_ARGUMENT', message: 'The two passphrases do not match. Type them again.' });
      return;
    }
    if (pair) await save({ format: 'pkcs8-encrypted-pem', passphrase: pass }, '-private-encrypted.pem', 'application/x-pem-file');
    else await save({ format: 'jwe-pbes2', passphrase: pass }, '.jwe', 'application/jose');
  }

  return (
    <section aria-labelledby="key-export" className="panel">
      <h2 id="key-export">Export the {pair ? 'private' : 'secret'} key</h2>
      <VaultLockedNotice info={k} />
      {protectable ? (
        <form className="form" onSubmit={(e) => void onEncrypted(e)} aria-labelledby="key-export-p8">
          <h3 id="key-export-p8">{pair ? 'Encrypted PKCS #8 (recommended)' : 'Passphrase-protected JWE (recommended)'}</h3>
          {pair ? (
            <p id={ids.help} className="hint">
              A PEM file (PKCS #8 EncryptedPrivateKeyInfo) locked with your passphrase, which openssl and other tools can open. Clavis does not keep the passphrase.
            </p>
          ) : (
            <p id={ids.help} className="hint">
              A .jwe file: the key as a JSON Web Key, encrypted under your passphrase with JWE PBES2-HS512+A256KW and A256GCM (RFC 7518; 600,000 PBKDF2 iterations). Clavis
              imports it back with the passphrase; JOSE libraries such as jose (JavaScript), jwcrypto (Python) and Nimbus (Java), and{' '}
              <code>step crypto jwe decrypt</code>, open it too. openssl has no format for a protected symmetric key. Clavis does not keep the passphrase.
            </p>
          )}
          <div className="field">
            <label htmlFor={ids.pass}>Passphrase</label>
            <input id={ids.pass} type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} aria-describedby={ids.help} />
          </div>
          <div className="field">
            <label htmlFor={ids.confirm}>Confirm passphrase</label>
            <input id={ids.confirm} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} />
          </div>
          <ErrorAlert error={formError} title="Not exported" />
          <p className="actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {pair ? 'Download encrypted PKCS #8' : 'Download passphrase-protected key (JWE)'}
            </button>
          </p>
        </form>
      ) : null}
      <h3>Unencrypted</h3>
      <p className="warning">
        <strong>Warning:</strong> these files hold the key in the clear. Anyone who gets the file can use the key.
      </p>
      <p className="actions">
        {clearFormats(k).map((f) => (
          <button key={f.format} type="button" className="button" disabled={busy} onClick={() => void save({ format: f.format }, f.suffix, f.type)}>
            {f.label}
          </button>
        ))}
      </p>
      {k.template === 'FERNET' ? <FernetReveal info={k} /> : null}
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The key could not be exported" />
      <StatusMessage>{busy ? 'Exporting…' : done}</StatusMessage>
    </section>
  );
}

/**
 * A Fernet key is a shared string by definition (Python's `Fernet(key)`), so it can be
 * shown, but only when asked: hidden by default, gone from the page when hidden again.
 * Showing it is an export and is audited like one.
 */
function FernetReveal(props: { info: KeyInfo }) {
  const exportUnprotected = useAppStore((s) => s.keys.dangerouslyExportUnprotectedKey);
  const [shown, setShown] = useState<string | null>(null);
  const fieldId = useId();
  const regionId = useId();

  async function toggle() {
    if (shown !== null) {
      setShown(null);
      return;
    }
    const r = await exportUnprotected(props.info.id, 'fernet');
    if (r.ok) setShown(r.value);
  }

  return (
    <div className="field">
      <p className="actions">
        <button type="button" className="button" aria-expanded={shown !== null} aria-controls={regionId} onClick={() => void toggle()}>
          {shown === null ? 'Show Fernet key' : 'Hide Fernet key'}
        </button>
      </p>
      <div id={regionId}>
        {shown !== null ? (
          <>
            <label htmlFor={fieldId}>Fernet key</label>
            <input id={fieldId} readOnly className="mono" value={shown} spellCheck={false} autoComplete="off" />
            <p className="hint">Anyone who sees this string can read and forge your tokens. Hide it when you have copied it.</p>
          </>
        ) : null}
      </div>
    </div>
  );
}
