import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock, type AuditEntry } from '../../engine';
import { captureDownloads, renderWithEngine } from '../../state/test-utils';
import { freshEngine } from '../../testing/engine';
import { AuditPage, filterAuditEntries } from './audit-page';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

afterEach(() => vi.restoreAllMocks());

async function setup() {
  const { engine, dbName } = await freshEngine({ clock: fixedClock(T0) });
  const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'alpha' });
  const b = await engine.generateKey({ template: 'AES-GCM-256', name: 'beta' });
  await engine.suspendKey(a.id, 'investigating');
  await engine.rotateKey(b.id);
  const view = await renderWithEngine(<AuditPage />, { engine });
  await screen.findByRole('heading', { level: 1, name: 'Audit log' });
  await waitFor(() => expect(screen.getByRole('table', { name: 'Audit entries, oldest first' })).toBeTruthy());
  return { ...view, a, b, dbName };
}

const rows = () => within(screen.getByRole('table', { name: 'Audit entries, oldest first' })).getAllByRole('row').slice(1);

/** Changes one stored entry behind the engine's back. */
async function tamper(dbName: string, seq: number, change: (e: Record<string, unknown>) => Record<string, unknown>) {
  const db = await new Promise<IDBDatabase>((res, rej) => {
    const r = indexedDB.open(dbName);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  await new Promise<void>((res, rej) => {
    const tx = db.transaction('audit', 'readwrite');
    const store = tx.objectStore('audit');
    const get = store.get(seq);
    get.onsuccess = () => store.put(change(get.result as Record<string, unknown>), seq);
    tx.oncomplete = () => res();
    tx.onerror = () => rej(tx.error);
  });
  db.close();
}

describe('AuditPage', () => {
  it('B7: lists every entry oldest first and filters by key id, action and text', async () => {
    const { user, a } = await setup();
    expect(rows().map((r) => within(r).getAllByRole('cell')[2]!.textContent)).toEqual(['key.create', 'key.create', 'key.transition', 'key.create', 'key.rotate', 'key.transition']);
    expect(screen.getByText('6 entries')).toBeTruthy();

    await user.type(screen.getByRole('textbox', { name: 'Key id' }), a.id);
    expect(screen.getByText('Showing 2 of 6 entries')).toBeTruthy();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Action' }), 'key.transition');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.textContent).toContain('"reason":"investigating"');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search entries' }), 'superseded');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.textContent).toContain('superseded by version 2');
  });

  it('B7: verify says OK, then points at a changed entry and names the damage', async () => {
    const { user, dbName } = await setup();
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    await waitFor(() => expect(screen.getByText('✓ Chain OK: 6 entries, none changed, removed or reordered.')).toBeTruthy());

    await tamper(dbName, 3, (e) => ({ ...e, details: { ...(e['details'] as object), reason: 'routine' } }));
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Chain broken at entry 3: changed');
    expect(alert.textContent).toContain('entry 3 was changed: its content no longer matches its hash');
    const bad = rows().find((r) => r.getAttribute('aria-current') === 'true')!;
    expect(within(bad).getByRole('rowheader').textContent).toBe('3 ✗ broken here');
    // The page shows the stored (tampered) content.
    expect(bad.textContent).toContain('"reason":"routine"');
    expect(screen.queryByText(/Chain OK/)).toBeNull();
  });

  it('B7: a removed entry is found too', async () => {
    const { user, dbName } = await setup();
    const db = await new Promise<IDBDatabase>((res) => {
      const r = indexedDB.open(dbName);
      r.onsuccess = () => res(r.result);
    });
    await new Promise<void>((res) => {
      const tx = db.transaction('audit', 'readwrite');
      tx.objectStore('audit').delete(4);
      tx.oncomplete = () => res();
    });
    db.close();
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Chain broken at entry 4: removed');
  });

  it('B7: exports the log as JSON Lines', async () => {
    const files = captureDownloads();
    const { user } = await setup();
    await user.click(screen.getByRole('button', { name: 'Export JSON Lines' }));
    await waitFor(() => expect(files.map((f) => f.name)).toEqual(['clavis-audit.jsonl']));
    const lines = (await files[0]!.blob.text()).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines.every((l) => /^[0-9a-f]{64}$/.test(l.hash))).toBe(true);
    expect(files[0]!.blob.type).toBe('application/x-ndjson');
    expect(screen.getByText(/Saved clavis-audit\.jsonl \(6 entries\)\./)).toBeTruthy();
  });

  it('filterAuditEntries matches the key id in subjects or details', () => {
    const base = { at: '2030-01-01T00:00:00.000Z', actor: 'operator', prevHash: '0'.repeat(64), hash: '1'.repeat(64) };
    const entries: AuditEntry[] = [
      { ...base, seq: 1, action: 'key.create', subject: ['key_a'], details: {} },
      { ...base, seq: 2, action: 'key.rotate', subject: ['ring'], details: { keyId: 'key_a' } },
      { ...base, seq: 3, action: 'key.create', subject: ['key_b'], details: { name: 'Beta' } },
    ];
    expect(filterAuditEntries(entries, { keyId: 'key_a', action: '', text: '' }).map((e) => e.seq)).toEqual([1, 2]);
    expect(filterAuditEntries(entries, { keyId: '', action: 'key.create', text: 'beta' }).map((e) => e.seq)).toEqual([3]);
  });
});
