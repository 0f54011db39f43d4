// Exporting a secret key as a passphrase-protected JWE and importing it back.
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { opNames } from '../../state/slices/keys-slice';
import type { AppStore } from '../../state/store';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { ImportKeyPage } from './import-key-page';
import { KeyPage } from './key-page';
import { expectShown } from '../../testing/dom';

afterEach(() => vi.restoreAllMocks());

const PASS = 'seed 002 passphrase';

/**
 * Resolves when the named operation is no longer busy: 600,000 PBKDF2 iterations take as
 * long as the machine needs, so the test waits for the store's event, not for a time.
 */
function settled(store: AppStore, name: string): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const check = () => {
      const op = store.getState().keys.ops[name];
      if (op && op.status !== 'busy') {
        unsubscribe();
        resolve();
      }
    };
    unsubscribe = store.subscribe(check);
    check();
  });
}

describe('passphrase-protected export of secret keys (seed 002)', () => {
  it('seed 002: an exportable AES key downloads as a passphrase-protected JWE, and the import page takes it back with the passphrase', async () => {
    const files = captureDownloads();
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'Payroll key', exportable: true });
    const view = await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} />, { engine });
    await screen.findByRole('heading', { level: 1, name: key.name });
    const section = screen.getByRole('region', { name: 'Export the secret key' });
    expectShown(within(section).getByRole('heading', { name: 'Passphrase-protected JWE (recommended)' }));
    expectShown(within(section).getByText(/PBES2-HS512\+A256KW/));
    await view.user.type(within(section).getByLabelText('Passphrase'), PASS);
    await view.user.type(within(section).getByLabelText('Confirm passphrase'), PASS);
    await view.user.click(within(section).getByRole('button', { name: 'Download passphrase-protected key (JWE)' }));
    await settled(view.store, opNames.exportSecret(key.id));
    // The download follows the operation's end within the same handler.
    await within(section).findByText('Saved Payroll-key.jwe');
    expect(files.map((f) => f.name)).toEqual(['Payroll-key.jwe']);
    expect((within(section).getByLabelText('Passphrase') as HTMLInputElement).value).toBe('');
    const jwe = await files[0]!.blob.text();
    expect(jwe.split('.')).toHaveLength(5);
    view.unmount();

    // Into another browser's vault through the import page.
    const other = await renderWithEngine(<ImportKeyPage navigate={vi.fn()} />);
    fireEvent.change(screen.getByRole('textbox', { name: /Or paste the key/ }), { target: { value: jwe } });
    expectShown(await screen.findByText(/Detected format: Passphrase-protected key: JWE/));
    await other.user.type(screen.getByRole('textbox', { name: /^Name/ }), 'Payroll key (restored)');
    await other.user.type(screen.getByLabelText('Passphrase of the encrypted key'), 'wrong passphrase');
    await other.user.click(screen.getByRole('button', { name: 'Import key' }));
    await settled(other.store, opNames.import);
    expect((await screen.findByRole('alert')).textContent).toContain('WRONG_PASSPHRASE');
    await other.user.type(screen.getByLabelText('Passphrase of the encrypted key'), PASS);
    await other.user.click(screen.getByRole('button', { name: 'Import key' }));
    await settled(other.store, opNames.import);
    expect(await other.engine.listKeys()).toHaveLength(1);
    const [restored] = await other.engine.listKeys();
    expect(restored!.fingerprint.value).toBe(key.fingerprint.value);
    // Three runs of 600,000 PBKDF2-SHA-512 iterations: an upper bound for a busy machine, not a measurement.
  }, 180_000);

  it('a passphrase mistake after a successful export shows the error alone, not the earlier “Saved …”', async () => {
    captureDownloads();
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'HMAC-SHA-256', name: 'mac', exportable: true });
    const view = await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} />, { engine });
    await screen.findByRole('heading', { level: 1, name: key.name });
    const section = screen.getByRole('region', { name: 'Export the secret key' });
    await view.user.click(within(section).getByRole('button', { name: 'Download secret key (JWK)' }));
    await within(section).findByText('Saved mac.jwk.json');
    await view.user.type(within(section).getByLabelText('Passphrase'), PASS);
    await view.user.type(within(section).getByLabelText('Confirm passphrase'), 'something else');
    await view.user.click(within(section).getByRole('button', { name: 'Download passphrase-protected key (JWE)' }));
    expect((await within(section).findByRole('alert')).textContent).toContain('do not match');
    expect(within(section).queryByText(/^Saved /)).toBeNull();
  });

  it('a Fernet key offers no JWE (its string is its portable form)', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'FERNET', name: 'tokens' });
    await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} />, { engine });
    await screen.findByRole('heading', { level: 1, name: key.name });
    expect(screen.queryByRole('button', { name: /JWE/ })).toBeNull();
    expectShown(screen.getByRole('button', { name: 'Download Fernet key' }));
  });
});

describe('Fernet key reveal', () => {
  it('a Fernet key is hidden until “Show Fernet key”, is the string the download holds, and leaves the page on “Hide”', async () => {
    const files = captureDownloads();
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'FERNET', name: 'tokens' });
    const view = await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} />, { engine });
    await screen.findByRole('heading', { level: 1, name: key.name });
    expect(screen.queryByRole('textbox', { name: 'Fernet key' })).toBeNull();
    const show = screen.getByRole('button', { name: 'Show Fernet key' });
    expect(show.getAttribute('aria-expanded')).toBe('false');
    await view.user.click(show);
    const field = (await screen.findByRole('textbox', { name: 'Fernet key' })) as HTMLInputElement;
    expect(field.value).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(screen.getByRole('button', { name: 'Hide Fernet key' }).getAttribute('aria-expanded')).toBe('true');
    await view.user.click(screen.getByRole('button', { name: 'Download Fernet key' }));
    await screen.findByText('Saved tokens.fernet.txt');
    expect((await files[0]!.blob.text()).trim()).toBe(field.value);
    const secret = field.value;
    await view.user.click(screen.getByRole('button', { name: 'Hide Fernet key' }));
    expect(screen.queryByRole('textbox', { name: 'Fernet key' })).toBeNull();
    expect(document.body.innerHTML).not.toContain(secret);
  });
});
