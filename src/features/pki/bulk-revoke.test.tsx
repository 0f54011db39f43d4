// E6 on the certificate list: select by checkbox or "all matching the filter", a selection kept by id across filtering, and "Revoke selected" behind a confirmation.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { CertListPage } from './cert-list-page';
import { expectShown } from '../../testing/dom';

async function setup() {
  const { engine } = await freshEngine();
  const pki = await engine.pki();
  const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Bulk Root' } });
  const leaves = [];
  for (const cn of ['alpha.test', 'beta.test', 'gamma.test']) {
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: cn });
    leaves.push((await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: cn }, sans: { dns: [cn] } })).cert);
  }
  const view = await renderWithEngine(<CertListPage />, { engine });
  await screen.findByRole('table', { name: 'Issued certificates' });
  return { engine, pki, root, leaves, view };
}

describe('bulk revocation on the certificate list', () => {
  it('E6 a checkbox per row names its certificate; the selection survives a filter; cancel revokes nothing; confirm revokes the selection with one CRL', async () => {
    const { pki, root, leaves, view } = await setup();
    const { user } = view;
    const bar = screen.getByRole('region', { name: 'Selected certificates' });
    expect((within(bar).getByRole('button', { name: 'Revoke selected…' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('checkbox', { name: /^Select alpha\.test/ }));
    await user.click(screen.getByRole('checkbox', { name: /^Select beta\.test/ }));
    expectShown(within(bar).getByText('2 certificates selected'));
    // Filtering hides alpha's row; its selection is kept by id.
    await user.type(screen.getByRole('searchbox', { name: 'Search certificates' }), 'beta');
    expect(screen.queryByRole('checkbox', { name: /^Select alpha\.test/ })).toBeNull();
    expectShown(within(bar).getByText('2 certificates selected'));
    await user.clear(screen.getByRole('searchbox', { name: 'Search certificates' }));
    expect((screen.getByRole('checkbox', { name: /^Select alpha\.test/ }) as HTMLInputElement).checked).toBe(true);

    await user.selectOptions(within(bar).getByLabelText('Revocation reason'), 'cessationOfOperation');
    await user.click(within(bar).getByRole('button', { name: 'Revoke selected…' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke 2 certificates?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect((await pki.listCertificates({ status: 'revoked' })).length).toBe(0);

    await user.click(within(bar).getByRole('button', { name: 'Revoke selected…' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Revoke 2 certificates?' })).getByRole('button', { name: 'Revoke 2' }));
    await waitFor(() => expect(within(bar).getByRole('status').textContent).toBe('Revoked 2 certificates. Published CRL number 2.'));
    const revoked = await pki.listCertificates({ status: 'revoked' });
    expect(revoked.map((c) => c.id).sort()).toEqual([leaves[0]!.id, leaves[1]!.id].sort());
    expect(revoked.every((c) => c.revocation?.reason === 'cessationOfOperation')).toBe(true);
    expect((await pki.crlEntries(root.ca.id, { offset: 0, limit: 10 })).total).toBe(2);
    expectShown(within(bar).getByText('0 certificates selected'));
  });

  it('E6 "select all matching the filter" selects exactly the filtered certificates; a root in the selection is skipped with why', async () => {
    const { pki, view } = await setup();
    const { user } = view;
    const bar = screen.getByRole('region', { name: 'Selected certificates' });
    await user.type(screen.getByRole('searchbox', { name: 'Search certificates' }), 'a.test');
    // alpha.test, beta.test, gamma.test all end in "a.test"; the root does not match.
    await user.click(within(bar).getByRole('button', { name: 'Select all 3 matching the filter' }));
    expectShown(within(bar).getByText('3 certificates selected'));
    await user.clear(screen.getByRole('searchbox', { name: 'Search certificates' }));
    await user.click(screen.getByRole('checkbox', { name: /^Select Bulk Root/ }));
    await user.click(within(bar).getByRole('button', { name: 'Revoke selected…' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Revoke 4 certificates?' })).getByRole('button', { name: 'Revoke 4' }));
    await waitFor(() => expect(within(bar).getByRole('status').textContent).toMatch(/Revoked 3 certificates\. Published CRL number 2\. Skipped 1 \(a root certificate/));
    expect((await pki.listCertificates({ status: 'revoked' })).length).toBe(3);
  });
});
