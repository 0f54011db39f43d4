/**
 * The audit log (#/audit, B7): a table of entries (local time, actor, action in words, the
 * objects linked to their pages, outcome), one list windowed so any log size puts a bounded
 * number of rows in the page; filters kept in the hash query; one entry's every field and hash in a
 * dialog; a chain verification that points at the first broken entry and says what kind of
 * damage it is; and an export as JSON Lines. The page states how each hash is computed and
 * exactly what is recorded.
 */
import { useEffect, useMemo, useState } from 'react';
import type { AuditEntry, AuditVerification } from '../../engine';
import { canonicalEntry } from '../../engine/audit/chain';
import { DataTable, type Column } from '../../components/ui/data-table';
import type { RowReveal } from '../../components/ui/virtual-rows';
import { downloadFile } from '../../components/ui/download';
import { formatLocal } from '../../components/ui/format';
import { setHashQuery, useHashQueryString } from '../../components/ui/hash-query';
import { queryOfHash } from '../../routes/routes';
import { InfoDialog } from '../../components/ui/info-dialog';
import { Field, SelectField } from '../../components/ui/field';
import { FilterBar, countText } from '../../components/ui/filter-bar';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { lifecycleOpNames } from '../../state/slices/lifecycle-slice';
import {
  NO_FILTER,
  actionWords,
  auditQuery,
  filterAuditEntries,
  objectNames,
  objectOf,
  outcomeOf,
  parseAuditQuery,
  principalOf,
  type AuditListFilter,
} from './audit-view';
import './audit.css';

export { filterAuditEntries } from './audit-view';

const DAMAGE: Record<Exclude<AuditVerification, { ok: true }>['kind'], string> = {
  changed: 'changed',
  removed: 'removed',
  reordered: 'reordered',
  inserted: 'inserted',
};

const useAuditOp = (name: string) => useAppStore((s) => s.lifecycle.ops[name]);

