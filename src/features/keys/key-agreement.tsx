/**
 * "Use this key" for the keys that make or carry other keys (A4): agree a shared key
 * (ECDH, X25519), wrap and unwrap keys (AES-KW, AES-GCM, RSA-OAEP), encapsulate and
 * decapsulate (ML-KEM). Every result that is a key lands in the vault as a new key, shown
 * by name and key check value with a link to its page; no key bytes reach the page.
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { asKeyId, type KeyInfo } from '../../engine';
import { downloadFile, safeFileName } from '../../components/ui/download';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { useAppStore, useOp } from '../../state/engine-provider';
import { opNames } from '../../state/slices/keys-slice';
import { fullFingerprint } from './labels';
import { href } from '../../routes/routes';

/** SP 800-57: a suspended or compromised key processes only at the relying party's explicit risk. */
function isRisky(k: KeyInfo): boolean {
  return k.state === 'suspended' || k.state === 'compromised';
}

/** Every vault key, in list order; memoised on the store's stable fields. */
function useVaultKeys(): KeyInfo[] {
  const ids = useAppStore((s) => s.keys.ids);
  const byId = useAppStore((s) => s.keys.byId);
  return useMemo(() => ids.map((id) => byId[id]).filter((k): k is KeyInfo => k !== undefined), [ids, byId]);
}

/** "Name" with its check value, linked to the new key's page: what a person compares with the other side. */
function NewKeyResult(props: { verb: string; info: KeyInfo }) {
  const k = props.info;
  const what = k.fingerprint.kind === 'kcv' ? 'key check value' : 'fingerprint';
  return (
    <p>
      {props.verb} <a href={href({ name: 'key', id: k.id })}>{k.name}</a>, a new {k.template} key in this vault, {what} <code>{fullFingerprint(k.fingerprint)}</code>. Compare the {what}{' '}
      with the other side: the same value means the same key.
    </p>
  );
}

function RiskBox(props: { info: KeyInfo; action: string; checked: boolean; onChange: (v: boolean) => void }) {
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

const PASTE = '__paste_pem__';

/** ECDH / X25519: this key's private half with another party's public key, then HKDF. */
export function DeriveSection(props: { info: KeyInfo }) {
  const k = props.info;
  const derive = useAppStore((s) => s.keys.deriveKey);
  const op = useOp(opNames.derive(k.id));
  const peers = useVaultKeys().filter((p) => p.id !== k.id && p.template === k.template && p.kind !== 'secret');
  const [peer, setPeer] = useState('');
  const [pem, setPem] = useState('');
  const [name, setName] = useState(`Shared key of ${k.name}`);
  const [made, setMade] = useState<KeyInfo | null>(null);
  const ids = { peer: useId(), pem: useId(), name: useId(), hint: useId() };
  const busy = op?.status === 'busy';
  const chosen = peer || (peers.length ? peers[0]!.id : PASTE);

  async function onDerive(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setMade(null);
    // The select's value is an option's key id, read back from the DOM: branded through asKeyId.
    const r = await derive(k.id, chosen === PASTE ? { pem } : { keyId: asKeyId(chosen) }, { name, owner: k.owner });
    if (r.ok) setMade(r.value);
  }

  return (
    <div className="playground">
      <h3>Agree a shared key</h3>
      <p className="hint" id={ids.hint}>
        {k.template === 'X25519' ? 'X25519' : 'ECDH'} with the other party’s public key, then HKDF-SHA-256, gives a new non-extractable AES-256-GCM key in this vault. The other
        party does the same with this key’s public key and gets a key with the same key check value. Use it to encrypt, or to wrap a session key for them.
      </p>
      <form className="form" onSubmit={(e) => void onDerive(e)} aria-busy={busy} aria-describedby={ids.hint}>
        <div className="field">
          <label htmlFor={ids.peer}>Other party’s public key</label>
          <select id={ids.peer} value={chosen} onChange={(e) => setPeer(e.currentTarget.value)}>
            {peers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.owner ? ` (${p.owner})` : ''}
              </option>
            ))}
            <option value={PASTE}>Paste a PEM public key…</option>
          </select>
        </div>
        {chosen === PASTE ? (
          <div className="field">
            <label htmlFor={ids.pem}>PEM text of the other party’s key</label>
            <textarea id={ids.pem} rows={5} className="mono" spellCheck={false} value={pem} onChange={(e) => setPem(e.currentTarget.value)} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.name}>Name of the shared key</label>
          <input id={ids.name} value={name} onChange={(e) => setName(e.currentTarget.value)} />
        </div>
        <p className="actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Deriving…' : 'Derive shared key'}
          </button>
        </p>
        <ErrorAlert error={op?.status === 'error' ? op.error : null} title="No shared key was made" />
        <StatusMessage>{made ? <NewKeyResult verb="Derived" info={made} /> : null}</StatusMessage>
      </form>
    </div>
  );
}

