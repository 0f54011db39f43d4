import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { captureDownloads, renderWithEngine } from '../../state/test-utils';
import { CertPage } from './cert-page';

afterEach(() => vi.restoreAllMocks());

describe('CertPage: chain bundles with the root (A5 formats)', () => {
  it('downloads the chain with its root as a PEM bundle (leaf first, root last) and as a certs-only .p7b', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Bundle Root' }, pathLen: 1 });
    const int = await pki.createIntermediateCa({ name: 'Issuing', parentId: root.ca.id, subject: { CN: 'Bundle Issuing' }, pathLen: 0 });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'leaf key' });
    const leaf = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'bundle.example.test' }, sans: { dns: ['bundle.example.test'] } });
    const files = captureDownloads();
    const { user } = await renderWithEngine(<CertPage id={leaf.cert.id} />, { engine });
    await user.click(await screen.findByRole('button', { name: 'Download chain with root (PEM bundle)' }));
    await user.click(screen.getByRole('button', { name: 'Download chain with root (.p7b)' }));
    await waitFor(() => expect(files).toHaveLength(2));
    expect(files.map((f) => f.name)).toEqual(['bundle.example.test-fullchain.pem', 'bundle.example.test-chain.p7b']);
    expect(await files[0]!.blob.text()).toBe(leaf.pem + int.pem + root.pem);
    const p7b = new Uint8Array(await files[1]!.blob.arrayBuffer());
    // ContentInfo with id-signedData (1.2.840.113549.1.7.2), holding all three certificates.
    expect(p7b[0]).toBe(0x30);
    expect(Buffer.from(p7b).includes(Buffer.from('06092a864886f70d010702', 'hex'))).toBe(true);
    for (const c of [leaf, int, root]) {
      const der = (await pki.exportCertificate(c.cert.id, 'der')) as Uint8Array;
      expect(Buffer.from(p7b).includes(Buffer.from(der))).toBe(true);
    }
    expect(screen.getByText(/Windows, Java keytool/)).toBeTruthy();
  });

  it('a root certificate offers no chain bundles', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Lonely Root' } });
    await renderWithEngine(<CertPage id={root.cert.id} />, { engine });
    await screen.findByRole('button', { name: 'Download PEM' });
    expect(screen.queryByRole('button', { name: /chain/ })).toBeNull();
  });
});
