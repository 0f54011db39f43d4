// The audit log page lists, filters and links entries, and checks the hash chain.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineError, fixedClock, type AuditEntry } from '../../engine';
import { formatLocal } from '../../components/ui/format';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { AuditPage, filterAuditEntries } from './audit-page';
import { NO_FILTER } from './audit-view';
import { expectShown } from '../../testing/dom';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

beforeEach(() => window.history.replaceState(null, '', '#/audit'));
afterEach(() => vi.restoreAllMocks());

async function setup() {
  const { engine, dbName } = await freshEngine({ clock: fixedClock(T0) });
  const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'alpha' });
  const b = await engine.generateKey({ template: 'AES-GCM-256', name: 'beta' });
  await engine.suspendKey(a.id, 'investigating');
  await engine.rotateKey(b.id);
  const view = await renderWithEngine(<AuditPage />, { engine });
  await screen.findByRole('heading', { level: 1, name: 'Audit log' });
  await waitFor(() => expectShown(screen.getByRole('table', { name: 'Audit entries, oldest first' })));
  return { ...view, a, b, dbName };
}

const rows = () => within(screen.getByRole('table', { name: 'Audit entries, oldest first' })).getAllByRole('row').slice(1);
const cells = (r: HTMLElement) => within(r).getAllByRole('cell');

