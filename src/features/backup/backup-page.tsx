/**
 * Backup and restore (#/backup, A7): back the whole vault up into one file encrypted
 * under a passphrase (typed twice, with a strength hint), and restore such a file: choose
 * or drop it, give its passphrase, see what it holds and what would change, then confirm.
 * Key material never reaches this screen: it only handles the encrypted file's bytes,
 * the manifest (names, ids, counts) and the preview.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { BackupManifest, NotBackedUp, RestoreChange, RestorePreview } from '../../engine';
import { DataTable } from '../../components/ui/data-table';
import { downloadFile } from '../../components/ui/download';
import { FileDrop } from '../../components/ui/file-drop';
import { ErrorAlert, StatusMessage, type UiError } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useEngine } from '../../state/engine-provider';
import './backup.css';

/** The engine's MAX_BACKUP_BYTES: a larger file is refused before it is read. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** The engine's MIN_BACKUP_PASSPHRASE. */
const MIN_PASSPHRASE = 12;

/** A rough, honest strength hint: length and variety, never a promise. */
export function passphraseHint(p: string): { level: 'too-short' | 'weak' | 'fair' | 'strong'; text: string } {
  if (p.length < MIN_PASSPHRASE) return { level: 'too-short', text: `Too short: use at least ${MIN_PASSPHRASE} characters (a few unrelated words work well).` };
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length;
  const words = p.trim().split(/\s+/).length;
  if (p.length >= 20 && (classes >= 2 || words >= 4)) return { level: 'strong', text: 'Strong: long and varied. Keep it somewhere safe: without it the backup cannot be opened.' };
  if (p.length >= 16 || classes >= 3) return { level: 'fair', text: 'Fair: a longer passphrase (four or more unrelated words) is harder to guess.' };
  return { level: 'weak', text: 'Weak: anyone who gets the file can try guesses offline; use four or more unrelated words.' };
}

const KIND_LABEL: Record<RestoreChange['kind'], string> = {
  keys: 'Keys',
  cas: 'Certificate authorities',
  certs: 'Certificates',
  serials: 'Serial numbers',
  revocations: 'Revocations',
  crls: 'CRLs',
  counters: 'CRL counters',
  principals: 'Owners (principals)',
  keyUsage: 'Key usage counts',
  importedCerts: 'Imported certificates and roots',
  importedCrls: 'Imported CRLs',
};

function toUiError(e: unknown): UiError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const { code, message } = e as UiError;
    return { code: String(code), message: sentence(String(message)) };
  }
  return { code: 'UNEXPECTED', message: 'Something unexpected went wrong; nothing was changed.' };
}

