/**
 * E8: the Verify screen (`#/verify`). Paste or drop a chain (PEM bundle, DER files, a
 * .p7b, a CSR's certificate reply), pick the trust anchors (Clavis CAs and imported
 * trusted roots) and the CRLs (Clavis's latest and imported ones), a time, a purpose, a
 * peer name, a profile and the revocation mode, and see the engine's verdict: the path,
 * every check in order with its rule, RFC section and sentence, and the other paths the
 * builder tried. The imported trust material is managed below the form; it is kept apart
 * from Clavis's own CAs by the engine.
 *
 * Nothing here is kept in the app store: the chain, the choices and the result live in
 * this screen only, and every engine call is guarded against a screen that has gone.
 */
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { CaId, CaInfo, CrlInfo, ImportedCertInfo, ImportedCrlInfo, ImportOutcome, PeerName, RevocationMode, VerifyProfile, VerifyPurpose, VerifyResult } from '../../engine';
import { toErrorInfo } from '../../engine';
import { DataTable } from '../../components/ui/data-table';
import { ChoiceField, Field } from '../../components/ui/field';
import { FileDrop } from '../../components/ui/file-drop';
import { StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { VerifyChecks } from '../../components/ui/verify-checks';
import { useEngine } from '../../state/engine-provider';
import type { ErrorInfo } from '../../state/types';

/** Files larger than this are refused before they are read (the engine caps again). */
const MAX_FILE_BYTES = 12 * 1024 * 1024;
const FILE_TYPES = '.pem,.crt,.cer,.der,.p7b,.p7c,.crl,.txt,application/pkix-cert,application/x-pkcs7-certificates,application/pkix-crl';

const PURPOSES: Array<{ value: VerifyPurpose; label: string }> = [
  { value: 'any', label: 'Any purpose' },
  { value: 'tls-server', label: 'TLS server (serverAuth)' },
  { value: 'tls-client', label: 'TLS client (clientAuth)' },
  { value: 'code-signing', label: 'Code signing (codeSigning)' },
  { value: 'email', label: 'E-mail protection (emailProtection)' },
];
const PROFILES: Array<{ value: VerifyProfile; label: string }> = [
  { value: 'rfc5280', label: 'RFC 5280' },
  { value: 'webpki', label: 'Web PKI (CA/Browser Forum rules)' },
];
const REVOCATION: Array<{ value: RevocationMode; label: string }> = [
  { value: 'require', label: 'Require a CRL for every certificate (fail closed)' },
  { value: 'if-available', label: 'Check CRLs where available' },
  { value: 'off', label: 'Do not check revocation' },
];

/** The kind of a peer name as typed: an e-mail address, an IP address, or a DNS name. */
export function peerOf(text: string): PeerName | undefined {
  const v = text.trim();
  if (!v) return undefined;
  if (v.includes('@')) return { kind: 'email', value: v };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v) || (v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v))) return { kind: 'ip', value: v };
  return { kind: 'dns', value: v };
}

/** An engine message ("pki: the file is empty") as a sentence ("The file is empty."). */
function sentence(message: string): string {
  const m = message.replace(/^[a-z]+: /, '');
  const s = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?)]$/.test(s) ? s : `${s}.`;
}

/** An engine error as a sentence, with its code on a details line. */
function Problem(props: { error: ErrorInfo | null; title: string }) {
  if (!props.error) return null;
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">
        <span aria-hidden="true">⚠ </span>
        {props.title}
      </p>
      <p className="alert-message">{sentence(props.error.message)}</p>
      <p className="hint">Error code: {props.error.code}</p>
    </div>
  );
}

async function readFiles(files: File[]): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const out: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const f of files) {
    if (f.size > MAX_FILE_BYTES) throw Object.assign(new Error(`verify: the file "${f.name}" is too large to read`), { code: 'MALFORMED_INPUT' });
    out.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  return out;
}

