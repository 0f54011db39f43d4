// E8: the Verify screen over the real engine (jsdom, fake-indexeddb): a verdict with its
// path and checks, typed errors as sentences with their code, and the imported material.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { VerifyPage, peerOf } from './verify-page';
import { expectShown } from '../../testing/dom';

const NOW = Date.UTC(2026, 2, 1, 12);

async function withChain() {
  const { engine } = await freshEngine({ clock: { now: () => NOW } });
  const pki = await engine.pki();
  const root = await pki.createRootCa({ name: 'Verify Root', subject: { CN: 'Verify Root' }, pathLen: 1 });
  const int = await pki.createIntermediateCa({ name: 'Verify Issuing', parentId: root.ca.id, subject: { CN: 'Verify Issuing' }, pathLen: 0 });
  const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'leaf key' });
  const leaf = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'app.verify.test' }, sans: { dns: ['app.verify.test'] } });
  const chainPem = await pki.exportChain(leaf.cert.id);
  return { engine, pki, root, int, leaf, chainPem };
}

describe('peerOf', () => {
  it('E8 a peer name is an e-mail address, an IP address or a DNS name by its form', () => {
    expect(peerOf('a@b.test')).toEqual({ kind: 'email', value: 'a@b.test' });
    expect(peerOf(' 10.0.0.1 ')).toEqual({ kind: 'ip', value: '10.0.0.1' });
    expect(peerOf('::1')).toEqual({ kind: 'ip', value: '::1' });
    expect(peerOf('app.test')).toEqual({ kind: 'dns', value: 'app.test' });
    expect(peerOf('  ')).toBeUndefined();
  });
});

