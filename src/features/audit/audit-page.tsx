/**
 * The audit log (#/audit, B7): every entry, filterable by key id, action and text; a
 * chain verification that points at the first broken entry and says what kind of
 * damage it is; and an export as JSON Lines.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { AuditEntry, AuditVerification } from '../../engine';
import { downloadFile } from '../../components/ui/download';
import { formatUtc } from '../../components/ui/format';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { PageTitle } from '../../components/ui/page-title';
import { useAppStore } from '../../state/engine-provider';
import { lifecycleOpNames } from '../../state/slices/lifecycle-slice';
import './audit.css';

/** The audit page's filters. */
export interface AuditListFilter {
  keyId: string;
  action: string;
  text: string;
}

/** Entries matching the filters: key id among the subjects (or in details), exact action, text anywhere. */
export function filterAuditEntries(entries: readonly AuditEntry[], f: AuditListFilter): AuditEntry[] {
  const keyId = f.keyId.trim();
  const text = f.text.trim().toLowerCase();
  return entries.filter((e) => {
    if (keyId && !e.subject.includes(keyId) && e.details['keyId'] !== keyId) return false;
    if (f.action && e.action !== f.action) return false;
    if (text && !JSON.stringify({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, details: e.details }).toLowerCase().includes(text))
      return false;
    return true;
  });
}

const DAMAGE: Record<Exclude<AuditVerification, { ok: true }>['kind'], string> = {
  changed: 'changed',
  removed: 'removed',
  reordered: 'reordered',
  inserted: 'inserted',
};

const useAuditOp = (name: string) => useAppStore((s) => s.lifecycle.ops[name]);

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
  const [filter, setFilter] = useState<AuditListFilter>({ keyId: '', action: '', text: '' });
  const [exported, setExported] = useState('');
  const ids = { keyId: useId(), action: useId(), text: useId() };

  useEffect(() => {
    void loadAudit();
  }, [loadAudit]);

  const actions = useMemo(() => [...new Set(entries.map((e) => e.action))].sort(), [entries]);
  const shown = useMemo(() => filterAuditEntries(entries, filter), [entries, filter]);
  const filtering = filter.keyId !== '' || filter.action !== '' || filter.text !== '';
  const broken = verification && !verification.ok ? verification : null;

  async function onExport() {
    setExported('');
    const r = await exportAudit();
    if (r.ok) {
      downloadFile(r.value, 'clavis-audit.jsonl', 'application/x-ndjson');
      const lines = r.value.split('\n').filter(Boolean).length;
      setExported(`Saved clavis-audit.jsonl (${lines} ${lines === 1 ? 'entry' : 'entries'}).`);
    }
  }

  return (
    <>
      <PageTitle documentTitle="Audit log">Audit log</PageTitle>
      <p className="lead">
        Every change to a key and every use of one is recorded here, in the same transaction as the change. Each entry’s hash covers
        the previous entry’s hash, so a changed, removed or reordered entry breaks the chain at that point. No key material, plaintext
        or passphrase is ever written here.
      </p>

      <section aria-labelledby="audit-verify" className="panel">
        <h2 id="audit-verify">Integrity</h2>
        <p className="actions">
          <button type="button" className="button button-primary" disabled={verifyOp?.status === 'busy'} onClick={() => void verifyAudit()}>
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
          </div>
        ) : null}
        <StatusMessage className={verification?.ok ? 'verdict verdict-valid' : ''}>
          {verification?.ok ? `✓ Chain OK: ${verification.count} ${verification.count === 1 ? 'entry' : 'entries'}, none changed, removed or reordered.` : ''}
          {exported ? ` ${exported}` : ''}
        </StatusMessage>
        {verification?.ok ? (
          <p className="hint">
            {verification.headSigned
              ? 'The head of the log is signed by this vault’s non-extractable audit key at every entry, so a log cut short, cleared or recomputed in storage shows here.'
              : 'The head of the log is not signed yet: it is signed from the next entry on.'}{' '}
            What this cannot prove: that code running in this site (a script, an extension, the developer tools) did not use the audit key itself to sign a rewritten log. Keep an exported copy to compare.
          </p>
        ) : null}
      </section>

      <section aria-labelledby="audit-entries" className="panel">
        <h2 id="audit-entries">Entries</h2>
        <div role="search" className="filters" aria-label="Filter audit entries">
          <div className="field">
            <label htmlFor={ids.keyId}>Key id</label>
            <input id={ids.keyId} value={filter.keyId} onChange={(e) => setFilter({ ...filter, keyId: e.currentTarget.value })} autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={ids.action}>Action</label>
            <select id={ids.action} value={filter.action} onChange={(e) => setFilter({ ...filter, action: e.currentTarget.value })}>
              <option value="">Any action</option>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.text}>Search entries</label>
            <input id={ids.text} type="search" value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.currentTarget.value })} />
          </div>
          {filtering ? (
            <button type="button" className="button" onClick={() => setFilter({ keyId: '', action: '', text: '' })}>
              Clear filters
            </button>
          ) : null}
        </div>
        <ErrorAlert error={loadOp?.status === 'error' ? loadOp.error : null} title="The log could not be loaded" />
        <p aria-live="polite">
          {status === 'ready' ? (filtering ? `Showing ${shown.length} of ${entries.length} entries` : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`) : 'Loading…'}
        </p>
        {shown.length > 0 ? (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Audit entries (table, scrolls sideways on small screens)">
            <table className="key-table audit-table">
              <caption className="visually-hidden">Audit entries, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => {
                  const bad = broken?.firstBadSeq === e.seq;
                  return (
                    <tr key={`${e.seq}-${e.hash}`} className={bad ? 'audit-broken' : undefined} aria-current={bad ? 'true' : undefined}>
                      <th scope="row">
                        {e.seq}
                        {bad ? <span> ✗ broken here</span> : null}
                      </th>
                      <td>
                        <time dateTime={e.at}>{formatUtc(e.at)}</time>
                      </td>
                      <td>{e.actor}</td>
                      <td>
                        <code>{e.action}</code>
                      </td>
                      <td>
                        {e.subject.map((s) => (
                          <code key={s} className="audit-subject">
                            {s}{' '}
                          </code>
                        ))}
                      </td>
                      <td className="audit-details">{JSON.stringify(e.details)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : status === 'ready' ? (
          <p className="empty-state">{entries.length === 0 ? 'The log is empty.' : 'No entries match these filters.'}</p>
        ) : null}
      </section>
    </>
  );
}
