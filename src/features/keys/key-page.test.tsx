// A key's page: its badges, fingerprint, public key and downloads.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { groupHex } from '../../components/ui/format';
import { captureDownloads, clickWhenEnabled, renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { toBase64 } from '../../engine/internal/bytes';
import { KeyPage } from './key-page';
import { expectShown } from '../../testing/dom';

afterEach(() => vi.restoreAllMocks());

async function pageFor(template: Parameters<Awaited<ReturnType<typeof freshEngine>>['engine']['generateKey']>[0]) {
  const { engine } = await freshEngine();
  const key = await engine.generateKey(template);
  const navigate = vi.fn();
  const view = await renderWithEngine(<KeyPage id={key.id} navigate={navigate} />, { engine });
  await screen.findByRole('heading', { level: 1, name: key.name });
  return { ...view, key, navigate };
}

describe('KeyPage', () => {
  it('A2/A6 shows a non-extractable key pair with its badge, reason and full SHA-256 fingerprint', async () => {
    const { key } = await pageFor({ template: 'ECDSA-P-256', name: 'Release signer', owner: 'bob' });
    const section = screen.getByRole('region', { name: 'Extractability' });
    expectShown(within(section).getByText('Non-extractable'));
    expectShown(within(section).getByText(/refuses to reveal it to anyone, including this page/));
    const fp = screen.getByRole('region', { name: 'Fingerprint' });
    expectShown(within(fp).getByText(groupHex(key.fingerprint.value)));
    expect(key.fingerprint.value).toMatch(/^[0-9a-f]{64}$/);
    // No way to take the private key out.
    expect(screen.queryByRole('region', { name: /^Export the/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /private key|secret key|encrypted PKCS/ })).toBeNull();
  });

  it('shows the public key as PEM text of a key pair, and downloads DER and JWK', async () => {
    const files = captureDownloads();
    const { user } = await pageFor({ template: 'ECDSA-P-256', name: 'web server' });
    const pem = screen.getByRole('textbox', { name: 'Public key (PEM)' }) as HTMLTextAreaElement;
    await waitFor(() => expect(pem.value).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/));
    expect(pem.readOnly).toBe(true);
    await clickWhenEnabled(user, screen.getByRole('button', { name: 'Download public key (DER)' }));
    await clickWhenEnabled(user, screen.getByRole('button', { name: 'Download public key (JWK)' }));
    await waitFor(() => expect(files.map((f) => f.name)).toEqual(['web-server-public.der', 'web-server-public.jwk.json']));
    const der = new Uint8Array(await files[0]!.blob.arrayBuffer());
    expect(der[0]).toBe(0x30);
    const jwk = JSON.parse(await files[1]!.blob.text());
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwk.d).toBeUndefined();
  });

  it('shows a KCV for a secret key and, when exportable, the badge with the engine’s reason', async () => {
    const { key } = await pageFor({ template: 'AES-GCM-256', name: 'Data key', exportable: true });
    expectShown(screen.getByRole('heading', { level: 2, name: 'Key check value' }));
    expectShown(screen.getByText(groupHex(key.fingerprint.value)));
    const section = screen.getByRole('region', { name: 'Extractability' });
    expectShown(within(section).getByText('Exportable'));
    expectShown(within(section).getByText(key.extractableReason!));
    expectShown(screen.getByRole('region', { name: 'Export the secret key' }));
  });

  it('encrypts text and decrypts it back; a tampered ciphertext fails with DECRYPT_FAILED', async () => {
    const { user } = await pageFor({ template: 'AES-GCM-256', name: 'notes' });
    await user.type(screen.getByRole('textbox', { name: 'Text to encrypt' }), 'meet at noon');
    await user.click(screen.getByRole('button', { name: 'Encrypt' }));
    const out = (await screen.findByRole('textbox', { name: 'Encrypted text' })) as HTMLTextAreaElement;
    expect(out.value).toMatch(/^clavis:v1:/);
    expect(out.value).not.toContain('meet at noon');

    await user.click(screen.getByRole('button', { name: 'Use below to decrypt' }));
    await user.click(screen.getByRole('button', { name: 'Decrypt' }));
    expect(((await screen.findByRole('textbox', { name: 'Decrypted text' })) as HTMLTextAreaElement).value).toBe('meet at noon');

    const input = screen.getByRole('textbox', { name: 'Ciphertext to decrypt' }) as HTMLTextAreaElement;
    // Flip one base64 character inside the body (every bit there is significant).
    const at = Math.floor(out.value.length * 0.6);
    const flipped = out.value[at] === 'A' ? 'B' : 'A';
    fireEvent.change(input, { target: { value: out.value.slice(0, at) + flipped + out.value.slice(at + 1) } });
    await user.click(screen.getByRole('button', { name: 'Decrypt' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('DECRYPT_FAILED');
    expect(screen.queryByRole('textbox', { name: 'Decrypted text' })).toBeNull();
  });

  it('signs text (base64) and verifies: Valid for the same message, Invalid after a change', async () => {
    const { user } = await pageFor({ template: 'ECDSA-P-256', name: 'signer' });
    await user.type(screen.getByRole('textbox', { name: 'Message to sign' }), 'release 1.0');
    await user.click(screen.getByRole('button', { name: 'Sign' }));
    const sig = (await screen.findByRole('textbox', { name: 'Signature (base64)' })) as HTMLTextAreaElement;
    expect(sig.value).toMatch(/^[A-Za-z0-9+/]+=*$/);

    await user.click(screen.getByRole('button', { name: 'Use below to verify' }));
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expectShown(screen.getByText(/^✓ Valid:/)));

    await user.type(screen.getByRole('textbox', { name: 'Message to verify' }), '!');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    const verdict = await screen.findByText(/^✗ Invalid:/);
    expect(verdict.getAttribute('role')).toBe('status');
  });

  it('encrypts a file to <name>.clavis and decrypts that file back to the original bytes', async () => {
    const files = captureDownloads();
    const { user } = await pageFor({ template: 'AES-GCM-256', name: 'files' });
    const original = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    await user.upload(screen.getByLabelText('File to encrypt'), new File([original], 'report.bin'));
    await user.click(screen.getByRole('button', { name: 'Encrypt and download' }));
    await waitFor(() => expect(files.map((f) => f.name)).toEqual(['report.bin.clavis']));
    expectShown(screen.getByText(/^Encrypted report\.bin: saved report\.bin\.clavis/));

    const sealed = new File([await files[0]!.blob.arrayBuffer()], 'report.bin.clavis');
    await user.upload(screen.getByLabelText('Encrypted file to decrypt (.clavis)'), sealed);
    await user.click(screen.getByRole('button', { name: 'Decrypt and download' }));
    await waitFor(() => expect(files).toHaveLength(2));
    expect(files[1]!.name).toBe('report.bin');
    expect(new Uint8Array(await files[1]!.blob.arrayBuffer())).toEqual(original);
  });

  it('exports an exportable private key as encrypted PKCS #8 and clears the passphrase fields', async () => {
    const files = captureDownloads();
    const { user } = await pageFor({ template: 'ECDSA-P-256', name: 'portable', exportable: true });
    const pass = screen.getByLabelText('Passphrase') as HTMLInputElement;
    const confirm = screen.getByLabelText('Confirm passphrase') as HTMLInputElement;
    expect(pass.type).toBe('password');
    expect(pass.autocomplete).toBe('new-password');

    await user.type(pass, 'correct horse battery staple');
    await user.type(confirm, 'correct horse battery stapler');
    await user.click(screen.getByRole('button', { name: 'Download encrypted PKCS #8' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/do not match/);
    expect(pass.value).toBe('');
    expect(confirm.value).toBe('');

    await user.type(pass, 'correct horse battery staple');
    await user.type(confirm, 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Download encrypted PKCS #8' }));
    await waitFor(() => expect(files.map((f) => f.name)).toEqual(['portable-private-encrypted.pem']));
    expect(await files[0]!.blob.text()).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(pass.value).toBe('');
    expect(confirm.value).toBe('');
    expect(document.body.innerHTML).not.toContain('correct horse');
  });

  it('deletes only after confirmation in a modal dialog, then returns to the list', async () => {
    const { user, engine, key, navigate, container } = await pageFor({ template: 'HMAC-SHA-256', name: 'old mac key' });
    const trigger = screen.getByRole('button', { name: 'Delete key…' });
    await user.click(trigger);
    let dialog = screen.getByRole('dialog', { name: 'Delete “old mac key”?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    // The page behind the dialog is inert while it is open.
    expect(container.inert).toBe(true);

    // Escape cancels; focus goes back to the button that opened it; the key is still there.
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(trigger);
    expect(container.inert).toBe(false);
    expect((await engine.getKey(key.id)).name).toBe('old mac key');

    // Tab stays inside the dialog.
    await user.click(trigger);
    dialog = screen.getByRole('dialog');
    await user.tab();
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Delete key' }));
    await user.tab();
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));

    await user.click(within(dialog).getByRole('button', { name: 'Delete key' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('#/keys'));
    await expect(engine.getKey(key.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it("refuses to delete a CA's key and says why; the key stays (issue 14 #7)", async () => {
    const { engine } = await freshEngine();
    const root = await (await engine.pki()).createRootCa({ name: 'Payments Root', subject: { CN: 'Payments Root' } });
    const navigate = vi.fn();
    const { user } = await renderWithEngine(<KeyPage id={root.ca.keyId} navigate={navigate} />, { engine });
    await screen.findByRole('heading', { level: 1, name: 'Payments Root (CA key)' });
    await user.click(screen.getByRole('button', { name: 'Delete key…' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete key' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/The key was not deleted/);
    expect(alert.textContent).toMatch(/signing key of the CA "Payments Root"/);
    expect(navigate).not.toHaveBeenCalled();
    expect((await engine.getKey(root.ca.keyId)).id).toBe(root.ca.keyId);
  });

  it('says "Key not found" for an id that is not in the vault', async () => {
    await renderWithEngine(<KeyPage id="key_0123456789abcdef" navigate={vi.fn()} />);
    expectShown(await screen.findByRole('heading', { level: 1, name: 'Key not found' }));
    expect(screen.getByRole('link', { name: 'Back to all keys' }).getAttribute('href')).toBe('#/keys');
  });

  it('B2: a suspended key decrypts only after “I acknowledge the risk” is ticked', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'on hold' });
    const ciphertext = await engine.encryptText(key.id, 'before the hold');
    await engine.suspendKey(key.id, 'investigating');
    const { user } = await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} />, { engine });
    await screen.findByRole('heading', { level: 1, name: 'on hold' });
    expectShown(screen.getByText('Suspended', { selector: '.key-summary .badge' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Ciphertext to decrypt' }), { target: { value: ciphertext } });
    await user.click(screen.getByRole('button', { name: 'Decrypt' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('KEY_STATE');
    expect(alert.textContent).toContain('only when the risk is explicitly acknowledged');

    // Each processing form asks for its own acknowledgement (text and file decryption).
    expectShown(screen.getByRole('checkbox', { name: 'I acknowledge the risk of decrypting this file with a suspended key' }));
    await user.click(screen.getByRole('checkbox', { name: 'I acknowledge the risk of decrypting this text with a suspended key' }));
    await user.click(screen.getByRole('button', { name: 'Decrypt' }));
    expect(((await screen.findByRole('textbox', { name: 'Decrypted text' })) as HTMLTextAreaElement).value).toBe('before the hold');
  });

  it('B2: a compromised signing key verifies only after its own acknowledgement is ticked', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'leaked signer' });
    const signature = toBase64(await engine.sign(key.id, new TextEncoder().encode('signed before the leak')));
    await engine.compromiseKey(key.id);
    const { user } = await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} />, { engine });
    await screen.findByRole('heading', { level: 1, name: 'leaked signer' });
    fireEvent.change(screen.getByRole('textbox', { name: 'Message to verify' }), { target: { value: 'signed before the leak' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Signature to check (base64)' }), { target: { value: signature } });
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect((await screen.findByRole('alert')).textContent).toContain('KEY_STATE');
    await user.click(screen.getByRole('checkbox', { name: 'I acknowledge the risk of verifying this signature with a compromised key' }));
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expectShown(await screen.findByText(/✓ Valid/));
  });

  it('B1: an active key needs no acknowledgement, and the page renders the lifecycle slot it is given', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'plain' });
    await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} lifecycle={(info) => <p>lifecycle of {info.name}: {info.state}</p>} />, { engine });
    await screen.findByRole('heading', { level: 1, name: 'plain' });
    expectShown(screen.getByText('lifecycle of plain: active'));
    expect(screen.queryByRole('checkbox', { name: /I acknowledge the risk/ })).toBeNull();
  });

  it('issue 15: the certificates slot (the app passes "revoke all certificates of this key") appears for a key with a public key, never for a secret key', async () => {
    const { engine } = await freshEngine();
    const pair = await engine.generateKey({ template: 'ECDSA-P-256', name: 'tls' });
    const secret = await engine.generateKey({ template: 'AES-GCM-256', name: 'data' });
    const slot = (info: { name: string; fingerprint: { value: string } }) => (
      <section aria-label="Certificates of this key">
        <p>certificates of {info.name}: {info.fingerprint.value}</p>
      </section>
    );
    const view = await renderWithEngine(<KeyPage id={pair.id} navigate={vi.fn()} certificates={slot} />, { engine });
    await screen.findByRole('heading', { level: 1, name: 'tls' });
    expectShown(within(screen.getByRole('region', { name: 'Certificates of this key' })).getByText(`certificates of tls: ${pair.fingerprint.value}`));
    view.unmount();
    await renderWithEngine(<KeyPage id={secret.id} navigate={vi.fn()} certificates={slot} />, { engine });
    await screen.findByRole('heading', { level: 1, name: 'data' });
    expect(screen.queryByRole('region', { name: 'Certificates of this key' })).toBeNull();
  });
});
