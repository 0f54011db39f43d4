// The vault lock control in the header: Off, Locked, Unlocked, and the unlock dialog.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { LockControl } from './lock-control';
import { LockSettingsPage } from './lock-settings-page';
import { expectShown } from '../../testing/dom';

const PASS = 'seed 002 vault passphrase';

describe('vault lock control in the header (issue 16)', () => {
  it('says Off while the lock is off, with a link to its settings', async () => {
    await renderWithEngine(<LockControl />);
    const link = await screen.findByRole('link', { name: 'Vault lock: Off' });
    expect(link.getAttribute('href')).toBe('#/settings/lock');
    expect(screen.queryByRole('button', { name: 'Unlock' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Lock now' })).toBeNull();
  });

  it('unlocks through the dialog: a wrong passphrase is refused and the vault stays locked; the right one unlocks; Lock now locks', async () => {
    const { engine } = await freshEngine();
    await engine.enableLock(PASS);
    engine.lock();
    const view = await renderWithEngine(<LockControl />, { engine });
    await screen.findByRole('link', { name: 'Vault lock: Locked' });
    await view.user.click(screen.getByRole('button', { name: 'Unlock' }));
    const dialog = await screen.findByRole('dialog', { name: 'Unlock the vault' });
    const field = within(dialog).getByLabelText('Vault passphrase');
    expect(document.activeElement).toBe(field);

    await view.user.click(within(dialog).getByRole('button', { name: 'Unlock' }));
    expect(within(dialog).getByRole('alert').textContent).toContain('Enter the vault passphrase.');

    await view.user.type(field, 'not the passphrase');
    await view.user.click(within(dialog).getByRole('button', { name: 'Unlock' }));
    const alert = await within(dialog).findByText(/not the vault passphrase/);
    expect(alert.closest('[role="alert"]')?.textContent).toContain('WRONG_PASSPHRASE');
    expect((field as HTMLInputElement).value).toBe('');
    expect((await engine.lockStatus()).state).toBe('locked');

    await view.user.type(field, PASS);
    await view.user.click(within(dialog).getByRole('button', { name: 'Unlock' }));
    await screen.findByRole('link', { name: 'Vault lock: Unlocked' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((await engine.lockStatus()).state).toBe('unlocked');

    await view.user.click(screen.getByRole('button', { name: 'Lock now' }));
    await screen.findByRole('link', { name: 'Vault lock: Locked' });
    expect((await engine.lockStatus()).state).toBe('locked');
  });

  it('Escape closes the unlock dialog and focus returns to the Unlock button', async () => {
    const { engine } = await freshEngine();
    await engine.enableLock(PASS);
    engine.lock();
    const view = await renderWithEngine(<LockControl />, { engine });
    await screen.findByRole('link', { name: 'Vault lock: Locked' });
    const opener = screen.getByRole('button', { name: 'Unlock' });
    await view.user.click(opener);
    await screen.findByRole('dialog', { name: 'Unlock the vault' });
    await view.user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
  });
});

describe('vault lock settings (issue 16)', () => {
  it('turns the lock on only with the passphrase typed twice, and off only with the right passphrase', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'payroll', exportable: true });
    const before = await engine.dangerouslyExportUnprotectedKey(key.id, 'jwk');
    const view = await renderWithEngine(
      <>
        <LockControl />
        <LockSettingsPage />
      </>,
      { engine },
    );
    expectShown(await screen.findByText(/Non-extractable keys are unaffected/));
    const enable = await screen.findByRole('region', { name: 'Turn on the vault lock' });
    await view.user.type(within(enable).getByLabelText('Vault passphrase'), PASS);
    await view.user.type(within(enable).getByLabelText('Confirm vault passphrase'), `${PASS}!`);
    await view.user.click(within(enable).getByRole('button', { name: 'Turn on the vault lock' }));
    expect(within(enable).getByRole('alert').textContent).toContain('do not match');
    expect((await engine.lockStatus()).state).toBe('off');

    await view.user.type(within(enable).getByLabelText('Vault passphrase'), PASS);
    await view.user.type(within(enable).getByLabelText('Confirm vault passphrase'), PASS);
    await view.user.selectOptions(within(enable).getByLabelText('Lock after this long unused'), '5 minutes');
    await view.user.click(within(enable).getByRole('button', { name: 'Turn on the vault lock' }));
    await screen.findByRole('link', { name: 'Vault lock: Unlocked' });
    expect(await engine.lockStatus()).toMatchObject({ state: 'unlocked', idleTimeoutMs: 5 * 60_000 });

    const disable = await screen.findByRole('region', { name: 'Turn off the vault lock' });
    await view.user.type(within(disable).getByLabelText('Vault passphrase to turn the lock off'), 'not the passphrase');
    await view.user.click(within(disable).getByRole('button', { name: 'Turn off the vault lock' }));
    await within(disable).findByText(/not the vault passphrase/);
    expect((await engine.lockStatus()).state).toBe('unlocked');

    await view.user.type(within(disable).getByLabelText('Vault passphrase to turn the lock off'), PASS);
    await view.user.click(within(disable).getByRole('button', { name: 'Turn off the vault lock' }));
    await screen.findByRole('link', { name: 'Vault lock: Off' });
    expect(await engine.dangerouslyExportUnprotectedKey(key.id, 'jwk')).toBe(before);
  });
});