const plural = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`;

export function AuditPage() {
  const entries = useAppStore((s) => s.lifecycle.auditEntries);
  const status = useAppStore((s) => s.lifecycle.auditStatus);
  const verification = useAppStore((s) => s.lifecycle.auditVerification);
  const loadAudit = useAppStore((s) => s.lifecycle.loadAudit);
  const verifyAudit = useAppStore((s) => s.lifecycle.verifyAudit);
  const exportAudit = useAppStore((s) => s.lifecycle.exportAudit);
  const loadOp = useAuditOp(lifecycleOpNames.auditLoad);
  const verifyOp = useAuditOp(lifecycleOpNames.auditVerify);
  const exportOp = useAuditOp(lifecycleOpNames.auditExport);
  const queryString = useHashQueryString();
  const filter = useMemo(() => parseAuditQuery(queryOfHash(`?${queryString}`)), [queryString]);
  const [exported, setExported] = useState('');
  const [open, setOpen] = useState<AuditEntry | null>(null);
  /** The entry "Show entry n in the list" asked for, until it has been scrolled to. */
  const [jump, setJump] = useState<{ seq: number } | null>(null);

  useEffect(() => {
    void loadAudit();
  }, [loadAudit]);

  const names = useMemo(() => objectNames(entries), [entries]);
  const actions = useMemo(() => [...new Set(entries.map((e) => e.action))].sort((a, b) => actionWords(a).localeCompare(actionWords(b))), [entries]);
  const actors = useMemo(() => [...new Set(entries.map((e) => e.actor))].sort(), [entries]);
  const shown = useMemo(() => filterAuditEntries(entries, filter, names), [entries, filter, names]);
  const filtering = Object.values(filter).some((v) => v !== '');
  const broken = verification && !verification.ok ? verification : null;
  // The jump clears the filters first: the entry is revealed in the whole log, once that is
  // what the list shows. Once shown, its Details button takes the focus, so the keyboard
  // carries on from the entry.
  const reveal = useMemo<RowReveal | undefined>(() => {
    if (!jump || filtering) return undefined;
    const index = shown.findIndex((e) => e.seq >= jump.seq);
    return {
      index: index < 0 ? shown.length - 1 : index,
      onShown: (row) => {
        setJump(null);
        row.querySelector('button')?.focus({ preventScroll: true });
      },
    };
  }, [jump, filtering, shown]);

  const setFilter = (f: AuditListFilter) => setHashQuery(auditQuery(f));
  const set = (k: keyof AuditListFilter) => (e: { currentTarget: { value: string } }) => setFilter({ ...filter, [k]: e.currentTarget.value });

  const columns: Column<AuditEntry>[] = [
    {
      header: '#',
      rowHeader: true,
      cell: (e) => (
        <>
          {e.seq}
          {broken?.firstBadSeq === e.seq ? <span> ✗ broken here</span> : null}
        </>
      ),
    },
    { header: 'Time', cell: (e) => <time dateTime={e.at}>{formatLocal(e.at)}</time> },
    { header: 'Actor', cell: (e) => e.actor },
    { header: 'Action', cell: (e) => actionWords(e.action) },
    {
      header: 'Object',
      cell: (e) => {
        const principal = principalOf(e);
        return (
          <>
            <ObjectLinks ids={e.subject} names={names} />
            {principal ? <span className="audit-object">Owner {principal}</span> : null}
          </>
        );
      },
    },
    { header: 'Outcome', cell: (e) => outcomeOf(e).text, className: (e) => (outcomeOf(e).refused ? 'audit-refused' : undefined) },
    {
      header: <span className="visually-hidden">Details</span>,
      cell: (e) => (
        <button type="button" className="button button-small" onClick={() => setOpen(e)}>
          Details of entry {e.seq}
        </button>
      ),
    },
  ];

  function showBroken(seq: number) {
    setHashQuery(auditQuery(NO_FILTER));
    setJump({ seq });
  }

  async function onVerify() {
    setExported('');
    await verifyAudit();
  }

  async function onExport() {
    setExported('');
    const r = await exportAudit();
    if (r.ok) {
      downloadFile(r.value, 'clavis-audit.jsonl', 'application/x-ndjson');
      const lines = countEntryLines(r.value);
      setExported(`Saved clavis-audit.jsonl (${plural(lines)}).`);
    }
  }

  const actionError = verifyOp?.status === 'error' || exportOp?.status === 'error';

  return (
    <>
      <PageTitle documentTitle="Audit log">Audit log</PageTitle>
      <p className="lead">
        Every change Clavis stores is recorded here, in the same transaction as the change: keys created, imported, renamed, exported,
        rotated, changing state or dates, deleted or destroyed; owners revoked or reinstated; CAs created, certificates issued, refused
        or revoked, CRLs published; KDC principals, keys and tickets; key exchanges. Using a key (encrypting, decrypting, signing,
        verifying, wrapping, deriving) changes nothing stored and is <strong>not</strong> recorded. No key material, plaintext or
        passphrase is ever written here.
      </p>

      <section aria-labelledby="audit-verify" className="panel">
        <h2 id="audit-verify">Integrity</h2>
        <p className="actions">
          <button type="button" className="button button-primary" disabled={verifyOp?.status === 'busy'} onClick={() => void onVerify()}>
            Verify chain
          </button>
          <button type="button" className="button" disabled={exportOp?.status === 'busy'} onClick={() => void onExport()}>
            Export JSON Lines
          </button>
        </p>
        <ErrorAlert error={verifyOp?.status === 'error' ? verifyOp.error : null} title="The log could not be verified" />
        <ErrorAlert error={exportOp?.status === 'error' ? exportOp.error : null} title="The log was not exported" />
        {broken ? (
          <div className="alert alert-error" role="alert">
            <p className="alert-title">
              <span aria-hidden="true">✗ </span>Chain broken at entry {broken.firstBadSeq}: {DAMAGE[broken.kind]}
            </p>
            <p className="alert-message">{broken.explanation}</p>
            <p>
              <button type="button" className="button" onClick={() => showBroken(broken.firstBadSeq)}>
                Show entry {broken.firstBadSeq} in the list
              </button>
            </p>
          </div>
        ) : null}
        <StatusMessage className={verification?.ok ? 'verdict verdict-valid' : ''}>
          {verification?.ok ? `✓ Chain OK: ${plural(verification.count)}, none changed, removed or reordered.` : ''}
          {exported && !actionError ? ` ${exported}` : ''}
        </StatusMessage>
        {verification?.ok ? (
          <p className="hint">
            {verification.headSigned
              ? 'The head of the log is signed by this vault’s non-extractable audit key at every entry, so a log cut short, cleared or recomputed in storage shows here.'
              : 'The head of the log is not signed yet: it is signed from the next entry on.'}{' '}
            What this cannot prove: that code running in this site (a script, an extension, the developer tools) did not use the audit key itself to sign a rewritten log. Keep an exported copy to compare.
          </p>
        ) : null}
        <details className="audit-recipe">
          <summary>How each entry’s hash is computed</summary>
          <p>
            Entry <var>n</var>’s hash is <code>SHA-256(previous hash ‖ canonical entry)</code>: the previous entry’s hash as 32 raw bytes
            (32 zero bytes before entry 1), followed by the UTF-8 bytes of the entry’s canonical JSON, the object{' '}
            <code>{'{seq, at, actor, action, subject, details}'}</code> with keys sorted and no whitespace. Hashes are written as lower-case
            hex. A changed entry no longer matches its hash; a removed or reordered one breaks the link to the next. The dialog of each
            entry shows its canonical JSON, so you can recompute the hash with any SHA-256 tool.
          </p>
        </details>
      </section>

      <section aria-labelledby="audit-entries" className="panel">
        <h2 id="audit-entries">Entries</h2>
        <FilterBar label="Filter audit entries" className="audit-filters" filtering={filtering} onClear={() => setFilter(NO_FILTER)}>
          <SelectField label="Action" value={filter.action} onChange={set('action')} any="Any action" choices={actions.map((a) => ({ value: a, label: actionWords(a) }))} />
          <Field label="Object (id or name)">{(control) => <input {...control} value={filter.object} onChange={set('object')} autoComplete="off" />}</Field>
          <SelectField label="Actor" value={filter.actor} onChange={set('actor')} any="Anyone" choices={actors.map((a) => ({ value: a, label: a }))} />
          <Field label="From (local date)">{(control) => <input {...control} type="date" value={filter.from} onChange={set('from')} />}</Field>
          <Field label="To (local date)">{(control) => <input {...control} type="date" value={filter.to} onChange={set('to')} />}</Field>
          <Field label="Search entries">{(control) => <input {...control} type="search" value={filter.text} onChange={set('text')} />}</Field>
        </FilterBar>
        <ErrorAlert error={loadOp?.status === 'error' ? loadOp.error : null} title="The log could not be loaded" />
        <p aria-live="polite">
          {status === 'ready' ? countText(shown.length, entries.length, filtering, 'entry', 'entries') : 'Loading…'}
        </p>
        {shown.length > 0 ? (
          <DataTable
            caption="Audit entries, oldest first"
            regionLabel="Audit entries table"
            className="audit-table"
            columns={columns}
            rows={shown}
            rowKey={(e) => `${e.seq}-${e.hash}`}
            rowAttributes={(e) => (broken?.firstBadSeq === e.seq ? { className: 'audit-broken', 'aria-current': 'true' } : {})}
            virtual
            reveal={reveal}
          />
        ) : status === 'ready' ? (
          <p className="empty-state">{entries.length === 0 ? 'The log is empty.' : 'No entries match these filters.'}</p>
        ) : null}
      </section>
      {open ? <EntryDialog entry={open} names={names} broken={broken?.firstBadSeq === open.seq} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

/** Lines of a JSON Lines export that are entries (an object with a numeric seq); a header line is not counted. */
function countEntryLines(jsonl: string): number {
  let n = 0;
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && typeof (v as { seq?: unknown }).seq === 'number') n++;
    } catch {
      // not an entry line
    }
  }
  return n;
}

function ObjectLinks(props: { ids: readonly string[]; names: ReadonlyMap<string, string> }) {
  return (
    <>
      {/* A rotation names the keyring and its first key, which share an id: each object once. */}
      {[...new Set(props.ids)].map((id) => {
        const o = objectOf(id);
        const name = props.names.get(id);
        const label = `${o.kind} ${name ?? id}`;
        return (
          <span key={id} className="audit-object">
            {o.href ? <a href={o.href}>{label}</a> : label}
          </span>
        );
      })}
    </>
  );
}

/** Every field of one entry, its hashes and the exact text its hash covers. */
function EntryDialog(props: { entry: AuditEntry; names: ReadonlyMap<string, string>; broken: boolean; onClose: () => void }) {
  const e = props.entry;
  const outcome = outcomeOf(e);
  let canonical: string;
  try {
    canonical = canonicalEntry(e);
  } catch {
    canonical = 'This stored entry is not plain JSON, so it has no canonical form: the chain check reports it.';
  }
  return (
    <InfoDialog title={`Entry ${e.seq}: ${actionWords(e.action)}`} onClose={props.onClose} wide>
      {props.broken ? <p className="warning">The chain breaks at this entry.</p> : null}
      <dl className="details audit-entry-details">
        <dt>Number</dt>
        <dd>{e.seq}</dd>
        <dt>Time</dt>
        <dd>
          <time dateTime={e.at}>{formatLocal(e.at)}</time> <span className="hint">(recorded as {e.at})</span>
        </dd>
        <dt>Actor</dt>
        <dd>{e.actor}</dd>
        <dt>Action</dt>
        <dd>
          {actionWords(e.action)} <code>{e.action}</code>
        </dd>
        <dt>Objects</dt>
        <dd>{e.subject.length > 0 ? <ObjectLinks ids={e.subject} names={props.names} /> : 'none'}</dd>
        <dt>Outcome</dt>
        <dd>{outcome.text}</dd>
        <dt>Details</dt>
        <dd>
          <pre className="audit-json">{JSON.stringify(e.details, null, 2)}</pre>
        </dd>
        <dt>Previous hash</dt>
        <dd>
          <code className="audit-hash">{e.prevHash}</code>
        </dd>
        <dt>Hash</dt>
        <dd>
          <code className="audit-hash">{e.hash}</code>
        </dd>
        <dt>Hashed text (canonical JSON)</dt>
        <dd>
          <pre className="audit-json">{canonical}</pre>
        </dd>
      </dl>
    </InfoDialog>
  );
}
