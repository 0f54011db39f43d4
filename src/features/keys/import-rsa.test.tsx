// Importing an RSA key without a template asks which template it is for.
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { ImportKeyPage } from './import-key-page';

describe('importing an RSA key without a template (A5)', () => {
  it('refuses with the choice of templates instead of silently making an encrypt-only key, then imports with the chosen one', async () => {
    const source = (await freshEngine()).engine;
    const original = await source.generateKey({ template: 'RSA-PSS-2048', name: 'theirs' });
    const pem = await source.exportPublicKey(original.id, 'pem');
    const navigate = vi.fn();
    const { user, engine } = await renderWithEngine(<ImportKeyPage navigate={navigate} />);
    fireEvent.change(screen.getByRole('textbox', { name: /Or paste the key/ }), { target: { value: pem } });
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'partner signer');
    await user.click(screen.getByRole('button', { name: 'Import key' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('fits several templates');
    expect(alert.textContent).toMatch(/RSA-OAEP-2048 to encrypt and wrap keys, or RSA-PSS-2048 or RSASSA-PKCS1-v1_5-2048 to sign/);
    expect(await engine.listKeys()).toHaveLength(0);

    const select = screen.getByRole('combobox', { name: 'Template' }) as HTMLSelectElement;
    await waitFor(() => expect([...select.options].some((o) => o.value === 'RSA-PSS-2048')).toBe(true));
    await user.selectOptions(select, 'RSA-PSS-2048');
    await user.click(screen.getByRole('button', { name: 'Import key' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const [imported] = await engine.listKeys();
    expect(imported).toMatchObject({ template: 'RSA-PSS-2048', fingerprint: original.fingerprint });
  });
});
