// Signature encodings (DER, raw r‖s) and the files a key page downloads.
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TemplateName } from '../../engine';
import { captureDownloads, clickWhenEnabled, renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { KeyPage } from './key-page';
import { expectShown } from '../../testing/dom';

afterEach(() => vi.restoreAllMocks());

async function pageFor(template: TemplateName, name: string, exportable = false) {
  const { engine } = await freshEngine();
  const key = await engine.generateKey({ template, name, exportable });
  const view = await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} />, { engine });
  await screen.findByRole('heading', { level: 1, name: key.name });
  return { ...view, key };
}

describe('signature encodings and files (A4, A5)', () => {
  it('ECDSA: raw r‖s is stated beside the signature and downloads as 64 bytes; given to verify as DER it says “wrong encoding”, not invalid', async () => {
    const files = captureDownloads();
    const { user } = await pageFor('ECDSA-P-256', 'jose signer');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Signature encoding' }), 'Raw r‖s (JOSE, WebCrypto)');
    await user.type(screen.getByRole('textbox', { name: 'Message to sign' }), 'release 2.0');
    await user.click(screen.getByRole('button', { name: 'Sign' }));
    const sig = await screen.findByRole('textbox', { name: 'Signature (base64)' });
    // Described by exactly one element: the encoding note beside it.
    const describedBy = sig.getAttribute('aria-describedby')!.split(' ');
    expect(describedBy).toHaveLength(1);
    expect(document.getElementById(describedBy[0]!)!.textContent).toMatch(/^Encoding: raw r‖s \(64 bytes\)/);
    await user.click(screen.getByRole('button', { name: 'Download signature file' }));
    await waitFor(() => expect(files.map((f) => f.name)).toEqual(['jose-signer.sig']));
    expect((await files[0]!.blob.arrayBuffer()).byteLength).toBe(64);

    await user.click(screen.getByRole('button', { name: 'Use below to verify' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Signature encoding' }), 'DER (openssl, Python, X.509)');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/[Ww]rong encoding/);
    expect(alert.textContent).toContain('raw r‖s');
    expect(screen.queryByText(/Invalid:/)).toBeNull();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Signature encoding' }), 'Raw r‖s (JOSE, WebCrypto)');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await screen.findByText(/^✓ Valid:/);
  });

  it('ECDSA: the default DER signature is stated as DER and its file is an ASN.1 SEQUENCE; as raw it says “wrong encoding” too', async () => {
    const files = captureDownloads();
    const { user } = await pageFor('ECDSA-P-384', 'der signer');
    await user.type(screen.getByRole('textbox', { name: 'Message to sign' }), 'x');
    await user.click(screen.getByRole('button', { name: 'Sign' }));
    await screen.findByText(/^Encoding: DER \(ASN\.1 ECDSA-Sig-Value, \d+ bytes\)/);
    await user.click(screen.getByRole('button', { name: 'Download signature file' }));
    await waitFor(() => expect(files).toHaveLength(1));
    expect(new Uint8Array(await files[0]!.blob.arrayBuffer())[0]).toBe(0x30);
    await user.click(screen.getByRole('button', { name: 'Use below to verify' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Signature encoding' }), 'Raw r‖s (JOSE, WebCrypto)');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/[Ww]rong encoding: this is a DER signature/);
  });

  it('Ed25519 has no encoding choice; its public key downloads as an OpenSSH line', async () => {
    const files = captureDownloads();
    const { user } = await pageFor('Ed25519', 'deploy key');
    expect(screen.queryByRole('combobox', { name: 'Signature encoding' })).toBeNull();
    await clickWhenEnabled(user, screen.getByRole('button', { name: 'Download public key (OpenSSH)' }));
    await waitFor(() => expect(files.map((f) => f.name)).toEqual(['deploy-key.pub']));
    expect(await files[0]!.blob.text()).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43}=? deploy key\n$/);
  });

  it('an ECDH key offers no OpenSSH form (SSH keys sign)', async () => {
    await pageFor('ECDH-P-256', 'agreement');
    expectShown(screen.getByRole('button', { name: 'Download public key (PEM)' }));
    expect(screen.queryByRole('button', { name: 'Download public key (OpenSSH)' })).toBeNull();
  });

  it('an exportable private key downloads as unencrypted PKCS #8 PEM only under the “Unencrypted” warning, and imports back', async () => {
    const files = captureDownloads();
    const { user, engine, key } = await pageFor('ECDSA-P-256', 'build server', true);
    const section = screen.getByRole('region', { name: 'Export the private key' });
    const button = within(section).getByRole('button', { name: 'Download private key (PKCS #8 PEM, unencrypted)' });
    expectShown(within(section).getByText(/these files hold the key in the clear/));
    await user.click(button);
    await waitFor(() => expect(files.map((f) => f.name)).toEqual(['build-server-private.pem']));
    const pem = await files[0]!.blob.text();
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const back = await engine.importKey({ data: pem, name: 'again' });
    expect(back.fingerprint.value).toBe(key.fingerprint.value);
  });
});
