// Importing keys: format sniffing, passphrase-protected PKCS #8 and errors.
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { ImportKeyPage } from './import-key-page';
import { expectShown } from '../../testing/dom';

async function render() {
  const navigate = vi.fn();
  const view = await renderWithEngine(<ImportKeyPage navigate={navigate} />);
  return { ...view, navigate };
}

const pasteBox = () => screen.getByRole('textbox', { name: 'Or paste the key (PEM, JWK or Fernet key)' });

describe('ImportKeyPage (A5)', () => {
  it('says garbage is not a key format, with the engine’s code, and offers no import', async () => {
    const { user } = await render();
    await user.type(pasteBox(), 'hello, this is not a key');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Not a key format Clavis recognises');
    expect(alert.textContent).toContain('MALFORMED_INPUT');
    expect((screen.getByRole('button', { name: 'Import key' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the sniffed format of a pasted public key, then imports it with the same fingerprint', async () => {
    const source = (await freshEngine()).engine;
    const original = await source.generateKey({ template: 'ECDSA-P-384', name: 'theirs' });
    const pem = await source.exportPublicKey(original.id, 'pem');

    const { user, engine, navigate } = await render();
    fireEvent.change(pasteBox(), { target: { value: pem } });
    expectShown(await screen.findByText('Detected format: Public key: SubjectPublicKeyInfo, PEM'));
    expect(screen.queryByLabelText('Passphrase of the encrypted key')).toBeNull();
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'partner signing key');
    await user.type(screen.getByRole('textbox', { name: 'Owner' }), 'partner');
    await user.click(screen.getByRole('button', { name: 'Import key' }));

    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const [imported] = await engine.listKeys();
    expect(imported).toMatchObject({ name: 'partner signing key', owner: 'partner', kind: 'public', template: 'ECDSA-P-384', origin: 'imported' });
    expect(imported!.fingerprint).toEqual(original.fingerprint);
    expect(navigate).toHaveBeenCalledWith(`#/keys/${imported!.id}`);
  });

  it('asks for the passphrase of an encrypted PKCS #8 file, reports a wrong one, and imports with the right one', async () => {
    const source = (await freshEngine()).engine;
    const original = await source.generateKey({ template: 'ECDSA-P-256', name: 'laptop', exportable: true });
    const pem = await source.exportKey(original.id, { format: 'pkcs8-encrypted-pem', passphrase: 'a long enough passphrase' });

    const { user, engine, navigate } = await render();
    await user.upload(screen.getByLabelText('Key file'), new File([pem], 'laptop-key.pem'));
    expectShown(await screen.findByText(/Detected format: Encrypted private key: PKCS #8, PEM/));
    expect((screen.getByRole('textbox', { name: /^Name/ }) as HTMLInputElement).value).toBe('laptop-key');
    const pass = screen.getByLabelText('Passphrase of the encrypted key') as HTMLInputElement;
    expect(pass.type).toBe('password');

    await user.type(pass, 'the wrong passphrase');
    await user.click(screen.getByRole('button', { name: 'Import key' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('WRONG_PASSPHRASE');
    expect(pass.value).toBe('');
    expect(navigate).not.toHaveBeenCalled();

    await user.type(pass, 'a long enough passphrase');
    await user.click(screen.getByRole('button', { name: 'Import key' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const [imported] = await engine.listKeys();
    expect(imported).toMatchObject({ kind: 'key-pair', extractable: false, template: 'ECDSA-P-256' });
    expect(imported!.fingerprint).toEqual(original.fingerprint);
    expect(document.body.innerHTML).not.toContain('a long enough passphrase');
  });

  it('accepts a file dropped on the drop zone, and raw bytes with the template chosen', async () => {
    const { user, engine, navigate } = await render();
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const zone = screen.getByLabelText('Key file').closest('.drop-zone')!;
    fireEvent.drop(zone, { dataTransfer: { files: [new File([raw], 'shared.key')], types: ['Files'] } });
    expectShown(await screen.findByText(/Detected format: Raw key bytes/));
    expectShown(screen.getByText(/Using file shared\.key \(32 B\)/));

    await user.selectOptions(screen.getByRole('combobox', { name: 'Template' }), 'HMAC-SHA-256');
    await user.click(screen.getByRole('button', { name: 'Import key' }));
    await waitFor(() => expect(navigate).toHaveBeenCalled());
    const [imported] = await engine.listKeys();
    expect(imported).toMatchObject({ name: 'shared', template: 'HMAC-SHA-256', kind: 'secret', extractable: false });
  });
});
