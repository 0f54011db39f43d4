// Generating a key from a template on the generate page.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { GenerateKeyPage } from './generate-key-page';
import { expectShown } from '../../testing/dom';

describe('GenerateKeyPage (A1)', () => {
  it('generates a non-extractable key from the chosen template and opens its page', async () => {
    const navigate = vi.fn();
    const { user, engine, store } = await renderWithEngine(<GenerateKeyPage navigate={navigate} />);
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'Build signer');
    await user.type(screen.getByRole('textbox', { name: 'Owner' }), 'ci');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Template' }), 'ECDSA-P-256');
    expectShown(screen.getByText(/Elliptic-curve signatures on NIST P-256/));
    expect((screen.getByRole('checkbox', { name: 'Exportable' }) as HTMLInputElement).checked).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Generate key' }));

    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const [key] = await engine.listKeys();
    expect(key).toMatchObject({ name: 'Build signer', owner: 'ci', template: 'ECDSA-P-256', extractable: false });
    expect(navigate).toHaveBeenCalledWith(`#/keys/${key!.id}`);
    expect(store.getState().keys.byId[key!.id]?.name).toBe('Build signer');
  });

  it('generates an exportable key when asked, and the engine records why', async () => {
    const navigate = vi.fn();
    const { user, engine } = await renderWithEngine(<GenerateKeyPage navigate={navigate} />);
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'backup me');
    await user.click(screen.getByRole('checkbox', { name: 'Exportable' }));
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    await waitFor(() => expect(navigate).toHaveBeenCalled());
    const [key] = await engine.listKeys();
    expect(key).toMatchObject({ template: 'AES-GCM-256', extractable: true, extractableReason: expect.any(String) });
  });

  it('shows the engine’s error in an alert and stays on the form when the name is blank', async () => {
    const navigate = vi.fn();
    const { user, engine } = await renderWithEngine(<GenerateKeyPage navigate={navigate} />);
    // Spaces pass the browser's `required` check; the engine refuses them.
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), '   ');
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('INVALID_ARGUMENT');
    expect(alert.textContent).toContain('Name must not be empty.');
    expect(alert.textContent).not.toContain('keys:');
    expect(navigate).not.toHaveBeenCalled();
    expect(await engine.listKeys()).toEqual([]);
  });

  it('C8 refuses a name with a bidirectional override and says why', async () => {
    const { user } = await renderWithEngine(<GenerateKeyPage navigate={vi.fn()} />);
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'invoice\u202Efdp.exe');
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/bidirectional-override/);
  });

  it('marks the form busy with a "Generating…" status while the key is made', async () => {
    const navigate = vi.fn();
    const { engine } = await freshEngine();
    // Hold the generation until the busy state has been checked: the test never relies on
    // a key taking long enough to see it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const generate = engine.generateKey.bind(engine);
    vi.spyOn(engine, 'generateKey').mockImplementation(async (...args) => {
      await held;
      return generate(...args);
    });
    const { user } = await renderWithEngine(<GenerateKeyPage navigate={navigate} />, { engine });
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'big');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Template' }), 'RSA-PSS-3072');
    const click = user.click(screen.getByRole('button', { name: 'Generate key' }));
    const busyButton = await screen.findByRole('button', { name: 'Generating…' });
    expect((busyButton as HTMLButtonElement).disabled).toBe(true);
    expect(busyButton.closest('form')!.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByRole('status').textContent).toMatch(/^Generating…/);
    expect(navigate).not.toHaveBeenCalled();
    release();
    await click;
    await waitFor(() => expect(navigate).toHaveBeenCalled());
    const [key] = await engine.listKeys();
    expect(key).toMatchObject({ name: 'big', template: 'RSA-PSS-3072' });
  });

  it('disables exactly the templates this browser does not offer, saying so', async () => {
    const { engine } = await renderWithEngine(<GenerateKeyPage navigate={vi.fn()} />);
    const select = screen.getByRole('combobox', { name: 'Template' });
    for (const { template, available } of await engine.listTemplates()) {
      const option = within(select).getByRole('option', { name: new RegExp(`^${template.label.replace(/[()+]/g, '\\$&')}`) }) as HTMLOptionElement;
      expect(option.disabled).toBe(!available);
      expect(option.textContent?.endsWith('(not offered by this browser)')).toBe(!available);
    }
  });

  it('groups templates by family', async () => {
    await renderWithEngine(<GenerateKeyPage navigate={vi.fn()} />);
    const group = screen.getByRole('group', { name: 'ECDSA (signatures)' });
    expect(within(group).getAllByRole('option').map((o) => (o as HTMLOptionElement).value)).toEqual(['ECDSA-P-256', 'ECDSA-P-384', 'ECDSA-P-521']);
  });

  it('shows Fernet keys as always exportable, with the template’s reason', async () => {
    const { user } = await renderWithEngine(<GenerateKeyPage navigate={vi.fn()} />);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Template' }), 'FERNET');
    const box = screen.getByRole('checkbox', { name: 'Exportable' }) as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect(box.disabled).toBe(true);
    expectShown(screen.getByText(/Always on for this template: A Fernet key is by definition a shared secret/));
  });

  it('B3: an activation date in the future creates the key in pre-activation with that date', async () => {
    const navigate = vi.fn();
    const { user, engine } = await renderWithEngine(<GenerateKeyPage navigate={navigate} />);
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'staged');
    fireEvent.change(screen.getByLabelText('Activation date (UTC, optional)'), { target: { value: '2099-01-01T00:00' } });
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    await waitFor(() => expect(navigate).toHaveBeenCalled());
    const [key] = await engine.listKeys();
    expect(key).toMatchObject({ state: 'pre-activation', dates: expect.objectContaining({ activation: '2099-01-01T00:00:00.000Z' }) });
  });
});
