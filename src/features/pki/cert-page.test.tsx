// A certificate's page: its fields, extensions, status, downloads and verification.
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { CertPage } from './cert-page';
import { CertListPage } from './cert-list-page';
import { expectShown } from '../../testing/dom';

const XSS = '<img src=x onerror="window.__pwned=1">';

/** A fixed clock: dates in these tests never come from the machine's. */
const NOW = Date.UTC(2026, 2, 1, 12);
const YESTERDAY = '2026-02-28';

async function withLeaf(subject: { CN: string; O?: string } = { CN: 'viewer.example.test' }) {
  const { engine } = await freshEngine({ clock: { now: () => NOW } });
  const pki = await engine.pki();
  const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Viewer Root' }, pathLen: 1 });
  const int = await pki.createIntermediateCa({ name: 'Issuing', parentId: root.ca.id, subject: { CN: 'Viewer Issuing' }, pathLen: 0 });
  const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'leaf key' });
  const leaf = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject, sans: { dns: ['viewer.example.test'], uri: ['javascript:window.__pwned=1'] } });
  return { engine, pki, root, int, leaf };
}

afterEach(() => vi.restoreAllMocks());

describe('CertPage (E5, E6)', () => {
  it('E5 shows subject, issuer, serial, status, decoded extensions, fingerprints, chain links, verification steps and the ASN.1 tree', async () => {
    const { engine, pki, root, int, leaf } = await withLeaf();
    await renderWithEngine(<CertPage id={leaf.cert.id} />, { engine });
    expectShown(await screen.findByRole('heading', { level: 1, name: 'viewer.example.test' }));
    const details = screen.getByRole('region', { name: 'Details' });
    expect(details.textContent).toContain('CN=viewer.example.test');
    expect(within(details).getByRole('link', { name: 'CN=Viewer Issuing' }).getAttribute('href')).toBe(`#/certs/${int.cert.id}`);
    expect(details.textContent).toContain(leaf.cert.serialHex.slice(0, 2));
    const fp = await screen.findByRole('region', { name: 'Fingerprints' });
    const d = await pki.describeCertificate(leaf.cert.id);
    await waitFor(() => expect(fp.textContent).toContain(d.fingerprints.sha256.slice(0, 2) + ':' + d.fingerprints.sha256.slice(2, 4)));
    expect(fp.textContent).toContain('SHA-1');
    const ext = screen.getByRole('region', { name: 'Extensions' });
    expect(ext.textContent).toContain('Subject alternative name');
    expect(ext.textContent).toContain('DNS: viewer.example.test');
    expect(ext.textContent).toContain('TLS server authentication');
    const chain = screen.getByRole('region', { name: 'Chain' });
    expect(within(chain).getByRole('link', { name: 'Issuing' }).getAttribute('href')).toBe(`#/certs/${int.cert.id}`);
    expect(within(chain).getByRole('link', { name: 'Root' }).getAttribute('href')).toBe(`#/certs/${root.cert.id}`);
    const verification = screen.getByRole('region', { name: 'Verification' });
    await waitFor(() => expect(verification.textContent).toContain('✓ The chain verifies'));
    expect(within(verification).getAllByRole('listitem').length).toBeGreaterThan(2);
    expect(within(verification).queryByText(/✗ Fail/)).toBeNull();
    const tree = await screen.findByRole('list', { name: 'ASN.1 tree of the certificate' });
    expect(tree.textContent).toContain('SEQUENCE');
    expect(tree.textContent).toContain('2.5.29.17 (Subject alternative name)');
    // URI SANs are text, never links (H5).
    expect(screen.queryByRole('link', { name: /javascript:/ })).toBeNull();
  });

  it('E5 downloads PEM, DER and the chain bundle of a leaf', async () => {
    const { engine, pki, leaf, int } = await withLeaf();
    const files = captureDownloads();
    const { user } = await renderWithEngine(<CertPage id={leaf.cert.id} />, { engine });
    await user.click(await screen.findByRole('button', { name: 'Download PEM' }));
    await user.click(screen.getByRole('button', { name: 'Download DER' }));
    await user.click(screen.getByRole('button', { name: 'Download chain (PEM bundle)' }));
    await waitFor(() => expect(files).toHaveLength(3));
    expect(files.map((f) => f.name)).toEqual(['viewer.example.test.pem', 'viewer.example.test.der', 'viewer.example.test-chain.pem']);
    expect(await files[0]!.blob.text()).toBe(leaf.pem);
    const der = new Uint8Array(await files[1]!.blob.arrayBuffer());
    expect(der).toEqual(await pki.exportCertificate(leaf.cert.id, 'der'));
    expect(await files[2]!.blob.text()).toBe(leaf.pem + int.pem);
    expectShown(screen.getByText('Saved viewer.example.test-chain.pem'));
  });

  it('E6 revokes after a confirmation, with reason and invalidity date; the status and verification change', async () => {
    const { engine, pki, leaf, int } = await withLeaf();
    const { user } = await renderWithEngine(<CertPage id={leaf.cert.id} />, { engine });
    await screen.findByRole('heading', { level: 1, name: 'viewer.example.test' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Reason' }), 'keyCompromise');
    await user.type(screen.getByLabelText('Invalidity date (optional)'), YESTERDAY);
    await user.click(screen.getByRole('button', { name: 'Revoke…' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke this certificate?' });
    // Cancel first: nothing happens.
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect((await pki.getCertificate(leaf.cert.id)).status).toBe('valid');
    await user.click(screen.getByRole('button', { name: 'Revoke…' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke certificate' }));
    await waitFor(() => expectShown(screen.getByText(/reason: key compromise/)));
    expectShown(screen.getByText(/key invalid since/));
    const verification = screen.getByRole('region', { name: 'Verification' });
    await waitFor(() => expect(verification.textContent).toContain('✗ The chain does not verify'));
    expect(verification.textContent).toContain('revocation: revoked');
    expect(screen.queryByRole('button', { name: 'Revoke…' })).toBeNull();
    expect(screen.getByRole('link', { name: 'See the CRL of Issuing' }).getAttribute('href')).toBe(`#/ca/${int.ca.id}/crl`);
    const cert = await pki.getCertificate(leaf.cert.id);
    expect(cert.revocation).toMatchObject({ reason: 'keyCompromise', invalidityDate: `${YESTERDAY}T00:00:00.000Z` });
  });

  it('H5 a subject with markup renders as literal text and runs nothing', async () => {
    const { engine, leaf } = await withLeaf({ CN: XSS, O: '"><svg onload=window.__pwned=1>' });
    const { container } = await renderWithEngine(<CertPage id={leaf.cert.id} />, { engine });
    expectShown(await screen.findByRole('heading', { level: 1, name: XSS }));
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('svg')).toBeNull();
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
    // The subject line is RFC 4514 text (specials escaped), still literal.
    expect(screen.getByRole('region', { name: 'Details' }).textContent).toContain('CN=\\<img src\\=x onerror\\=');
  });

  it('an unknown id says the certificate was not found', async () => {
    await renderWithEngine(<CertPage id="cert-missing" />);
    expectShown(await screen.findByRole('heading', { level: 1, name: 'Certificate not found' }));
    expect(screen.getByRole('alert').textContent).toContain('INVALID_ARGUMENT');
  });
});

describe('CertListPage (E10)', () => {
  it('E10 lists certificates and filters them by search text, profile and status', async () => {
    const { engine, pki, leaf } = await withLeaf();
    await pki.revokeCertificate(leaf.cert.id, { reason: 'superseded' });
    const { user } = await renderWithEngine(<CertListPage />, { engine });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('3 certificates'));
    await user.type(screen.getByRole('searchbox', { name: 'Search certificates' }), 'viewer.example');
    expect(screen.getByRole('status').textContent).toBe('Showing 1 of 3 certificates');
    expect(screen.getByRole('link', { name: 'viewer.example.test' }).getAttribute('href')).toBe(`#/certs/${leaf.cert.id}`);
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'revoked');
    expect(screen.getByRole('status').textContent).toBe('Showing 1 of 3 certificates');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Profile' }), 'sub-ca');
    expectShown(screen.getByText('No certificates match these filters.'));
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search certificates' }), leaf.cert.serialHex.slice(0, 8));
    expect(screen.getByRole('status').textContent).toBe('Showing 1 of 3 certificates');
  });
});
