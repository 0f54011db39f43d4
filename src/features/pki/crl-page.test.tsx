// A CA's CRL page: publishing, the entries (one list read window by window as it scrolls) and the downloads.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { CrlPage } from './crl-page';
import { CRL_WINDOW } from './crl-window';
import { expectShown } from '../../testing/dom';
import type { CertId } from '../../engine';

afterEach(() => vi.restoreAllMocks());

/** jsdom has no layout: place the entries' table body as if the page had scrolled `row` rows (41 px each) down. */
function placeBody(table: HTMLElement, row: number) {
  const body = table.querySelector('tbody')!;
  vi.spyOn(body, 'getBoundingClientRect').mockReturnValue({ top: -41 * row, bottom: 0, left: 0, right: 0, width: 0, height: 0, x: 0, y: 0, toJSON: () => ({}) });
}

const dataRows = (table: HTMLElement) => [...table.querySelectorAll<HTMLElement>('tbody tr[data-row]')];

describe('CrlPage (E7)', () => {
  it('E7 shows the current CRL, lists its entries as one scrolling table, links serials to certificates, and rebuilds on demand', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'CRL Root', subject: { CN: 'CRL Root' } });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'clients' });
    const ids: CertId[] = [];
    for (let i = 0; i < CRL_WINDOW + 3; i++) {
      const r = await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: `client ${i}` } });
      await pki.revokeCertificate(r.cert.id, { reason: 'superseded' });
      ids.push(r.cert.id);
    }
    const files = captureDownloads();
    const { user } = await renderWithEngine(<CrlPage caId={root.ca.id} />, { engine });
    expectShown(await screen.findByRole('heading', { level: 1, name: 'Revocation list of CRL Root' }));
    const current = await screen.findByRole('region', { name: 'Current CRL' });
    const number = CRL_WINDOW + 3 + 1;
    expect(within(current).getByText('CRL number').nextElementSibling?.textContent).toBe(String(number));
    expect(within(current).getByText('Revoked certificates').nextElementSibling?.textContent).toBe(String(CRL_WINDOW + 3));
    const table = await screen.findByRole('table', { name: `Entries of CRL number ${number}` });
    expect(table.getAttribute('aria-rowcount')).toBe(String(CRL_WINDOW + 3 + 1));
    expectShown(screen.getByText(`${CRL_WINDOW + 3} entries, in the CRL’s order; they are read as the list scrolls.`));
    const all = await pki.crlEntries(root.ca.id, { offset: 0, limit: CRL_WINDOW + 3 });
    await waitFor(() => expectShown(within(table).getByRole('link', { name: all.entries[0]!.serialHex })));
    // The first rows only, each read from the CRL.
    const shown = dataRows(table).length;
    expect(shown).toBeLessThan(CRL_WINDOW + 3);
    expect(within(table).getAllByText('superseded')).toHaveLength(shown);
    // Scrolled to the end, the last entries (past the first window) are read and shown.
    placeBody(table, CRL_WINDOW - 10);
    fireEvent.scroll(window);
    const link = await within(table).findByRole('link', { name: all.entries[CRL_WINDOW + 2]!.serialHex });
    expect(link.closest('tr')!.getAttribute('aria-rowindex')).toBe(String(CRL_WINDOW + 3 + 1));
    expect(link.getAttribute('href')).toMatch(/^#\/certs\/cert/);
    expect(within(table).queryByRole('link', { name: all.entries[0]!.serialHex })).toBeNull();
    const last = await pki.getCertificate(ids[0]!);
    expect(last.status).toBe('revoked');

    await user.click(screen.getByRole('button', { name: 'Rebuild now' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe(`Published CRL number ${number + 1}`));
    expect(within(current).getByText('CRL number').nextElementSibling?.textContent).toBe(String(number + 1));

    await user.click(screen.getByRole('button', { name: 'Download CRL (PEM)' }));
    await user.click(screen.getByRole('button', { name: 'Download CRL (DER)' }));
    await waitFor(() => expect(files).toHaveLength(2));
    expect(files.map((f) => f.name)).toEqual(['CRL-Root.crl.pem', 'CRL-Root.crl']);
    expect(await files[0]!.blob.text()).toMatch(/^-----BEGIN X509 CRL-----/);
    expect(new Uint8Array(await files[1]!.blob.arrayBuffer())).toEqual(await pki.exportCrl(root.ca.id, 'der'));
  });

  it('E7 a CRL of 5,000 entries: the real size stated, windows read as the list scrolls, a placeholder until they arrive, a bounded cache', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Big Root', subject: { CN: 'Big Root' } });
    const TOTAL = 5_000;
    const serial = (i: number) => (0x100000 + i).toString(16);
    // The engine's page verb, answering for a CRL of 5,000 entries; reads can be held back.
    const held: (() => void)[] = [];
    let hold = false;
    const reads = vi.spyOn(pki, 'crlEntries').mockImplementation(async (_caId, { offset, limit }) => {
      if (hold) await new Promise<void>((release) => held.push(release));
      const n = Math.max(0, Math.min(limit, TOTAL - offset));
      return { total: TOTAL, entries: Array.from({ length: n }, (_, j) => ({ serialHex: serial(offset + j), revocationDate: '2030-01-01T00:00:00.000Z', reason: 'superseded' })) };
    });
    await renderWithEngine(<CrlPage caId={root.ca.id} />, { engine });
    const table = await screen.findByRole('table', { name: /^Entries of CRL number/ });
    expect(table.getAttribute('aria-rowcount')).toBe(String(TOTAL + 1));
    await waitFor(() => expectShown(within(table).getByRole('rowheader', { name: serial(0) })));
    expect(dataRows(table).length).toBeLessThanOrEqual(100);
    expect(table.querySelectorAll('tr').length).toBeLessThanOrEqual(100);

    // Rows whose window is still being read hold their place with a placeholder.
    hold = true;
    placeBody(table, 3000);
    fireEvent.scroll(window);
    const waiting = await within(table).findByText('Loading entry 3001…');
    expect(waiting.closest('tr')!.getAttribute('aria-rowindex')).toBe('3002');
    expect(within(table).queryByRole('rowheader', { name: serial(0) })).toBeNull();
    await waitFor(() => expect(held.length).toBeGreaterThan(0));
    hold = false;
    for (const release of held.splice(0)) release();
    await waitFor(() => expectShown(within(table).getByRole('rowheader', { name: serial(3000) })));
    await waitFor(() => expect(within(table).queryByText(/^Loading entry/)).toBeNull());
    expect(dataRows(table).length).toBeLessThanOrEqual(100);

    // Every read is one window, at a window's start.
    for (const [, page] of reads.mock.calls) expect([page.limit, page.offset % CRL_WINDOW]).toEqual([CRL_WINDOW, 0]);
    // Down the whole list and back to the top: the first window was dropped on the way and is read again.
    const readsOfFirst = () => reads.mock.calls.filter(([, page]) => page.offset === 0).length;
    expect(readsOfFirst()).toBe(1);
    for (let row = 0; row < TOTAL; row += 500) {
      placeBody(table, row);
      fireEvent.scroll(window);
      await waitFor(() => expectShown(within(table).getByRole('rowheader', { name: serial(row) })));
    }
    placeBody(table, 0);
    fireEvent.scroll(window);
    await waitFor(() => expectShown(within(table).getByRole('rowheader', { name: serial(0) })));
    expect(readsOfFirst()).toBe(2);
    expect(dataRows(table).length).toBeLessThanOrEqual(100);
  });

  it('E7 the history lists the published CRLs newest first, follows a rebuild, and downloads an older one by number', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Hist', subject: { CN: 'Hist Root' } });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const a = await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } });
    await pki.revokeCertificate(a.cert.id, { reason: 'superseded' });
    const files = captureDownloads();
    const { user } = await renderWithEngine(<CrlPage caId={root.ca.id} />, { engine });
    const table = await screen.findByRole('table', { name: 'Published CRLs of Hist' });
    const rows = () => within(table).getAllByRole('row').slice(1).map((r) => within(r).getByRole('rowheader').textContent);
    await waitFor(() => expect(rows()).toEqual(['2 (current)', '1']));
    await user.click(screen.getByRole('button', { name: 'Rebuild now' }));
    await waitFor(() => expect(rows()).toEqual(['3 (current)', '2', '1']));
    await user.click(screen.getByRole('button', { name: 'DER of CRL number 1' }));
    await waitFor(() => expect(files).toHaveLength(1));
    expect(files[0]!.name).toBe('Hist-1.crl');
    expect(new Uint8Array(await files[0]!.blob.arrayBuffer())).toEqual(await pki.exportCrl(root.ca.id, 'der', 1));
    expect(await pki.exportCrl(root.ca.id, 'der', 1)).not.toEqual(await pki.exportCrl(root.ca.id, 'der'));
  });

  it('an empty CRL says nothing is revoked; an unknown CA says so', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Quiet', subject: { CN: 'Quiet Root' } });
    const view = await renderWithEngine(<CrlPage caId={root.ca.id} />, { engine });
    expectShown(await screen.findByText('No certificate of this CA is revoked.'));
    view.unmount();
    await renderWithEngine(<CrlPage caId="ca-missing" />, { engine });
    expectShown(await screen.findByRole('heading', { level: 1, name: 'CA not found' }));
  });

  it('issue 16: an old "Saved …" does not stay beside a new error, and revocation reasons read as words', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Saved Root', subject: { CN: 'Saved Root' } });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const a = await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } });
    await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise' });
    captureDownloads();
    const { user } = await renderWithEngine(<CrlPage caId={root.ca.id} />, { engine });
    const current = await screen.findByRole('region', { name: 'Current CRL' });
    const table = await screen.findByRole('table', { name: /^Entries of CRL number/ });
    expectShown(within(table).getByText('key compromise'));
    expect(within(table).queryByText('keyCompromise')).toBeNull();

    await user.click(within(current).getByRole('button', { name: 'Download CRL (PEM)' }));
    await waitFor(() => expect(within(current).getByRole('status').textContent).toBe('Saved Saved-Root.crl.pem'));
    // The browser refuses the next write: the error stands alone.
    vi.spyOn(pki, 'publishCrl').mockRejectedValueOnce(new EngineError('STORAGE', 'storage: the browser refused the write (quota exceeded)'));
    await user.click(within(current).getByRole('button', { name: 'Rebuild now' }));
    const alert = await within(current).findByRole('alert');
    expect(alert.textContent).toContain('The browser refused the write (quota exceeded).');
    expect(within(current).getByRole('status').textContent).toBe('');
  });
});