/** An engine message ("backup: the passphrase …") as a sentence people read. */
function sentence(message: string): string {
  const m = message.replace(/^[a-z]+: /, '');
  const s = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

function NotBackedUpList(props: { items: NotBackedUp[]; title: string }) {
  if (props.items.length === 0) return null;
  return (
    <section aria-label={props.title} className="backup-list">
      <h3>{props.title}</h3>
      <ul>
        {props.items.map((n, i) => (
          <li key={`${n.kind}:${n.id ?? i}`}>
            <strong>{n.name}</strong>
            {n.id ? <code className="mono"> {n.id}</code> : null}: {n.why}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ManifestSummary(props: { manifest: BackupManifest }) {
  const c = props.manifest.counts;
  return (
    <dl className="backup-counts">
      <dt>Keys</dt>
      <dd>
        {c.keys} ({c.keysWithMaterial} with their material)
      </dd>
      <dt>Certificate authorities</dt>
      <dd>{c.cas}</dd>
      <dt>Certificates</dt>
      <dd>{c.certs}</dd>
      <dt>Revocations</dt>
      <dd>{c.revocations}</dd>
      <dt>CRLs</dt>
      <dd>{c.crls}</dd>
      <dt>Audit entries</dt>
      <dd>{c.auditEntries}</dd>
    </dl>
  );
}

function BackupSection() {
  const engine = useEngine();
  const ids = { pass: useId(), again: useId(), hint: useId() };
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const [made, setMade] = useState<{ fileName: string; manifest: BackupManifest } | null>(null);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const hint = passphraseHint(pass);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setMade(null);
    if (pass.length < MIN_PASSPHRASE) return setError({ code: 'INVALID_ARGUMENT', message: `The passphrase must be at least ${MIN_PASSPHRASE} characters long.` });
    if (pass !== again) return setError({ code: 'INVALID_ARGUMENT', message: 'The two passphrases differ; type the same passphrase twice.' });
    setBusy(true);
    try {
      const file = await (await engine.backup()).createBackup(pass);
      if (!live.current) return;
      downloadFile(file.bytes, file.fileName, 'application/json');
      setMade({ fileName: file.fileName, manifest: file.manifest });
      setPass('');
      setAgain('');
    } catch (err) {
      if (live.current) setError(toUiError(err));
    } finally {
      if (live.current) setBusy(false);
    }
  }

  return (
    <section aria-labelledby="backup-make" className="panel">
      <h2 id="backup-make">Back up the vault</h2>
      <p>
        One file holds every exportable key with its material, every key record, the certificate authorities, certificates, revocations and CRLs, the owners and the
        audit log. It is encrypted under your passphrase (PBKDF2-SHA-256 with 600,000 iterations, AES-256-GCM). Keys that are non-extractable cannot leave this
        browser and are listed as not backed up.
      </p>
      <form className="form" onSubmit={onSubmit} noValidate>
        <div className="field">
          <label htmlFor={ids.pass}>Passphrase</label>
          <input id={ids.pass} type="password" autoComplete="new-password" value={pass} aria-describedby={ids.hint} onChange={(e) => setPass(e.target.value)} />
          <p id={ids.hint} className={`hint backup-strength backup-strength-${hint.level}`}>
            {pass ? hint.text : `At least ${MIN_PASSPHRASE} characters; four or more unrelated words are strong and easy to type.`}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.again}>Passphrase again</label>
          <input id={ids.again} type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Backing up…' : 'Create encrypted backup'}
        </button>
      </form>
      <ErrorAlert error={error} title="The backup was not made" />
      <StatusMessage>{made ? `Saved ${made.fileName}. Keep it and its passphrase apart.` : busy ? 'Deriving the key from the passphrase and encrypting the vault…' : ''}</StatusMessage>
      {made ? (
        <>
          <ManifestSummary manifest={made.manifest} />
          <NotBackedUpList items={made.manifest.notBackedUp} title="Not backed up" />
        </>
      ) : null}
    </section>
  );
}

function PreviewView(props: { preview: RestorePreview }) {
  const p = props.preview;
  return (
    <section aria-label="What the backup holds" className="backup-preview">
      <h3>What the backup holds</h3>
      <p>Made {p.manifest.createdAt.replace('T', ' ').slice(0, 19)} UTC.</p>
      <DataTable
        caption="What a restore would change"
        captionShown
        plain
        frame="none"
        rows={p.changes}
        rowKey={(c) => c.kind}
        columns={[
          { header: 'Records', rowHeader: true, cell: (c) => KIND_LABEL[c.kind] },
          { header: 'New', cell: (c) => c.added },
          { header: 'Already here', cell: (c) => c.unchanged },
          { header: 'Would replace', cell: (c) => c.replaced },
          { header: 'Conflicts (kept as they are here)', cell: (c) => c.conflicts },
        ]}
      />
      {p.conflicts.length > 0 ? (
        <section aria-label="Conflicts" className="backup-list">
          <h3>Conflicts</h3>
          <p>These are in this vault already, differently (for example revoked or destroyed since the backup). A restore keeps them as they are here.</p>
          <ul>
            {p.conflicts.map((c) => (
              <li key={`${c.kind}:${c.id}`}>
                {KIND_LABEL[c.kind]}: <strong>{c.name}</strong> <code className="mono">{c.id}</code>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <NotBackedUpList items={p.notRestorable} title="Cannot be restored" />
      <p className="backup-audit">
        <strong>Audit log:</strong> {p.audit.explanation}
      </p>
    </section>
  );
}

function RestoreSection() {
  const engine = useEngine();
  const passId = useId();
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array } | null>(null);
  const [pass, setPass] = useState('');
  const [busy, setBusy] = useState<'' | 'preview' | 'restore'>('');
  const [error, setError] = useState<UiError | null>(null);
  const [preview, setPreview] = useState<RestorePreview | null>(null);
  const [done, setDone] = useState('');
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  async function onFile(f: File) {
    setError(null);
    setPreview(null);
    setDone('');
    if (f.size > MAX_FILE_BYTES) {
      setFile(null);
      return setError({ code: 'INVALID_ARGUMENT', message: `The file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, more than a Clavis backup holds; it was not read.` });
    }
    const bytes = new Uint8Array(await f.arrayBuffer());
    if (live.current) setFile({ name: f.name, bytes });
  }

  async function onPreview(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setPreview(null);
    setDone('');
    if (!file) return setError({ code: 'INVALID_ARGUMENT', message: 'Choose a backup file first.' });
    if (!pass) return setError({ code: 'INVALID_ARGUMENT', message: 'Type the passphrase the backup was made with.' });
    setBusy('preview');
    try {
      const p = await (await engine.backup()).previewRestore(file.bytes, pass);
      if (live.current) setPreview(p);
    } catch (err) {
      if (live.current) setError(toUiError(err));
    } finally {
      if (live.current) setBusy('');
    }
  }

  async function onRestore() {
    if (!file || !preview) return;
    setError(null);
    setBusy('restore');
    try {
      const r = await (await engine.backup()).restoreBackup(file.bytes, pass);
      if (!live.current) return;
      const added = r.preview.changes.reduce((s, c) => s + c.added, 0);
      setDone(`Restored ${file.name}: ${added} ${added === 1 ? 'record' : 'records'} added; the restore is audit entry ${r.auditSeq}.`);
      setPreview(null);
      setPass('');
    } catch (err) {
      if (live.current) setError(toUiError(err));
    } finally {
      if (live.current) setBusy('');
    }
  }

  return (
    <section aria-labelledby="backup-restore" className="panel">
      <h2 id="backup-restore">Restore a backup</h2>
      <p>
        A restore adds what the backup holds and this vault lacks, in one step: it never overwrites a key, certificate or revocation this vault already has. A wrong
        passphrase or a damaged file changes nothing.
      </p>
      <form className="form" onSubmit={onPreview} noValidate>
        <FileDrop label="Backup file" hint={file ? `Chosen: ${file.name}` : 'Choose or drop a .clavisbackup file.'} accept=".clavisbackup,application/json" onFile={(f) => void onFile(f)} />
        <div className="field">
          <label htmlFor={passId}>Backup passphrase</label>
          <input id={passId} type="password" autoComplete="current-password" value={pass} onChange={(e) => setPass(e.target.value)} />
        </div>
        <button type="submit" className="button" disabled={busy !== ''}>
          {busy === 'preview' ? 'Opening the backup…' : 'Preview restore'}
        </button>
      </form>
      <ErrorAlert error={error} title="Nothing was restored" />
      <StatusMessage>{done || (busy === 'restore' ? 'Restoring…' : preview ? 'The backup opened. Check what it would change, then restore.' : '')}</StatusMessage>
      {preview ? (
        <>
          <PreviewView preview={preview} />
          <button type="button" className="button button-primary" disabled={busy !== '' || preview.nothingToDo} onClick={() => void onRestore()}>
            {busy === 'restore' ? 'Restoring…' : preview.nothingToDo ? 'Nothing to restore' : 'Restore this backup'}
          </button>
        </>
      ) : null}
    </section>
  );
}

export function BackupPage() {
  return (
    <div className="backup-page">
      <PageTitle documentTitle="Backup and restore · Clavis">Backup and restore</PageTitle>
      <BackupSection />
      <RestoreSection />
    </div>
  );
}