describe('VerifyPage (E8)', () => {
  it('E8 a pasted Clavis chain verifies against the Clavis root with the CAs’ CRLs: verdict, path and every check with its section', async () => {
    const { engine, chainPem } = await withChain();
    const { user } = await renderWithEngine(<VerifyPage />, { engine });
    expectShown(await screen.findByRole('heading', { level: 1, name: 'Verify a certificate chain' }));
    await user.click(screen.getByLabelText('Chain (PEM), in any order'));
    await user.paste(chainPem);
    await user.click(await screen.findByRole('checkbox', { name: 'Clavis CA: Verify Root' }));
    await user.click(await screen.findByRole('checkbox', { name: /Latest CRL of Verify Root/ }));
    await user.click(screen.getByRole('checkbox', { name: /Latest CRL of Verify Issuing/ }));
    await user.selectOptions(screen.getByLabelText('Revocation'), 'require');
    await user.selectOptions(screen.getByLabelText('Purpose (extended key usage)'), 'tls-server');
    await user.type(screen.getByLabelText('Peer name'), 'app.verify.test');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    const result = screen.getByRole('region', { name: 'Result' });
    await waitFor(() => expect(result.textContent).toContain('✓ The chain verifies'));
    expect(result.textContent).toContain('revocation: good');
    const path = within(result).getByRole('list', { name: 'Certification path, trust anchor first' });
    expect(within(path).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^trust anchor: CN=Verify Root/),
      expect.stringMatching(/^intermediate: CN=Verify Issuing/),
      expect.stringMatching(/^target: CN=app\.verify\.test/),
    ]);
    const checks = within(within(result).getByRole('list', { name: /^Checks/ })).getAllByRole('listitem');
    expect(checks.length).toBeGreaterThan(5);
    for (const li of checks) expect(li.textContent).toMatch(/^✓ Pass .+\((RFC|CABF|Clavis)/);
    expect(checks.map((li) => li.textContent).join('\n')).toMatch(/hostname: .*app\.verify\.test/);

    // The wrong peer name fails at the hostname check, and says so.
    await user.clear(screen.getByLabelText('Peer name'));
    await user.type(screen.getByLabelText('Peer name'), 'other.test');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(result.textContent).toContain('✗ The chain does not verify'));
    const failed = within(within(result).getByRole('list', { name: /^Checks/ })).getAllByRole('listitem').filter((li) => li.textContent!.startsWith('✗ Fail'));
    expect(failed.map((li) => li.textContent)).toEqual([expect.stringMatching(/^✗ Fail hostname: /)]);
  });

  it('E8 unreadable input and a missing anchor come back as sentences with their code on a details line', async () => {
    const { engine } = await withChain();
    const { user } = await renderWithEngine(<VerifyPage />, { engine });
    await screen.findByRole('checkbox', { name: 'Clavis CA: Verify Root' });
    await user.click(screen.getByLabelText('Chain (PEM), in any order'));
    await user.paste('-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n');
    await user.click(screen.getByRole('checkbox', { name: 'Clavis CA: Verify Root' }));
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The chain could not be verified');
    expect(alert.textContent).toContain('Error code: MALFORMED_INPUT');
    expect(screen.getByRole('region', { name: 'Result' }).textContent).toContain('No verification yet.');

    await user.clear(screen.getByLabelText('Chain (PEM), in any order'));
    await user.paste('   ');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Error code: INVALID_ARGUMENT'));
  });

  it('E8 an imported root is listed apart, becomes a trust anchor only when marked, verifies a chain, and can be removed', async () => {
    const { engine, pki, root, chainPem } = await withChain();
    const rootPem = await pki.exportCertificate(root.cert.id, 'pem');
    const { user } = await renderWithEngine(<VerifyPage />, { engine });
    const imported = await screen.findByRole('region', { name: 'Imported roots, certificates and CRLs' });
    await user.click(within(imported).getByLabelText(/PEM to import/));
    await user.paste(rootPem);
    await user.click(within(imported).getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(within(imported).getByRole('status').textContent).toBe('Imported 1 item.'));
    const table = await within(imported).findByRole('table', { name: 'Imported certificates' });
    expect(table.textContent).toContain('Self-signed CA, not trusted');
    // Not a trust anchor until marked.
    expect(screen.queryByRole('checkbox', { name: 'Imported root: CN=Verify Root' })).toBeNull();
    await user.click(within(table).getByRole('button', { name: 'Trust CN=Verify Root as a root' }));
    const anchor = await screen.findByRole('checkbox', { name: 'Imported root: CN=Verify Root' });
    // Importing the same certificate again says so and adds nothing.
    await user.click(within(imported).getByLabelText(/PEM to import/));
    await user.paste(rootPem);
    await user.click(within(imported).getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(within(imported).getByRole('status').textContent).toBe('Imported 0 items; already imported: CN=Verify Root.'));

    await user.click(screen.getByLabelText('Chain (PEM), in any order'));
    await user.paste(chainPem);
    await user.click(anchor);
    await user.selectOptions(screen.getByLabelText('Revocation'), 'off');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    const result = screen.getByRole('region', { name: 'Result' });
    await waitFor(() => expect(result.textContent).toContain('✓ The chain verifies'));
    // Clavis's CA list is untouched by the import.
    expect((await pki.listCas()).map((c) => c.name).sort()).toEqual(['Verify Issuing', 'Verify Root']);

    await user.click(within(table).getByRole('button', { name: 'Remove CN=Verify Root' }));
    await waitFor(() => expectShown(within(imported).getByText('No certificates imported.')));
    expect(screen.queryByRole('checkbox', { name: 'Imported root: CN=Verify Root' })).toBeNull();
  });

  it('E8 a bad import is refused with a sentence and its code, and nothing is listed', async () => {
    const { engine } = await withChain();
    const { user } = await renderWithEngine(<VerifyPage />, { engine });
    const imported = await screen.findByRole('region', { name: 'Imported roots, certificates and CRLs' });
    await user.click(within(imported).getByLabelText(/PEM to import/));
    await user.paste('-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n');
    await user.click(within(imported).getByRole('button', { name: 'Import' }));
    const alert = await within(imported).findByRole('alert');
    expect(alert.textContent).toContain('Nothing was imported');
    expect(alert.textContent).toContain('The text holds a certificate request (CSR); paste the certificate the CA sent back instead.');
    expect(alert.textContent).toContain('Error code: MALFORMED_INPUT');
    expectShown(within(imported).getByText('No certificates imported.'));
  });
});
