// The key page's "Use this key" sections: encrypt and decrypt text and files, sign and verify.
import { useId, useState, type FormEvent } from 'react';
import { fromBase64, type KeyInfo } from '../../engine';
import { downloadFile, safeFileName } from '../../components/ui/download';
import { formatBytes } from '../../components/ui/format';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { useAppStore, useOp } from '../../state/engine-provider';
import { opNames, type SignatureEncoding } from '../../state/slices/keys-slice';

/** What the signature's bytes are, said next to it. */
function encodingNote(template: string, encoding: SignatureEncoding, bytes: number): string {
  if (!template.startsWith('ECDSA')) return `${bytes} bytes, the ${template} signature as every tool writes it.`;
  return encoding === 'der'
    ? `Encoding: DER (ASN.1 ECDSA-Sig-Value, ${bytes} bytes), as openssl dgst, Python cryptography and X.509 use.`
    : `Encoding: raw r‖s (${bytes} bytes), as JOSE/JWS and WebCrypto use; openssl and Python expect DER.`;
}

/** SP 800-57: a suspended or compromised key processes only at the relying party's explicit risk. */
function isRisky(k: KeyInfo): boolean {
  return k.state === 'suspended' || k.state === 'compromised';
}

/** The explicit acknowledgement a person gives before processing with a risky key. */
function RiskAcknowledgement(props: { info: KeyInfo; action: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId();
  if (!isRisky(props.info)) return null;
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <label htmlFor={id}>
        I acknowledge the risk of {props.action} with a {props.info.state} key
      </label>
    </div>
  );
}

