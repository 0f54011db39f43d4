// The vault lock across features (issue 16): the key page's and generate page's words
// about the lock, with the header's control (from the lock feature) opening the dialog.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithEngine } from '../testing/render';
import { freshEngine } from '../testing/engine';
import { GenerateKeyPage } from '../features/keys/generate-key-page';
import { KeyPage } from '../features/keys/key-page';
import { LockControl } from '../features/lock/lock-control';
import { expectShown } from '../testing/dom';

const PASS = 'seed 002 vault passphrase';

describe('key and generate pages while the vault is locked (issue 16)', () => {
  it('an exportable key says "Unlock the vault to use this key" in its use and export sections; a non-extractable key does not', async () => {
    const { engine } = await freshEngine();
    const exportable = await engine.generateKey({ template: 'AES-GCM-256', name: 'sealed one', exportable: true });
    const fixed = await engine.generateKey({ template: 'AES-GCM-256', name: 'fixed one' });
    await engine.enableLock(PASS);
    engine.lock();
    const view = await renderWithEngine(
      <>
        <LockControl />
        <KeyPage id={exportable.id} navigate={vi.fn()} />
      </>,
      { engine },
    );
    await screen.findByRole('heading', { level: 1, name: exportable.name });
    const use = screen.getByRole('region', { name: 'Use this key' });
    const exp = screen.getByRole('region', { name: 'Export the secret key' });
    expectShown(await within(use).findByText('Unlock the vault to use this key.'));
    expectShown(within(exp).getByText('Unlock the vault to use this key.'));

    // An export attempt while locked says why.
    await view.user.click(within(exp).getByRole('button', { name: 'Download secret key (JWK)' }));
    const alert = await within(exp).findByRole('alert');
    expect(alert.textContent).toContain('VAULT_LOCKED');

    // The notice's button opens the header's unlock dialog; unlocking removes the notices.
    await view.user.click(within(exp).getByRole('button', { name: 'Unlock the vault' }));
    const dialog = await screen.findByRole('dialog', { name: 'Unlock the vault' });
    await view.user.type(within(dialog).getByLabelText('Vault passphrase'), PASS);
    await view.user.click(within(dialog).getByRole('button', { name: 'Unlock' }));
    await waitFor(() => expect(screen.queryByText('Unlock the vault to use this key.')).toBeNull());
    view.unmount();

    await renderWithEngine(<KeyPage id={fixed.id} navigate={vi.fn()} />, { engine });
    await screen.findByRole('heading', { level: 1, name: fixed.name });
    expectShown(screen.getByRole('region', { name: 'Use this key' }));
    expect(screen.queryByText('Unlock the vault to use this key.')).toBeNull();
  });

  it('the generate page says the lock protects exportable keys and leaves non-extractable keys unaffected', async () => {
    const { engine } = await freshEngine();
    await engine.enableLock(PASS);
    engine.lock();
    await renderWithEngine(<GenerateKeyPage navigate={vi.fn()} />, { engine });
    const box = await screen.findByRole('checkbox', { name: 'Exportable' });
    const description = box.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)!.textContent).join(' ');
    expect(description).toContain('protects exportable keys only');
    expect(description).toContain('Non-extractable keys are unaffected by the lock');
    await waitFor(() => expect(document.body.textContent).toContain('The vault is locked now: unlock it to create an exportable key.'));
  });
});