/** Which vault keys this wrapping key can wrap: not itself, not public, exportable, and secret unless AES-GCM. */
function wrappable(wrapper: KeyInfo, target: KeyInfo): boolean {
  if (target.id === wrapper.id || target.kind === 'public' || !target.extractable) return false;
  return wrapper.template.startsWith('AES-GCM') || target.kind === 'secret';
}

/** Wrap a vault key under this key (base64 out, also as a file), and unwrap one into a new vault key. */
export function WrapSection(props: { info: KeyInfo }) {
  const k = props.info;
  const wrap = useAppStore((s) => s.keys.wrapKey);
  const unwrap = useAppStore((s) => s.keys.unwrapKey);
  const wrapOp = useOp(opNames.wrap(k.id));
  const unwrapOp = useOp(opNames.unwrap(k.id));
  const targets = useVaultKeys().filter((t) => wrappable(k, t));
  const [target, setTarget] = useState('');
  const [wrapped, setWrapped] = useState('');
  const [input, setInput] = useState('');
  const [name, setName] = useState('Unwrapped key');
  const [acknowledged, setAcknowledged] = useState(false);
  const [made, setMade] = useState<KeyInfo | null>(null);
  const ids = { target: useId(), out: useId(), input: useId(), name: useId() };
  const chosen = target || targets[0]?.id || '';
  const chosenInfo = targets.find((t) => t.id === chosen);

  async function onWrap(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setWrapped('');
    if (!chosen) return;
    const r = await wrap(k.id, asKeyId(chosen));
    if (r.ok) setWrapped(r.value);
  }
  async function onUnwrap(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setMade(null);
    const r = await unwrap(k.id, input, { name, owner: k.owner, ...(isRisky(k) && acknowledged ? { acknowledgeRisk: true } : {}) });
    if (r.ok) setMade(r.value);
  }

  return (
    <div className="playground">
      <h3>Wrap and unwrap keys</h3>
      <p className="hint">
        Wrapping encrypts another key under this one so it can travel or be stored safely. Only exportable keys can be wrapped
        {k.template.startsWith('AES-GCM') ? '' : ', and this key wraps secret keys only'}. An unwrapped key is stored non-extractable and keeps the original’s key check value
        or fingerprint.
      </p>
      {k.operations.includes('wrap') ? (
        <form className="form" onSubmit={(e) => void onWrap(e)} aria-busy={wrapOp?.status === 'busy'}>
          {targets.length === 0 ? (
            <p>No key in the vault can be wrapped by this key: create an exportable secret key first.</p>
          ) : (
            <div className="field">
              <label htmlFor={ids.target}>Key to wrap</label>
              <select
                id={ids.target}
                value={chosen}
                onChange={(e) => {
                  setTarget(e.currentTarget.value);
                  setWrapped('');
                }}
              >
                {targets.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name} ({t.template})
                  </option>
                ))}
              </select>
            </div>
          )}
          <p className="actions">
            <button type="submit" className="button" disabled={!chosen || wrapOp?.status === 'busy'}>
              Wrap key
            </button>
            {wrapped ? (
              <>
                <button type="button" className="button" onClick={() => downloadFile(wrapped, `${safeFileName(chosenInfo?.name ?? 'key')}.wrapped.b64`)}>
                  Download wrapped key
                </button>
                {k.operations.includes('unwrap') ? (
                  <button type="button" className="button" onClick={() => setInput(wrapped)}>
                    Use below to unwrap
                  </button>
                ) : null}
              </>
            ) : null}
          </p>
          <ErrorAlert error={wrapOp?.status === 'error' ? wrapOp.error : null} title="Not wrapped" />
          {wrapped ? (
            <div className="field">
              <label htmlFor={ids.out}>Wrapped key (base64)</label>
              <textarea id={ids.out} readOnly rows={4} className="mono" value={wrapped} spellCheck={false} />
            </div>
          ) : null}
        </form>
      ) : null}
      {k.operations.includes('unwrap') ? (
        <form className="form" onSubmit={(e) => void onUnwrap(e)} aria-busy={unwrapOp?.status === 'busy'}>
          <div className="field">
            <label htmlFor={ids.input}>Wrapped key to unwrap (base64)</label>
            <textarea id={ids.input} rows={4} className="mono" value={input} spellCheck={false} onChange={(e) => setInput(e.currentTarget.value)} />
          </div>
          <div className="field">
            <label htmlFor={ids.name}>Name of the unwrapped key</label>
            <input id={ids.name} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          </div>
          <RiskBox info={k} action="unwrapping" checked={acknowledged} onChange={setAcknowledged} />
          <p className="actions">
            <button type="submit" className="button" disabled={unwrapOp?.status === 'busy'}>
              Unwrap key
            </button>
          </p>
          <ErrorAlert error={unwrapOp?.status === 'error' ? unwrapOp.error : null} title="Not unwrapped" />
          <StatusMessage>{made ? <NewKeyResult verb="Unwrapped" info={made} /> : null}</StatusMessage>
        </form>
      ) : null}
    </div>
  );
}