/** Encrypt text to printable ciphertext (a Clavis envelope or a Fernet token), and back. */
export function TextCryptSection(props: { info: KeyInfo }) {
  const k = props.info;
  const encryptText = useAppStore((s) => s.keys.encryptText);
  const decryptText = useAppStore((s) => s.keys.decryptText);
  const encOp = useOp(opNames.encryptText(k.id));
  const decOp = useOp(opNames.decryptText(k.id));
  const [plain, setPlain] = useState('');
  const [encrypted, setEncrypted] = useState('');
  const [cipher, setCipher] = useState('');
  const [decrypted, setDecrypted] = useState<string | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const ids = { plain: useId(), out: useId(), cipher: useId(), dec: useId() };
  const risky = isRisky(k);
  const fernet = k.template === 'FERNET';
  const what = fernet ? 'Fernet token' : 'Encrypted text';

  async function onEncrypt(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setEncrypted('');
    const r = await encryptText(k.id, plain);
    if (r.ok) setEncrypted(r.value);
  }
  async function onDecrypt(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setDecrypted(null);
    const r = await decryptText(k.id, cipher, { acknowledgeRisk: risky && acknowledged });
    if (r.ok) setDecrypted(r.value);
  }

  return (
    <div className="playground">
      <h3>Encrypt and decrypt text</h3>
      {k.operations.includes('encrypt') ? (
        <form className="form" onSubmit={(e) => void onEncrypt(e)} aria-busy={encOp?.status === 'busy'}>
          <div className="field">
            <label htmlFor={ids.plain}>Text to encrypt</label>
            <textarea id={ids.plain} rows={3} value={plain} onChange={(e) => setPlain(e.currentTarget.value)} />
          </div>
          <p className="actions">
            <button type="submit" className="button" disabled={encOp?.status === 'busy'}>
              Encrypt
            </button>
            {encrypted ? (
              <button type="button" className="button" onClick={() => setCipher(encrypted)}>
                Use below to decrypt
              </button>
            ) : null}
          </p>
          <ErrorAlert error={encOp?.status === 'error' ? encOp.error : null} title="Not encrypted" />
          {encrypted ? (
            <div className="field">
              <label htmlFor={ids.out}>{what}</label>
              <textarea id={ids.out} readOnly rows={4} className="mono" value={encrypted} spellCheck={false} />
            </div>
          ) : null}
        </form>
      ) : null}
      {k.operations.includes('decrypt') ? (
        <form className="form" onSubmit={(e) => void onDecrypt(e)} aria-busy={decOp?.status === 'busy'}>
          <div className="field">
            <label htmlFor={ids.cipher}>{fernet ? 'Fernet token to decrypt' : 'Ciphertext to decrypt'}</label>
            <textarea id={ids.cipher} rows={4} className="mono" value={cipher} onChange={(e) => setCipher(e.currentTarget.value)} spellCheck={false} />
          </div>
          <RiskAcknowledgement info={k} action="decrypting this text" checked={acknowledged} onChange={setAcknowledged} />
          <p className="actions">
            <button type="submit" className="button" disabled={decOp?.status === 'busy'}>
              Decrypt
            </button>
          </p>
          <ErrorAlert error={decOp?.status === 'error' ? decOp.error : null} title="Not decrypted" />
          {decrypted !== null ? (
            <div className="field">
              <label htmlFor={ids.dec}>Decrypted text</label>
              <textarea id={ids.dec} readOnly rows={3} value={decrypted} />
            </div>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}

/** Encrypt a file to `<name>.clavis`, or decrypt one back; the result downloads. */
export function FileCryptSection(props: { info: KeyInfo }) {
  const k = props.info;
  const encryptFile = useAppStore((s) => s.keys.encryptFile);
  const decryptFile = useAppStore((s) => s.keys.decryptFile);
  const encOp = useOp(opNames.encryptFile(k.id));
  const decOp = useOp(opNames.decryptFile(k.id));
  const [encFile, setEncFile] = useState<File | null>(null);
  const [decFile, setDecFile] = useState<File | null>(null);
  const [encDone, setEncDone] = useState('');
  const [decDone, setDecDone] = useState('');
  const [acknowledged, setAcknowledged] = useState(false);
  const ids = { enc: useId(), dec: useId() };
  const encBusy = encOp?.status === 'busy';
  const decBusy = decOp?.status === 'busy';

  async function onEncrypt(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!encFile) return;
    setEncDone('');
    const r = await encryptFile(k.id, new Uint8Array(await encFile.arrayBuffer()));
    if (!r.ok) return;
    const name = `${encFile.name}.clavis`;
    downloadFile(r.value, name);
    setEncDone(`Encrypted ${encFile.name}: saved ${name} (${formatBytes(r.value.length)})`);
  }
  async function onDecrypt(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!decFile) return;
    setDecDone('');
    const r = await decryptFile(k.id, new Uint8Array(await decFile.arrayBuffer()), { acknowledgeRisk: isRisky(k) && acknowledged });
    if (!r.ok) return;
    const name = decFile.name.endsWith('.clavis') && decFile.name.length > 7 ? decFile.name.slice(0, -7) : `${decFile.name}.decrypted`;
    downloadFile(r.value.plaintext, name);
    const other = r.value.keyId !== k.id ? ' The file names another key in the vault, which decrypted it.' : '';
    setDecDone(`Decrypted ${decFile.name}: saved ${name} (${formatBytes(r.value.plaintext.length)}).${other}`);
  }

  return (
    <div className="playground">
      <h3>Encrypt and decrypt files</h3>
      <p className="hint">Files are read into memory in this tab; nothing is uploaded. Large files are encrypted in a background worker so the page stays responsive.</p>
      {k.operations.includes('encrypt') ? (
        <form className="form" onSubmit={(e) => void onEncrypt(e)} aria-busy={encBusy}>
          <div className="field">
            <label htmlFor={ids.enc}>File to encrypt</label>
            <input id={ids.enc} type="file" onChange={(e) => setEncFile(e.currentTarget.files?.[0] ?? null)} disabled={encBusy} />
          </div>
          <p className="actions">
            <button type="submit" className="button" disabled={!encFile || encBusy}>
              {encBusy ? 'Encrypting…' : 'Encrypt and download'}
            </button>
          </p>
          <ErrorAlert error={encOp?.status === 'error' ? encOp.error : null} title="The file was not encrypted" />
          <StatusMessage>{encBusy && encFile ? `Encrypting ${encFile.name} (${formatBytes(encFile.size)})…` : encDone}</StatusMessage>
        </form>
      ) : null}
      {k.operations.includes('decrypt') ? (
        <form className="form" onSubmit={(e) => void onDecrypt(e)} aria-busy={decBusy}>
          <div className="field">
            <label htmlFor={ids.dec}>Encrypted file to decrypt (.clavis)</label>
            <input id={ids.dec} type="file" onChange={(e) => setDecFile(e.currentTarget.files?.[0] ?? null)} disabled={decBusy} />
          </div>
          <RiskAcknowledgement info={k} action="decrypting this file" checked={acknowledged} onChange={setAcknowledged} />
          <p className="actions">
            <button type="submit" className="button" disabled={!decFile || decBusy}>
              {decBusy ? 'Decrypting…' : 'Decrypt and download'}
            </button>
          </p>
          <ErrorAlert error={decOp?.status === 'error' ? decOp.error : null} title="The file was not decrypted" />
          <StatusMessage>{decBusy && decFile ? `Decrypting ${decFile.name} (${formatBytes(decFile.size)})…` : decDone}</StatusMessage>
        </form>
      ) : null}
    </div>
  );
}

/** Sign text (signature as base64) and verify a signature, with a clear Valid/Invalid verdict. */
export function SignVerifySection(props: { info: KeyInfo }) {
  const k = props.info;
  const signText = useAppStore((s) => s.keys.signText);
  const verifyText = useAppStore((s) => s.keys.verifyText);
  const signOp = useOp(opNames.sign(k.id));
  const verifyOp = useOp(opNames.verify(k.id));
  const [message, setMessage] = useState('');
  const [signature, setSignature] = useState('');
  const [checkMessage, setCheckMessage] = useState('');
  const [checkSignature, setCheckSignature] = useState('');
  const [verdict, setVerdict] = useState<boolean | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const [encoding, setEncoding] = useState<SignatureEncoding>('der');
  const [signedAs, setSignedAs] = useState<SignatureEncoding>('der');
  const ids = { msg: useId(), sig: useId(), cmsg: useId(), csig: useId(), enc: useId(), note: useId() };
  const mac = k.template.startsWith('HMAC');
  const ecdsa = k.template.startsWith('ECDSA');
  const tag = mac ? 'MAC tag' : 'Signature';

  async function onSign(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSignature('');
    const r = await signText(k.id, message, ecdsa ? encoding : undefined);
    if (r.ok) {
      setSignature(r.value);
      setSignedAs(encoding);
    }
  }
  async function onVerify(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setVerdict(null);
    const r = await verifyText(k.id, checkMessage, checkSignature, { acknowledgeRisk: isRisky(k) && acknowledged, ...(ecdsa ? { encoding } : {}) });
    if (r.ok) setVerdict(r.value);
  }

  return (
    <div className="playground">
      <h3>{mac ? 'Authenticate and check text' : 'Sign and verify text'}</h3>
      {ecdsa ? (
        <div className="field">
          <label htmlFor={ids.enc}>Signature encoding</label>
          <select
            id={ids.enc}
            value={encoding}
            onChange={(e) => {
              setEncoding(e.currentTarget.value as SignatureEncoding);
              setVerdict(null);
            }}
          >
            <option value="der">DER (openssl, Python, X.509)</option>
            <option value="raw">Raw r‖s (JOSE, WebCrypto)</option>
          </select>
        </div>
      ) : null}
      {k.operations.includes('sign') ? (
        <form className="form" onSubmit={(e) => void onSign(e)} aria-busy={signOp?.status === 'busy'}>
          <div className="field">
            <label htmlFor={ids.msg}>Message to sign</label>
            <textarea id={ids.msg} rows={3} value={message} onChange={(e) => setMessage(e.currentTarget.value)} />
          </div>
          <p className="actions">
            <button type="submit" className="button" disabled={signOp?.status === 'busy'}>
              Sign
            </button>
            {signature && k.operations.includes('verify') ? (
              <button
                type="button"
                className="button"
                onClick={() => {
                  setCheckMessage(message);
                  setCheckSignature(signature);
                  setVerdict(null);
                }}
              >
                Use below to verify
              </button>
            ) : null}
          </p>
          <ErrorAlert error={signOp?.status === 'error' ? signOp.error : null} title="Not signed" />
          {signature ? (
            <div className="field">
              <label htmlFor={ids.sig}>{tag} (base64)</label>
              <textarea id={ids.sig} readOnly rows={3} className="mono" value={signature} spellCheck={false} aria-describedby={ids.note} />
              <p className="hint" id={ids.note}>
                {mac ? `${fromBase64(signature).length} bytes of HMAC.` : encodingNote(k.template, signedAs, fromBase64(signature).length)}
              </p>
              <p className="actions">
                <button type="button" className="button" onClick={() => downloadFile(fromBase64(signature), `${safeFileName(k.name)}${mac ? '.mac' : '.sig'}`)}>
                  Download {mac ? 'MAC tag' : 'signature'} file
                </button>
              </p>
            </div>
          ) : null}
        </form>
      ) : null}
      {k.operations.includes('verify') ? (
        <form className="form" onSubmit={(e) => void onVerify(e)} aria-busy={verifyOp?.status === 'busy'}>
          <div className="field">
            <label htmlFor={ids.cmsg}>Message to verify</label>
            <textarea
              id={ids.cmsg}
              rows={3}
              value={checkMessage}
              onChange={(e) => {
                setCheckMessage(e.currentTarget.value);
                setVerdict(null);
              }}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.csig}>{tag} to check (base64)</label>
            <textarea
              id={ids.csig}
              rows={3}
              className="mono"
              value={checkSignature}
              spellCheck={false}
              onChange={(e) => {
                setCheckSignature(e.currentTarget.value);
                setVerdict(null);
              }}
            />
          </div>
          <RiskAcknowledgement info={k} action="verifying this signature" checked={acknowledged} onChange={setAcknowledged} />
          <p className="actions">
            <button type="submit" className="button" disabled={verifyOp?.status === 'busy'}>
              Verify
            </button>
          </p>
          <ErrorAlert error={verifyOp?.status === 'error' ? verifyOp.error : null} title="Not verified" />
          <StatusMessage className={verdict === null ? '' : verdict ? 'verdict verdict-valid' : 'verdict verdict-invalid'}>
            {verdict === null ? '' : verdict ? `✓ Valid: the ${tag.toLowerCase()} matches this message and key.` : `✗ Invalid: the ${tag.toLowerCase()} does not match this message and key.`}
          </StatusMessage>
        </form>
      ) : null}
    </div>
  );
}
