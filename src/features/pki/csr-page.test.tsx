// Reading a CSR and issuing a certificate from it.
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { CsrPage } from './csr-page';
import { expectShown } from '../../testing/dom';

afterEach(() => vi.restoreAllMocks());

describe('CsrPage (E2)', () => {
  it('E2 creates a CSR for a chosen vault key pair with subject and SANs; the PEM verifies, can be downloaded, and is issued as asked', async () => {
    const { engine } = await freshEngine();
    const signer = await engine.generateKey({ template: 'ECDSA-P-256', name: 'web key' });
    await engine.generateKey({ template: 'RSA-OAEP-2048', name: 'decrypt only' });
    await engine.generateKey({ template: 'AES-GCM-256', name: 'secret' });
    const files = captureDownloads();
    const { user } = await renderWithEngine(<CsrPage keyId={signer.id} />, { engine });
    expectShown(screen.getByRole('heading', { level: 1, name: 'Create a certificate signing request' }));
    const select = screen.getByRole('combobox', { name: 'Vault key pair' }) as HTMLSelectElement;
    // Only keys that can sign a request are offered; the key from the link is preselected.
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['web key (ECDSA-P-256)']);
    expect(select.value).toBe(signer.id);
    await user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'app.example.test');
    await user.type(screen.getByRole('textbox', { name: 'Organization (O)' }), 'Example');
    await user.type(screen.getByRole('textbox', { name: 'DNS names' }), 'app.example.test{enter}www.example.test');
    await user.click(screen.getByRole('button', { name: 'Create CSR' }));
    const pem = (await screen.findByRole('textbox', { name: 'CSR (PEM)' })) as HTMLTextAreaElement;
    expect(pem.value).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+-----END CERTIFICATE REQUEST-----\n?$/);
    expect(pem.value).not.toMatch(/PRIVATE/);
    const pki = await engine.pki();
    const info = await pki.inspectCsr(pem.value);
    expect(info.subject).toBe('O=Example, CN=app.example.test');
    expect(info.sans.dns).toEqual(['app.example.test', 'www.example.test']);
    await user.click(screen.getByRole('button', { name: 'Download CSR' }));
    await waitFor(() => expect(files).toHaveLength(1));
    expect(files[0]!.name).toBe('app.example.test.csr');
    expect(await files[0]!.blob.text()).toBe(pem.value);
    // The request names the vault key: a certificate issued from it certifies that key.
    const root = await pki.createRootCa({ name: 'R', subject: { CN: 'R' }, crlValidityDays: 7 });
    const issued = await pki.issueFromCsr({ caId: root.ca.id, csr: pem.value, profile: 'tls-server' });
    expect(issued.cert.spkiSha256).toBe(signer.fingerprint.value);
  });

  it('a refused request shows the engine message; with no signing key the page says how to get one', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const view = await renderWithEngine(<CsrPage />, { engine });
    const { user } = view;
    await user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'bad\u202Ename');
    await user.click(screen.getByRole('button', { name: 'Create CSR' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/The request was not created/);
    // The engine's message as a sentence, its code in the details line, no module prefix.
    expect(alert.textContent).toMatch(/INVALID_ARGUMENT/);
    expect(alert.textContent).not.toMatch(/pki:/);
    view.unmount();
    await engine.suspendKey(key.id);
    await renderWithEngine(<CsrPage />, { engine });
    expectShown(screen.getByText(/No active ECDSA or RSA signing key pair in the vault/));
    expect((screen.getByRole('button', { name: 'Create CSR' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
