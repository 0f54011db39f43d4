// A certificate's chain bundles (PEM, .p7b) and PKCS #12 download.
import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { pkiOpNames } from '../../state/slices/pki-slice';
import { CertPage } from './cert-page';
import { expectShown } from '../../testing/dom';

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
      const der = await pki.exportCertificate(c.cert.id, 'der');
      expect(Buffer.from(p7b).includes(Buffer.from(der))).toBe(true);
    }
    expectShown(screen.getByText(/Windows, Java keytool/));
  });

  it('seed 003: a leaf with an exportable key downloads as PKCS #12 (with the leaf inside) after the passphrase is typed twice alike, and the passphrase leaves the page', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'P12 Root' } });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'mail key', exportable: true });
    const leaf = await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'p12.example.test' }, sans: { dns: ['p12.example.test'] } });
    const files = captureDownloads();
    const { user, store } = await renderWithEngine(<CertPage id={leaf.cert.id} />, { engine });
    const pass = await screen.findByLabelText('PKCS #12 passphrase');
    await user.type(pass, 'a good passphrase');
    await user.type(screen.getByLabelText('Confirm PKCS #12 passphrase'), 'another passphrase');
    await user.click(screen.getByRole('button', { name: 'Download PKCS #12 (.p12)' }));
    expect((await screen.findByRole('alert')).textContent).toContain('do not match');
    expect(files).toHaveLength(0);

    await user.type(pass, 'a good passphrase');
    await user.type(screen.getByLabelText('Confirm PKCS #12 passphrase'), 'a good passphrase');
    await user.click(screen.getByRole('button', { name: /PKCS #12 \(\.p12\)|Encrypting/ }));
    // 600,000 PBKDF2 iterations take what they take: wait for the store's event, not a time.
    await new Promise<void>((resolve) => {
      const check = () => {
        const op = store.getState().pki.ops[pkiOpNames.exportPkcs12(leaf.cert.id)];
        if (op && op.status !== 'busy') {
          unsubscribe();
          resolve();
        }
      };
      const unsubscribe = store.subscribe(check);
      check();
    });
    await screen.findByText('Saved p12.example.test.p12');
    expect(files.map((f) => f.name)).toEqual(['p12.example.test.p12']);
    const pfx = new Uint8Array(await files[0]!.blob.arrayBuffer());
    expect(Buffer.from(pfx).includes(Buffer.from(await pki.exportCertificate(leaf.cert.id, 'der')))).toBe(true);
    expect((pass as HTMLInputElement).value).toBe('');
    expect(document.body.innerHTML).not.toContain('a good passphrase');
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
