// The page that imports a key, sniffing its format and asking for a passphrase when needed.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { SniffedFormat, TemplateName } from '../../engine';
import { FileDrop } from '../../components/ui/file-drop';
import { formatBytes } from '../../components/ui/format';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore, useOp } from '../../state/engine-provider';
import { opNames } from '../../state/slices/keys-slice';
import type { ErrorInfo, Result } from '../../state/types';
import { formatLabel, needsPassphrase } from './labels';
import { href, type Navigate } from '../../routes/routes';
import { TemplateSelect } from './template-select';

/** Where the key data came from: a chosen/dropped file, or pasted text. */
type Source = { kind: 'file'; fileName: string; size: number; bytes: Uint8Array } | { kind: 'text'; text: string };

const MAX_IMPORT_BYTES = 1024 * 1024;

function baseName(fileName: string): string {
  return fileName.replace(/\.[^.]*$/, '').slice(0, 200);
}

/**
 * A5 import: a file (picker or drag and drop) or pasted text; the sniffed format is
 * shown before anything is imported, with a passphrase field for encrypted PKCS #8 and
 * a template choice for raw bytes and ambiguous encodings.
 */
export function ImportKeyPage(props: { navigate: Navigate }) {
  const templates = useAppStore((s) => s.keys.templates);
  const templatesStatus = useAppStore((s) => s.keys.templatesStatus);
  const sniffKeyFormat = useAppStore((s) => s.keys.sniffKeyFormat);
  const importKey = useAppStore((s) => s.keys.importKey);
  const clearOp = useAppStore((s) => s.keys.clearOp);
  const op = useOp(opNames.import);
  const [source, setSource] = useState<Source | null>(null);
  const [pasted, setPasted] = useState('');
  const [readError, setReadError] = useState<ErrorInfo | null>(null);
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [template, setTemplate] = useState<TemplateName | ''>('');
  const [exportable, setExportable] = useState(false);
  const ids = { paste: useId(), name: useId(), owner: useId(), pass: useId(), exportable: useId(), exportableHelp: useId() };
  const busy = op?.status === 'busy';

  useEffect(() => () => clearOp(opNames.import), [clearOp]);

  // The format of what was given, named once the import code has loaded (a moment, on first use).
  // Kept with the source it names, so a new source shows no stale format while it is sniffed.
  const [named, setNamed] = useState<{ of: typeof source; result: Result<SniffedFormat> } | null>(null);
  useEffect(() => {
    if (!source) return;
    let live = true;
    void sniffKeyFormat(source.kind === 'file' ? source.bytes : source.text).then((result) => {
      if (live) setNamed({ of: source, result });
    });
    return () => {
      live = false;
    };
  }, [source, sniffKeyFormat]);
  const sniffed = source && named?.of === source ? named.result : null;
  const format: SniffedFormat | null = sniffed?.ok ? sniffed.value : null;
  const wantsPassphrase = needsPassphrase(format);

  async function onFile(file: File) {
    setReadError(null);
    clearOp(opNames.import);
    if (file.size > MAX_IMPORT_BYTES) {
      setSource(null);
      setReadError({ code: 'INVALID_ARGUMENT', message: `That file is ${formatBytes(file.size)}; key files are far smaller (limit ${formatBytes(MAX_IMPORT_BYTES)}).` });
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    setPasted('');
    setSource({ kind: 'file', fileName: file.name, size: file.size, bytes });
    if (!name) setName(baseName(file.name));
  }

  function onPaste(text: string) {
    setPasted(text);
    setReadError(null);
    clearOp(opNames.import);
    setSource(text.trim() ? { kind: 'text', text } : null);
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!source || busy) return;
    const pass = passphrase;
    // The passphrase is used once and dropped from state and the DOM.
    setPassphrase('');
    const r = await importKey({
      data: source.kind === 'file' ? source.bytes : source.text,
      name,
      owner,
      ...(wantsPassphrase ? { passphrase: pass } : {}),
      ...(template ? { template } : {}),
      exportable,
    });
    if (r.ok) {
      setSource(null);
      setPasted('');
      props.navigate(href({ name: 'key', id: r.value.id }));
    }
  }

  return (
    <>
      <PageTitle documentTitle="Import a key">Import a key</PageTitle>
      <p className="lead">
        Bring in a key from a file or pasted text: PEM or DER (SubjectPublicKeyInfo, PKCS #8, encrypted PKCS #8), JWK, a Fernet key, or
        raw symmetric key bytes. The format is detected before anything is stored. Imported private and secret keys are
        non-extractable unless you ask otherwise.
      </p>
      <form className="form" onSubmit={(e) => void onSubmit(e)} aria-busy={busy}>
        <fieldset className="fieldset">
          <legend>Key data</legend>
          <FileDrop label="Key file" hint="Choose a file, or drag one onto this area. Files stay in this tab." onFile={(f) => void onFile(f)} disabled={busy} />
          <div className="field">
            <label htmlFor={ids.paste}>Or paste the key (PEM, JWK or Fernet key)</label>
            <textarea id={ids.paste} rows={6} className="mono" value={pasted} onChange={(e) => onPaste(e.currentTarget.value)} spellCheck={false} autoComplete="off" disabled={busy} />
          </div>
          <ErrorAlert error={readError} title="File not read" />
          <StatusMessage>
            {source?.kind === 'file' ? `Using file ${source.fileName} (${formatBytes(source.size)}). ` : ''}
            {format ? `Detected format: ${formatLabel(format)}` : ''}
          </StatusMessage>
          {sniffed && !sniffed.ok ? <ErrorAlert error={sniffed.error} title="Not a key format Clavis recognises" /> : null}
        </fieldset>

        <div className="field">
          <label htmlFor={ids.name}>
            Name <span className="required">(required)</span>
          </label>
          <input id={ids.name} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={ids.owner}>Owner</label>
          <input id={ids.owner} value={owner} onChange={(e) => setOwner(e.currentTarget.value)} maxLength={200} autoComplete="off" />
        </div>
        {wantsPassphrase ? (
          <div className="field">
            <label htmlFor={ids.pass}>Passphrase of the encrypted key</label>
            <input id={ids.pass} type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} />
          </div>
        ) : null}
        <TemplateSelect
          templates={templates}
          value={template}
          onChange={setTemplate}
          loading={templatesStatus !== 'ready'}
          disabled={busy}
          emptyOption="Detect from the key"
          hint={format === 'raw' ? 'Raw bytes do not say what they are: choose the template they belong to.' : 'Needed for raw bytes, and for RSA keys whose encoding fits several templates (OAEP, PSS, PKCS #1 v1.5).'}
        />
        <div className="field field-check">
          <input id={ids.exportable} type="checkbox" checked={exportable} onChange={(e) => setExportable(e.currentTarget.checked)} aria-describedby={ids.exportableHelp} disabled={busy} />
          <label htmlFor={ids.exportable}>Keep exportable</label>
          <p id={ids.exportableHelp} className="hint">
            Off: the key becomes non-extractable once imported and can only be used here. Fernet keys are always exportable.
          </p>
        </div>
        <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The key was not imported" />
        <StatusMessage>{busy ? 'Importing…' : ''}</StatusMessage>
        <p className="actions">
          <button type="submit" className="button button-primary" disabled={!source || busy || (sniffed !== null && !sniffed.ok)}>
            {busy ? 'Importing…' : 'Import key'}
          </button>
          <a className="button" href={href({ name: 'keys' })}>
            Cancel
          </a>
        </p>
      </form>
    </>
  );
}