/** ML-KEM-768: encapsulate to this key's public half; decapsulate with its private half. */
export function KemSection(props: { info: KeyInfo }) {
  const k = props.info;
  const encapsulate = useAppStore((s) => s.keys.encapsulate);
  const decapsulate = useAppStore((s) => s.keys.decapsulate);
  const encOp = useOp(opNames.encapsulate(k.id));
  const decOp = useOp(opNames.decapsulate(k.id));
  const [encName, setEncName] = useState(`Sent key for ${k.name}`);
  const [decName, setDecName] = useState(`Received key of ${k.name}`);
  const [ciphertext, setCiphertext] = useState('');
  const [input, setInput] = useState('');
  const [acknowledged, setAcknowledged] = useState(false);
  const [sent, setSent] = useState<KeyInfo | null>(null);
  const [received, setReceived] = useState<KeyInfo | null>(null);
  const ids = { encName: useId(), ct: useId(), input: useId(), decName: useId() };

  async function onEncapsulate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSent(null);
    setCiphertext('');
    const r = await encapsulate(k.id, { name: encName, owner: k.owner });
    if (r.ok) {
      setSent(r.value.key);
      setCiphertext(r.value.ciphertextBase64);
    }
  }
  async function onDecapsulate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setReceived(null);
    const r = await decapsulate(k.id, input, { name: decName, owner: k.owner, ...(isRisky(k) && acknowledged ? { acknowledgeRisk: true } : {}) });
    if (r.ok) setReceived(r.value);
  }

  return (
    <div className="playground">
      <h3>Encapsulate and decapsulate a shared key</h3>
      <p className="hint">
        ML-KEM-768 (FIPS 203): anyone with the public key makes a fresh shared key and a ciphertext; only the private key’s holder recovers the same key from the
        ciphertext. Both ends get a new non-extractable AES-256-GCM key with the same key check value. Needs a browser that offers ML-KEM.
      </p>
      {k.operations.includes('encapsulate') ? (
        <form className="form" onSubmit={(e) => void onEncapsulate(e)} aria-busy={encOp?.status === 'busy'}>
          <div className="field">
            <label htmlFor={ids.encName}>Name of the sender’s shared key</label>
            <input id={ids.encName} value={encName} onChange={(e) => setEncName(e.currentTarget.value)} />
          </div>
          <p className="actions">
            <button type="submit" className="button" disabled={encOp?.status === 'busy'}>
              Encapsulate
            </button>
            {ciphertext && k.operations.includes('decapsulate') ? (
              <button type="button" className="button" onClick={() => setInput(ciphertext)}>
                Use below to decapsulate
              </button>
            ) : null}
          </p>
          <ErrorAlert error={encOp?.status === 'error' ? encOp.error : null} title="Not encapsulated" />
          <StatusMessage>{sent ? <NewKeyResult verb="Made" info={sent} /> : null}</StatusMessage>
          {ciphertext ? (
            <div className="field">
              <label htmlFor={ids.ct}>Ciphertext to send (base64)</label>
              <textarea id={ids.ct} readOnly rows={5} className="mono" value={ciphertext} spellCheck={false} />
            </div>
          ) : null}
        </form>
      ) : null}
      {k.operations.includes('decapsulate') ? (
        <form className="form" onSubmit={(e) => void onDecapsulate(e)} aria-busy={decOp?.status === 'busy'}>
          <div className="field">
            <label htmlFor={ids.input}>Ciphertext received (base64)</label>
            <textarea id={ids.input} rows={5} className="mono" value={input} spellCheck={false} onChange={(e) => setInput(e.currentTarget.value)} />
          </div>
          <div className="field">
            <label htmlFor={ids.decName}>Name of the recovered shared key</label>
            <input id={ids.decName} value={decName} onChange={(e) => setDecName(e.currentTarget.value)} />
          </div>
          <RiskBox info={k} action="decapsulating" checked={acknowledged} onChange={setAcknowledged} />
          <p className="actions">
            <button type="submit" className="button" disabled={decOp?.status === 'busy'}>
              Decapsulate
            </button>
          </p>
          <ErrorAlert error={decOp?.status === 'error' ? decOp.error : null} title="Not decapsulated" />
          <StatusMessage>{received ? <NewKeyResult verb="Recovered" info={received} /> : null}</StatusMessage>
        </form>
      ) : null}
    </div>
  );
}