function fileError(e: unknown): ErrorInfo {
  if (e && typeof e === 'object' && 'code' in e && (e as { code: unknown }).code === 'MALFORMED_INPUT') return { code: 'MALFORMED_INPUT', message: (e as unknown as Error).message };
  return toErrorInfo(e);
}

interface Sources {
  cas: CaInfo[];
  caCrls: Record<string, CrlInfo>;
  certs: ImportedCertInfo[];
  crls: ImportedCrlInfo[];
}

/** Clavis's CAs (with their latest CRL) and the imported material, for the pickers. */
async function loadSources(engine: ReturnType<typeof useEngine>): Promise<Sources> {
  const pki = await engine.pki();
  const [cas, imported] = await Promise.all([pki.listCas(), pki.listImported()]);
  const caCrls: Record<string, CrlInfo> = {};
  for (const ca of cas) {
    const crl = await pki.getCrl(ca.id);
    if (crl) caCrls[ca.id] = crl;
  }
  return { cas, caCrls, certs: imported.certs, crls: imported.crls };
}

/** An imported CRL's number in decimal, or 'none'. */
function crlNumberText(c: ImportedCrlInfo): string {
  return c.crlNumber !== undefined ? BigInt(`0x${c.crlNumber}`).toString() : 'none';
}

/** Imported roots, certificates and CRLs: list, import, trust, remove. */
function ImportedSection(props: { sources: Sources; reload: () => Promise<void>; live: () => boolean }) {
  const engine = useEngine();
  const ids = { text: useId() };
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [status, setStatus] = useState('');

  async function act(f: () => Promise<string>) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const msg = await f();
      if (!props.live()) return;
      setStatus(msg);
      await props.reload();
    } catch (e) {
      if (props.live()) setError(fileError(e));
    } finally {
      if (props.live()) setBusy(false);
    }
  }

  const said = (o: ImportOutcome) =>
    `Imported ${o.added.length} item${o.added.length === 1 ? '' : 's'}` + (o.duplicates.length ? `; already imported: ${o.duplicates.map((d) => d.what).join(', ')}` : '') + '.';

  async function importText(e: FormEvent) {
    e.preventDefault();
    await act(async () => {
      const o = await (await engine.pki()).importTrustMaterial(text);
      if (props.live()) setText('');
      return said(o);
    });
  }

  const importFiles = (files: File[]) =>
    act(async () => {
      const pki = await engine.pki();
      const all: ImportOutcome = { added: [], duplicates: [] };
      for (const f of await readFiles(files)) {
        const o = await pki.importTrustMaterial(f.bytes);
        all.added.push(...o.added);
        all.duplicates.push(...o.duplicates);
      }
      return said(all);
    });

  const { certs, crls } = props.sources;
  return (
    <section aria-labelledby="verify-imported" className="panel">
      <h2 id="verify-imported">Imported roots, certificates and CRLs</h2>
      <p>
        Certificates and CRLs from outside Clavis are kept apart from Clavis’s own CAs: they never appear in the CA list and never sign anything. A
        certificate becomes a trust anchor only when you mark it, and only a self-signed CA certificate can be one.
      </p>
      <form onSubmit={(e) => void importText(e)}>
        <div className="field">
          <label htmlFor={ids.text}>PEM to import (certificates, CRLs or a PKCS #7 bundle)</label>
          <textarea id={ids.text} rows={5} value={text} onChange={(e) => setText(e.currentTarget.value)} spellCheck={false} className="mono" />
        </div>
        <p className="actions">
          <button type="submit" className="button" disabled={busy || !text.trim()}>
            Import
          </button>
        </p>
      </form>
      <FileDrop label="Import files" hint="PEM, DER (.cer, .crt, .der, .crl) or .p7b; each file is read strictly." accept={FILE_TYPES} multiple disabled={busy} onFile={(f) => void importFiles([f])} onFiles={(fs) => void importFiles(fs)} />
      <Problem error={error} title="Nothing was imported" />
      <StatusMessage>{status}</StatusMessage>

      <h3 id="verify-imported-certs">Imported certificates</h3>
      {certs.length === 0 ? (
        <p>No certificates imported.</p>
      ) : (
        <DataTable
          labelledBy="verify-imported-certs"
          plain
          frame={{ className: 'table-scroll' }}
          rows={certs}
          rowKey={(c) => c.id}
          columns={[
            { header: 'Subject', cell: (c) => <code>{c.subject}</code> },
            { header: 'Issuer', cell: (c) => <code>{c.issuer}</code> },
            { header: 'Valid until', cell: (c) => c.notAfter.slice(0, 10) },
            {
              header: 'Trust',
              cell: (c) =>
                c.trusted
                  ? 'Trusted root'
                  : c.isCa && c.selfSigned
                    ? 'Self-signed CA, not trusted'
                    : !c.isCa
                      ? 'Cannot be a trust anchor: not a CA certificate'
                      : 'Cannot be a trust anchor: not self-signed',
            },
            {
              header: 'Actions',
              cell: (c) => (
                <>
                  {c.isCa && c.selfSigned ? (
                    <button
                      type="button"
                      className="button button-small"
                      disabled={busy}
                      onClick={() =>
                        void act(async () => {
                          const r = await (await engine.pki()).setImportedTrust(c.id, !c.trusted);
                          return r.trusted ? `${c.subject} is now a trusted root.` : `${c.subject} is no longer trusted.`;
                        })
                      }
                    >
                      {c.trusted ? `Stop trusting ${c.subject}` : `Trust ${c.subject} as a root`}
                    </button>
                  ) : null}{' '}
                  <button
                    type="button"
                    className="button button-small button-danger"
                    disabled={busy}
                    onClick={() =>
                      void act(async () => {
                        await (await engine.pki()).removeImported(c.id);
                        return `Removed ${c.subject}.`;
                      })
                    }
                  >
                    Remove {c.subject}
                  </button>
                </>
              ),
            },
          ]}
        />
      )}
      <h3 id="verify-imported-crls">Imported CRLs</h3>
      {crls.length === 0 ? (
        <p>No CRLs imported.</p>
      ) : (
        <DataTable
          labelledBy="verify-imported-crls"
          plain
          frame={{ className: 'table-scroll' }}
          rows={crls}
          rowKey={(c) => c.id}
          columns={[
            { header: 'Issuer', cell: (c) => <code>{c.issuer}</code> },
            { header: 'Number', cell: (c) => crlNumberText(c) },
            { header: 'Entries', cell: (c) => c.entries },
            { header: 'This update', cell: (c) => `${c.thisUpdate.slice(0, 16).replace('T', ' ')} UTC` },
            {
              header: 'Actions',
              cell: (c) => (
                <button
                  type="button"
                  className="button button-small button-danger"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await (await engine.pki()).removeImported(c.id);
                      return `Removed the CRL of ${c.issuer}.`;
                    })
                  }
                >
                  Remove CRL of {c.issuer} number {crlNumberText(c)}
                </button>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}

/** E8: verify any chain against the anchors and CRLs picked. */
export function VerifyPage() {
  const engine = useEngine();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const live = useCallback(() => mounted.current, []);
  const ids = { chain: useId(), time: useId(), peer: useId(), peerHint: useId(), timeHint: useId() };

  const [sources, setSources] = useState<Sources>({ cas: [], caCrls: {}, certs: [], crls: [] });
  const [loadError, setLoadError] = useState<ErrorInfo | null>(null);
  const [chainText, setChainText] = useState('');
  const [files, setFiles] = useState<Array<{ name: string; bytes: Uint8Array }>>([]);
  const [anchorCas, setAnchorCas] = useState<CaId[]>([]);
  const [anchorImported, setAnchorImported] = useState<string[]>([]);
  const [crlCas, setCrlCas] = useState<CaId[]>([]);
  const [crlImported, setCrlImported] = useState<string[]>([]);
  const [time, setTime] = useState('');
  const [purpose, setPurpose] = useState<VerifyPurpose>('any');
  const [peer, setPeer] = useState('');
  const [profile, setProfile] = useState<VerifyProfile>('rfc5280');
  const [revocation, setRevocation] = useState<RevocationMode>('if-available');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [result, setResult] = useState<VerifyResult | null>(null);

  const reload = useCallback(async () => {
    try {
      const next = await loadSources(engine);
      if (!mounted.current) return;
      setSources(next);
      setLoadError(null);
    } catch (e) {
      if (mounted.current) setLoadError(toErrorInfo(e));
    }
  }, [engine]);

  useEffect(() => {
    let on = true;
    void (async () => {
      try {
        const next = await loadSources(engine);
        if (on) setSources(next);
      } catch (e) {
        if (on) setLoadError(toErrorInfo(e));
      }
    })();
    return () => {
      on = false;
    };
  }, [engine]);

  const toggle = <T extends string>(list: T[], set: (v: T[]) => void, id: T, on: boolean) => set(on ? [...new Set([...list, id])] : list.filter((x) => x !== id));

  async function addFiles(fs: File[]) {
    setError(null);
    try {
      const read = await readFiles(fs);
      if (mounted.current) setFiles((cur) => [...cur, ...read]);
    } catch (e) {
      if (mounted.current) setError(fileError(e));
    }
  }

  async function verify(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const at = time ? new Date(`${time}Z`) : undefined;
      if (at && !Number.isFinite(at.getTime())) throw Object.assign(new Error('verify: the verification time is not a valid date'), { code: 'MALFORMED_INPUT' });
      const p = peerOf(peer);
      const trustedIds = new Set(sources.certs.filter((c) => c.trusted).map((c) => c.id));
      const r = await (await engine.pki()).verifyInput({
        chain: [chainText, ...files.map((f) => f.bytes)],
        anchors: { caIds: anchorCas, importedIds: anchorImported.filter((id) => trustedIds.has(id)) },
        crls: { caIds: crlCas, importedIds: crlImported },
        purpose,
        profile,
        revocation,
        ...(at ? { at } : {}),
        ...(p ? { peer: p } : {}),
      });
      if (mounted.current) setResult(r);
    } catch (err) {
      if (mounted.current) setError(fileError(err));
    } finally {
      if (mounted.current) setBusy(false);
    }
  }

  const trustedRoots = sources.certs.filter((c) => c.trusted);
  const casWithCrl = sources.cas.filter((ca) => sources.caCrls[ca.id]);

  return (
    <>
      <PageTitle documentTitle="Verify a chain">Verify a certificate chain</PageTitle>
      <p>
        Clavis’s own RFC 5280 path builder and validator: the chain is built from the certificates you give, in any order, to one of the trust anchors you
        pick; every check comes back with its rule, the RFC section and a sentence.
      </p>
      <Problem error={loadError} title="The CAs and imported material could not be loaded" />
      <form aria-labelledby="verify-form" className="panel" onSubmit={(e) => void verify(e)}>
        <h2 id="verify-form">What to verify</h2>
        <div className="field">
          <label htmlFor={ids.chain}>Chain (PEM), in any order</label>
          <textarea id={ids.chain} rows={8} value={chainText} onChange={(e) => setChainText(e.currentTarget.value)} spellCheck={false} className="mono" />
        </div>
        <FileDrop
          label="Chain files"
          hint="PEM bundles, DER certificates, a .p7b, or the certificate reply to a CSR. The certificate verified is the one that issued none of the others."
          accept={FILE_TYPES}
          multiple
          onFile={(f) => void addFiles([f])}
          onFiles={(fs) => void addFiles(fs)}
        />
        {files.length ? (
          <ul aria-label="Chain files chosen">
            {files.map((f, i) => (
              <li key={`${i}-${f.name}`}>
                {f.name} ({f.bytes.length} bytes){' '}
                <button type="button" className="button button-small" onClick={() => setFiles((cur) => cur.filter((_, j) => j !== i))}>
                  Remove file {f.name}
                </button>
              </li>
            ))}
          </ul>
        ) : null}

        <fieldset>
          <legend>Trust anchors</legend>
          {sources.cas.length === 0 && trustedRoots.length === 0 ? <p>No Clavis CA and no imported trusted root yet: create a CA, or import a root below and trust it.</p> : null}
          {sources.cas.map((ca) => (
            <div className="checkbox" key={ca.id}>
              <label>
                <input type="checkbox" checked={anchorCas.includes(ca.id)} onChange={(e) => toggle(anchorCas, setAnchorCas, ca.id, e.currentTarget.checked)} /> Clavis CA: {ca.name}
              </label>
            </div>
          ))}
          {trustedRoots.map((c) => (
            <div className="checkbox" key={c.id}>
              <label>
                <input type="checkbox" checked={anchorImported.includes(c.id)} onChange={(e) => toggle(anchorImported, setAnchorImported, c.id, e.currentTarget.checked)} /> Imported root: {c.subject}
              </label>
            </div>
          ))}
        </fieldset>

        <fieldset>
          <legend>CRLs to use</legend>
          {casWithCrl.length === 0 && sources.crls.length === 0 ? <p>No CRL available. CRLs inside the chain input are used too.</p> : null}
          {casWithCrl.map((ca) => (
            <div className="checkbox" key={ca.id}>
              <label>
                <input type="checkbox" checked={crlCas.includes(ca.id)} onChange={(e) => toggle(crlCas, setCrlCas, ca.id, e.currentTarget.checked)} /> Latest CRL of {ca.name} (number {sources.caCrls[ca.id]!.number})
              </label>
            </div>
          ))}
          {sources.crls.map((c) => (
            <div className="checkbox" key={c.id}>
              <label>
                <input type="checkbox" checked={crlImported.includes(c.id)} onChange={(e) => toggle(crlImported, setCrlImported, c.id, e.currentTarget.checked)} /> Imported CRL of {c.issuer}
                {c.crlNumber !== undefined ? ` (number ${BigInt(`0x${c.crlNumber}`).toString()})` : ''}
              </label>
            </div>
          ))}
        </fieldset>

        <div className="field">
          <label htmlFor={ids.time}>Verification time (UTC)</label>
          <input id={ids.time} type="datetime-local" step={1} value={time} onChange={(e) => setTime(e.currentTarget.value)} aria-describedby={ids.timeHint} />
          <p className="hint" id={ids.timeHint}>
            Leave empty for now.
          </p>
        </div>
        <ChoiceField label="Purpose (extended key usage)" value={purpose} onChange={setPurpose} choices={PURPOSES} />
        <div className="field">
          <label htmlFor={ids.peer}>Peer name</label>
          <input id={ids.peer} type="text" value={peer} onChange={(e) => setPeer(e.currentTarget.value)} aria-describedby={ids.peerHint} autoComplete="off" spellCheck={false} />
          <p className="hint" id={ids.peerHint}>
            A DNS name, an IP address or an e-mail address the certificate must name; leave empty to skip.
          </p>
        </div>
        <Field label="Profile">
          {(control) => (
            <select {...control} value={profile} onChange={(e) => setProfile(e.currentTarget.value as VerifyProfile)}>
              {PROFILES.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Revocation">
          {(control) => (
            <select {...control} value={revocation} onChange={(e) => setRevocation(e.currentTarget.value as RevocationMode)}>
              {REVOCATION.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <p className="actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Verifying…' : 'Verify'}
          </button>
        </p>
        <Problem error={error} title="The chain could not be verified" />
      </form>

      <section aria-labelledby="verify-result" className="panel" aria-live="polite">
        <h2 id="verify-result">Result</h2>
        {result ? <VerifyChecks result={result} showPath /> : <p>{busy ? 'Verifying…' : 'No verification yet.'}</p>}
      </section>

      <ImportedSection sources={sources} reload={reload} live={live} />
    </>
  );
}
