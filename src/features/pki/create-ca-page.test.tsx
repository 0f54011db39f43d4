// Creating root and intermediate CAs.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithEngine } from '../../testing/render';
import { CaListPage } from './ca-list-page';
import { CreateCaPage } from './create-ca-page';

describe('CreateCaPage (E1)', () => {
  it('creates a root with the defaults, then an intermediate under it with name constraints; the hierarchy shows both', async () => {
    const navigate = vi.fn();
    const { user, engine, unmount } = await renderWithEngine(<CreateCaPage navigate={navigate} />);
    expect((screen.getByRole('radio', { name: 'Root CA' }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('checkbox', { name: 'Exportable CA key' }) as HTMLInputElement).checked).toBe(false);
    expect((screen.getByRole('spinbutton', { name: 'Validity (days)' }) as HTMLInputElement).value).toBe('3650');
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'Dev root');
    await user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'Dev Root CA');
    await user.type(screen.getByRole('textbox', { name: 'Country (C)' }), 'DE');
    await user.click(screen.getByRole('button', { name: 'Create root CA' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('#/ca'));
    const pki = await engine.pki();
    const [root] = await pki.listCas();
    expect(root).toMatchObject({ name: 'Dev root', kind: 'root', subject: 'C=DE, CN=Dev Root CA', pathLen: 1 });
    expect((await engine.getKey(root!.keyId)).extractable).toBe(false);
    unmount();

    const second = await renderWithEngine(<CreateCaPage navigate={navigate} />, { engine });
    const intermediate = await screen.findByRole('radio', { name: 'Intermediate CA' });
    await waitFor(() => expect((intermediate as HTMLInputElement).disabled).toBe(false));
    await second.user.click(intermediate);
    expect((screen.getByRole('spinbutton', { name: 'Validity (days)' }) as HTMLInputElement).value).toBe('1825');
    expect((screen.getByRole('spinbutton', { name: 'Path length' }) as HTMLInputElement).value).toBe('0');
    expect((screen.getByRole('combobox', { name: 'Parent CA' }) as HTMLSelectElement).value).toBe(root!.id);
    await second.user.type(screen.getByRole('textbox', { name: /^Name/ }), 'Issuing');
    await second.user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'Dev Issuing CA');
    await second.user.click(screen.getByText('Name constraints (optional)'));
    await second.user.type(screen.getByRole('textbox', { name: 'Permitted DNS names' }), 'example.test');
    await second.user.click(screen.getByRole('checkbox', { name: 'Exportable CA key' }));
    await second.user.click(screen.getByRole('button', { name: 'Create intermediate CA' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(2));
    const int = (await pki.listCas()).find((c) => c.kind === 'intermediate')!;
    expect(int).toMatchObject({ parentId: root!.id, pathLen: 0 });
    expect((await engine.getKey(int.keyId)).extractable).toBe(true);
    const details = await pki.describeCertificate(int.certId);
    expect(details.extensions.find((x) => x.name === 'Name constraints')?.values).toEqual(['Permitted DNS: example.test']);
    second.unmount();

    await renderWithEngine(<CaListPage />, { engine });
    const tree = await screen.findByRole('list', { name: 'CA hierarchy' });
    expect(tree.textContent).toContain('Dev root');
    const under = await screen.findByRole('list', { name: 'CAs under Dev root' });
    expect(under.textContent).toContain('Issuing');
    expect(screen.getByRole('link', { name: 'CRL of Issuing' }).getAttribute('href')).toBe(`#/ca/${int.id}/crl`);
  });

  it('shows the engine’s refusal in an alert and creates nothing', async () => {
    const navigate = vi.fn();
    const { user, engine } = await renderWithEngine(<CreateCaPage navigate={navigate} />);
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'Bad');
    await user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'Bad CA');
    await user.type(screen.getByRole('textbox', { name: 'Country (C)' }), 'd1');
    await user.click(screen.getByRole('button', { name: 'Create root CA' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('INVALID_ARGUMENT');
    expect(navigate).not.toHaveBeenCalled();
    expect(await (await engine.pki()).listCas()).toEqual([]);
  });
});