/** The database under an engine, opened raw (as another program on the machine could). */
function openRaw(dbName: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((res, rej) => {
    const r = indexedDB.open(dbName);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
}

/** Changes one stored entry behind the engine's back. */
async function tamper(dbName: string, seq: number, change: (e: Record<string, unknown>) => Record<string, unknown>) {
  const db = await openRaw(dbName);
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
  it('B7: lists every entry oldest first in words: local time, actor, action, the object linked to its page, outcome', async () => {
    const { a, b } = await setup();
    expect(rows().map((r) => cells(r)[2]!.textContent)).toEqual(['Key created', 'Key created', 'Key state changed', 'Key created', 'Key rotated', 'Key state changed']);
    expectShown(screen.getByText('6 entries'));
    const first = rows()[0]!;
    // Local time, not a raw ISO string; the machine-readable time stays in the <time> element.
    expect(cells(first)[0]!.textContent).toBe(formatLocal(new Date(T0).toISOString()));
    expect(cells(first)[0]!.textContent).not.toMatch(/T\d\d:\d\d/);
    expect(first.querySelector('time')!.getAttribute('dateTime')).toBe(new Date(T0).toISOString());
    expect(cells(first)[1]!.textContent).toBe('operator');
    expect(within(first).getByRole('link', { name: 'Key alpha' }).getAttribute('href')).toBe(`#/keys/${a.id}`);
    expect(cells(first)[4]!.textContent).toBe('Done');
    // A transition says from what to what; a rotation links the keyring and both versions.
    expect(cells(rows()[2]!)[4]!.textContent).toBe('Done: active → suspended');
    const rotated = within(rows()[4]!).getAllByRole('link').map((l) => l.getAttribute('href'));
    expect(rotated).toContain(`#/keys/${b.id}`);
    // The keyring shares its first key's id: each object is linked once.
    expect(new Set(rotated).size).toBe(rotated.length);
    // No raw JSON in the table.
    expect(screen.getByRole('table', { name: 'Audit entries, oldest first' }).textContent).not.toContain('{"');
  });

  it('B7: filters by action, object (id or name), actor and text, and keeps them in the hash query', async () => {
    const { user, a } = await setup();
    await user.type(screen.getByRole('textbox', { name: 'Object (id or name)' }), a.id);
    expectShown(screen.getByText('Showing 2 of 6 entries'));
    expect(new URLSearchParams(window.location.hash.split('?')[1]).get('object')).toBe(a.id);
    // Typing kept the focus in the field (a query change is no navigation).
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Object (id or name)' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Action' }), 'key.transition');
    expect(rows()).toHaveLength(1);
    expect(window.location.hash).toContain('action=key.transition');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(window.location.hash).toBe('#/audit');
    expect(rows()).toHaveLength(6);
    await user.type(screen.getByRole('textbox', { name: 'Object (id or name)' }), 'bet');
    expect(rows().map((r) => cells(r)[2]!.textContent)).toEqual(['Key created', 'Key created', 'Key rotated', 'Key state changed']);
    await user.clear(screen.getByRole('textbox', { name: 'Object (id or name)' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search entries' }), 'superseded');
    expect(rows()).toHaveLength(1);
    await user.click(within(rows()[0]!).getByRole('button', { name: /Details of entry/ }));
    expect(screen.getByRole('dialog').textContent).toContain('"reason": "superseded by version 2"');
  });

  it('B7: filters given in the link are applied on arrival, dates in local days', async () => {
    window.history.replaceState(null, '', '#/audit?action=key.create&actor=operator');
    await setup();
    expect(rows()).toHaveLength(3);
    expect(screen.getByRole('combobox', { name: 'Action' })).toHaveProperty('value', 'key.create');
    const day = new Date(T0);
    const ymd = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    window.history.replaceState(null, '', `#/audit?from=${ymd(new Date(day.getTime() + 86_400_000))}`);
    window.dispatchEvent(new Event('hashchange'));
    await waitFor(() => expectShown(screen.getByText('No entries match these filters.')));
    window.history.replaceState(null, '', `#/audit?from=${ymd(day)}&to=${ymd(day)}`);
    window.dispatchEvent(new Event('hashchange'));
    await waitFor(() => expect(rows()).toHaveLength(6));
  });

  it('B7: the details dialog shows every field, both hashes and the hashed text; the hash recipe is on the page', async () => {
    const { user, a, engine } = await setup();
    expectShown(screen.getByText('How each entry’s hash is computed'));
    expectShown(screen.getByText(/SHA-256\(previous hash ‖ canonical entry\)/));
    const opener = within(rows()[2]!).getByRole('button', { name: 'Details of entry 3' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Entry 3: Key state changed' });
    const entry = (await engine.listAuditEntries())[2]!;
    expect(dialog.textContent).toContain(entry.hash);
    expect(dialog.textContent).toContain(entry.prevHash);
    expect(dialog.textContent).toContain('"reason": "investigating"');
    expect(dialog.textContent).toContain(entry.at);
    expect(within(dialog).getByRole('link', { name: 'Key alpha' }).getAttribute('href')).toBe(`#/keys/${a.id}`);
    // The hashed text is the canonical JSON: keys sorted, no whitespace.
    const canonical = within(dialog).getByText(/^\{"action":"key.transition"/).textContent!;
    expect(canonical.startsWith('{"action":"key.transition","actor":"operator","at":')).toBe(true);
    expect(canonical).not.toMatch(/\s/);
    // Recompute the hash from the dialog's text, as a reader would.
    const bytes = new Uint8Array([...(entry.prevHash.match(/../g) ?? []).map((h) => parseInt(h, 16)), ...new TextEncoder().encode(canonical)]);
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    expect(digest).toBe(entry.hash);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('B7: the page says key uses are not recorded (they are not)', async () => {
    await setup();
    const lead = screen.getByText((_, el) => el?.tagName === 'P' && /Using a key \(encrypting, decrypting, signing, verifying, wrapping, deriving\) changes nothing stored and is not recorded\./.test(el.textContent ?? ''));
    expect(lead.className).toBe('lead');
    expect(screen.queryByText(/every use of one is recorded/i)).toBeNull();
  });

  it('B7: verify says OK, then points at a changed entry and names the damage', async () => {
    const { user, dbName } = await setup();
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    await waitFor(() => expectShown(screen.getByText('✓ Chain OK: 6 entries, none changed, removed or reordered.')));

    await tamper(dbName, 3, (e) => ({ ...e, details: { ...(e['details'] as object), reason: 'routine' } }));
    // A filter that hides the damaged entry; the alert's button shows it anyway.
    await user.selectOptions(screen.getByRole('combobox', { name: 'Action' }), 'key.rotate');
    expect(rows()).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    const alert = await screen.findByRole('alert');
    await user.click(within(alert).getByRole('button', { name: 'Show entry 3 in the list' }));
    expect(rows()).toHaveLength(6);
    expect(window.location.hash).toBe('#/audit');
    expect(alert.textContent).toContain('Chain broken at entry 3: changed');
    expect(alert.textContent).toContain('entry 3 was changed: its content no longer matches its hash');
    const bad = rows().find((r) => r.getAttribute('aria-current') === 'true')!;
    expect(within(bad).getByRole('rowheader').textContent).toBe('3 ✗ broken here');
    // The page shows the stored (tampered) content.
    await user.click(within(bad).getByRole('button', { name: 'Details of entry 3' }));
    expect(screen.getByRole('dialog').textContent).toContain('"reason": "routine"');
    expect(screen.getByRole('dialog').textContent).toContain('The chain breaks at this entry.');
    await user.click(screen.getByRole('button', { name: 'Close' }));
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
    const [header, ...lines] = (await files[0]!.blob.text()).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string; recipe?: string; count?: number; head?: { seq: number; hash: string; sig?: string } });
    // The first line states the hash recipe and carries the signed head, so the file verifies offline.
    expect(header!.recipe).toMatch(/SHA-256/);
    expect(header!.count).toBe(6);
    expect(header!.head).toMatchObject({ seq: 6, hash: lines.at(-1)!.hash, sig: expect.any(String) });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines.every((l) => /^[0-9a-f]{64}$/.test(l.hash))).toBe(true);
    expect(files[0]!.blob.type).toBe('application/x-ndjson');
    expectShown(screen.getByText(/Saved clavis-audit\.jsonl \(6 entries\)\./));
  });

  it('issue 16: an old "Saved clavis-audit.jsonl" does not stay beside a new error', async () => {
    captureDownloads();
    const { user, engine } = await setup();
    await user.click(screen.getByRole('button', { name: 'Export JSON Lines' }));
    const region = screen.getByRole('region', { name: 'Integrity' });
    await waitFor(() => expect(within(region).getByRole('status').textContent).toContain('Saved clavis-audit.jsonl (6 entries).'));
    vi.spyOn(engine, 'verifyAuditLog').mockRejectedValueOnce(new EngineError('STORAGE', 'storage: the browser refused to read the log'));
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    const alert = await within(region).findByRole('alert');
    expect(alert.textContent).toContain('The browser refused to read the log.');
    expect(within(region).getByRole('status').textContent).not.toContain('Saved');
  });

  it('filterAuditEntries matches the object id in subjects or details, or its recorded name', () => {
    const base = { at: '2030-01-01T00:00:00.000Z', actor: 'operator', prevHash: '0'.repeat(64), hash: '1'.repeat(64) };
    const entries: AuditEntry[] = [
      { ...base, seq: 1, action: 'key.create', subject: ['key_a'], details: {} },
      { ...base, seq: 2, action: 'key.rotate', subject: ['ring'], details: { keyId: 'key_a' } },
      { ...base, seq: 3, action: 'key.create', subject: ['key_b'], details: { name: 'Beta' } },
    ];
    expect(filterAuditEntries(entries, { ...NO_FILTER, object: 'key_a' }).map((e) => e.seq)).toEqual([1, 2]);
    expect(filterAuditEntries(entries, { ...NO_FILTER, action: 'key.create', text: 'beta' }).map((e) => e.seq)).toEqual([3]);
    expect(filterAuditEntries(entries, { ...NO_FILTER, object: 'bet' }, new Map([['key_b', 'Beta']])).map((e) => e.seq)).toEqual([3]);
  });

  it('B7: 10,000 entries scroll as one list: a bounded number of rows in the page, the real size stated, later rows shown as the page scrolls', async () => {
    const engine = await tenThousandEntries();
    await renderWithEngine(<AuditPage />, { engine });
    await waitFor(() => expectShown(screen.getByText('10000 entries')));
    const table = screen.getByRole('table', { name: 'Audit entries, oldest first' });
    expect(table.getAttribute('aria-rowcount')).toBe(String(N + 1));
    expect(rows().length).toBeGreaterThan(0);
    expect(document.querySelectorAll('tr').length).toBeLessThanOrEqual(100);
    expect(seqs()[0]).toBe('1');
    expect(rows()[0]!.getAttribute('aria-rowindex')).toBe('2');
    // The table is in a focusable region, so the keyboard reaches and scrolls it.
    expect(screen.getByRole('region', { name: 'Audit entries table' }).tabIndex).toBe(0);

    placeBody(6000);
    fireEvent.scroll(window);
    await waitFor(() => expect(seqs()).toContain('6001'));
    expect(seqs()).not.toContain('1');
    expect(rows().map((r) => r.getAttribute('aria-rowindex'))).toContain('6002');
    expect(document.querySelectorAll('tr').length).toBeLessThanOrEqual(100);
    // The filters stay in the hash query; scrolling writes nothing there.
    expect(window.location.hash).toBe('#/audit');
  });

  it('B7: "Show entry n in the list" clears the filters, scrolls to that entry far down, marks it and focuses its Details button', async () => {
    const engine = await tenThousandEntries();
    const { user } = await renderWithEngine(<AuditPage />, { engine });
    await waitFor(() => expectShown(screen.getByText('10000 entries')));
    // As a browser would: scrolling a row into view moves the page (here, the body's place) to it.
    const scrolled = vi.spyOn(Element.prototype, 'scrollIntoView').mockImplementation(function (this: Element) {
      placeBody(Number(this.getAttribute('aria-rowindex')) - 2 - 8);
    });
    vi.spyOn(engine, 'verifyAuditLog').mockResolvedValueOnce({ ok: false, firstBadSeq: 7000, index: 6999, kind: 'changed', explanation: 'entry 7000 was changed: its content no longer matches its hash' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Action' }), 'key.create');
    expect(seqs()).toEqual(['1']);
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    await user.click(within(await screen.findByRole('alert')).getByRole('button', { name: 'Show entry 7000 in the list' }));

    expect(window.location.hash).toBe('#/audit');
    const details = await screen.findByRole('button', { name: 'Details of entry 7000' });
    const row = details.closest('tr')!;
    expect(row.getAttribute('aria-current')).toBe('true');
    expect(within(row).getByRole('rowheader').textContent).toBe('7000 ✗ broken here');
    expect(row.getAttribute('aria-rowindex')).toBe('7001');
    expect(scrolled.mock.contexts).toContain(row);
    await waitFor(() => expect(document.activeElement).toBe(details));
    expect(seqs()).not.toContain('1');
    expect(document.querySelectorAll('tr').length).toBeLessThanOrEqual(100);
    // Asking again (after scrolling away) scrolls back to it.
    placeBody(0);
    fireEvent.scroll(window);
    await waitFor(() => expect(seqs()).toContain('1'));
    await user.click(screen.getByRole('button', { name: 'Show entry 7000 in the list' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Details of entry 7000' })));
  });
});

const N = 10_000;

/** An engine whose log holds 10,000 entries: one real, 9,999 stored directly (the page only lists them; the chain is not checked here). */
async function tenThousandEntries() {
  const { engine, dbName } = await freshEngine({ clock: fixedClock(T0) });
  await engine.generateKey({ template: 'AES-GCM-256', name: 'seed' });
  const db = await openRaw(dbName);
  await new Promise<void>((res, rej) => {
    const tx = db.transaction('audit', 'readwrite');
    const store = tx.objectStore('audit');
    for (let seq = 2; seq <= N; seq++) {
      const entry = { seq, at: new Date(T0 + seq * 1000).toISOString(), actor: 'operator', action: 'key.rename', subject: [`key_${String(seq).padStart(32, '0')}`], details: { name: `k${seq}` }, prevHash: '0'.repeat(64), hash: '1'.repeat(64) };
      store.put(entry, seq);
    }
    tx.oncomplete = () => res();
    tx.onerror = () => rej(tx.error);
  });
  db.close();
  return engine;
}

/** The sequence numbers of the rendered rows. */
const seqs = () => rows().map((r) => within(r).getByRole('rowheader').textContent);

/** jsdom has no layout: place the table body as if the page had scrolled `row` rows (41 px each) down. */
function placeBody(row: number) {
  const body = screen.getByRole('table', { name: 'Audit entries, oldest first' }).querySelector('tbody')!;
  vi.spyOn(body, 'getBoundingClientRect').mockReturnValue({ top: -41 * row, bottom: 0, left: 0, right: 0, width: 0, height: 41 * N, x: 0, y: 0, toJSON: () => ({}) });
}
