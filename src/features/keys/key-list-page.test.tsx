import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { KeyListPage } from './key-list-page';
import { expectShown } from '../../testing/dom';

async function vaultWithKeys() {
  const { engine } = await freshEngine();
  await engine.generateKey({ template: 'AES-GCM-256', name: 'Payroll data', owner: 'alice' });
  await engine.generateKey({ template: 'ECDSA-P-256', name: 'Release signer', owner: 'bob' });
  await engine.generateKey({ template: 'FERNET', name: 'Django secret', owner: 'alice' });
  return engine;
}

function shownNames(): string[] {
  const table = screen.queryByRole('table', { name: 'Keys in the vault' });
  if (!table) return [];
  return within(table)
    .getAllByRole('rowheader')
    .map((c) => c.textContent ?? '');
}

describe('KeyListPage (A8)', () => {
  it('lists every key with owner, template, kind, extractability badge and short fingerprint', async () => {
    const engine = await vaultWithKeys();
    await renderWithEngine(<KeyListPage />, { engine });
    expectShown(screen.getByRole('heading', { level: 1, name: 'Keys' }));
    expect(shownNames().sort()).toEqual(['Django secret', 'Payroll data', 'Release signer']);
    const signerRow = screen.getByRole('rowheader', { name: 'Release signer' }).closest('tr')!;
    expectShown(within(signerRow).getByText('Key pair'));
    expectShown(within(signerRow).getByText('Non-extractable'));
    expectShown(within(signerRow).getByText('Active'));
    expectShown(within(signerRow).getByText(/^[0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}…$/));
    const fernetRow = screen.getByRole('rowheader', { name: 'Django secret' }).closest('tr')!;
    expectShown(within(fernetRow).getByText('Exportable'));
    expectShown(within(fernetRow).getByText(/^KCV [0-9a-f]{6}$/));
    const link = within(signerRow).getByRole('link', { name: 'Release signer' });
    expect(link.getAttribute('href')).toMatch(/^#\/keys\/key_[0-9a-f]+$/);
  });

  it('filters by the search box, then by owner, kind and extractability, and says how many are shown', async () => {
    const engine = await vaultWithKeys();
    const { user } = await renderWithEngine(<KeyListPage />, { engine });

    await user.type(screen.getByRole('searchbox', { name: 'Search keys' }), 'payroll');
    expect(shownNames()).toEqual(['Payroll data']);
    expect(screen.getByRole('status').textContent).toBe('Showing 1 of 3 keys');

    await user.clear(screen.getByRole('searchbox', { name: 'Search keys' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Owner' }), 'alice');
    expect(shownNames().sort()).toEqual(['Django secret', 'Payroll data']);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Extractability' }), 'Non-extractable');
    expect(shownNames()).toEqual(['Payroll data']);

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'Key pair');
    expect(shownNames()).toEqual(['Release signer']);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'Public key');
    expect(shownNames()).toEqual([]);
    expectShown(screen.getByText('No keys match these filters.'));
  });

  it('search matches a fingerprint prefix, so a key can be found from its fingerprint', async () => {
    const engine = await vaultWithKeys();
    const signer = (await engine.listKeys({ text: 'signer' }))[0]!;
    const { user } = await renderWithEngine(<KeyListPage />, { engine });
    await user.type(screen.getByRole('searchbox', { name: 'Search keys' }), signer.fingerprint.value.slice(0, 10));
    expect(shownNames()).toEqual(['Release signer']);
  });

  it('shows an empty state that links to key generation when the vault is empty', async () => {
    await renderWithEngine(<KeyListPage />);
    expectShown(screen.getByRole('heading', { name: 'No keys yet' }));
    expect(screen.getByRole('link', { name: 'Generate your first key' }).getAttribute('href')).toBe('#/keys/new');
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByRole('searchbox', { name: 'Search keys' })).toBeNull();
  });

  it('renders a hostile key name as literal text (H5)', async () => {
    const { engine } = await freshEngine();
    await engine.generateKey({ template: 'AES-GCM-128', name: '<img src=x onerror="window.__pwned=1">' });
    await renderWithEngine(<KeyListPage />, { engine });
    expectShown(screen.getByRole('link', { name: '<img src=x onerror="window.__pwned=1">' }));
    expect(document.querySelector('img[src="x"]')).toBeNull();
  });
});
