// A CA's CRL page: publishing, the entries and the downloads.
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { CRL_PAGE_SIZE, CrlPage } from './crl-page';
import { expectShown } from '../../testing/dom';
import type { CertId } from '../../engine';

afterEach(() => vi.restoreAllMocks());

describe('CrlPage (E7)', () => {
  it('E7 shows the current CRL, pages its entries 100 at a time, links serials to certificates, and rebuilds on demand', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'CRL Root', subject: { CN: 'CRL Root' } });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'clients' });
    const ids: CertId[] = [];
    for (let i = 0; i < CRL_PAGE_SIZE + 3; i++) {
      const r = await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: `client ${i}` } });
      await pki.revokeCertificate(r.cert.id, { reason: 'superseded' });
      ids.push(r.cert.id);
    }
    const files = captureDownloads();
    const { user } = await renderWithEngine(<CrlPage caId={root.ca.id} />, { engine });
    expectShown(await screen.findByRole('heading', { level: 1, name: 'Revocation list of CRL Root' }));
    const current = await screen.findByRole('region', { name: 'Current CRL' });
    const number = CRL_PAGE_SIZE + 3 + 1;
    expect(within(current).getByText('CRL number').nextElementSibling?.textContent).toBe(String(number));
    expect(within(current).getByText('Revoked certificates').nextElementSibling?.textContent).toBe(String(CRL_PAGE_SIZE + 3));
    const table = await screen.findByRole('table', { name: `Entries of CRL number ${number}` });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(CRL_PAGE_SIZE + 1));
    expectShown(screen.getByText(`Page 1 of 2 (${CRL_PAGE_SIZE + 3} entries)`));
    expect(within(table).getAllByText('superseded').length).toBe(CRL_PAGE_SIZE);
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: `Entries of CRL number ${number}` })).getAllByRole('row')).toHaveLength(4));
    const last = await pki.getCertificate(ids[0]!);
    const all = await pki.crlEntries(root.ca.id, { offset: CRL_PAGE_SIZE, limit: 3 });
    const link = await screen.findByRole('link', { name: all.entries[0]!.serialHex });
    expect(link.getAttribute('href')).toMatch(/^#\/certs\/cert/);
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
