// Issuing a certificate from a profile on the issue page.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { expectShown } from '../../testing/dom';
import { IssuePage } from './issue-page';

async function withCas() {
  const { engine } = await freshEngine();
  const pki = await engine.pki();
  const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Issue Root' }, pathLen: 1 });
  const int = await pki.createIntermediateCa({ name: 'Issuing', parentId: root.ca.id, subject: { CN: 'Issue Issuing' }, pathLen: 0 });
  return { engine, pki, root, int };
}

async function readyForm(engine: Engine, navigate = vi.fn()) {
  const view = await renderWithEngine(<IssuePage navigate={navigate} />, { engine });
  const ca = screen.getByRole('combobox', { name: 'Issuing CA' }) as HTMLSelectElement;
  await waitFor(() => expect(ca.options.length).toBe(2));
  return { ...view, navigate, ca };
}

describe('IssuePage (E2, E3)', () => {
  it('issues a TLS server certificate for a vault key after showing a preview, then opens it', async () => {
    const { engine, int } = await withCas();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'web server key' });
    await engine.generateKey({ template: 'AES-GCM-256', name: 'not certifiable' });
    const { user, navigate, ca } = await readyForm(engine);
    // An intermediate is preselected: a root should sign only CAs.
    expect(ca.value).toBe(int.ca.id);
    const keySelect = screen.getByRole('combobox', { name: 'Vault key' });
    expect(within(keySelect).getAllByRole('option').map((o) => o.textContent)).toEqual(['web server key (ECDSA-P-256)']);
    await user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'app.example.test');
    await user.type(screen.getByRole('textbox', { name: 'DNS names' }), 'app.example.test{enter}www.example.test');
    await user.type(screen.getByRole('textbox', { name: 'IP addresses' }), '192.0.2.10');
    const preview = screen.getByRole('region', { name: 'Preview' });
    expect(preview.textContent).toContain('CN=app.example.test');
    expect(preview.textContent).toContain('DNS name: app.example.test, DNS name: www.example.test, IP address: 192.0.2.10');
    expect(preview.textContent).toContain('CN=Issue Issuing');
    expect(preview.textContent).toContain('397 days');
    await user.click(screen.getByRole('button', { name: 'Issue certificate' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const pki = await engine.pki();
    const [leaf] = await pki.listCertificates({ issuerId: int.ca.id });
    expect(leaf).toMatchObject({ profile: 'tls-server', keyId: key.id, subject: 'CN=app.example.test', source: 'vault' });
    expect(leaf!.sans).toMatchObject({ dns: ['app.example.test', 'www.example.test'], ip: ['192.0.2.10'] });
    expect(navigate).toHaveBeenCalledWith(`#/certs/${leaf!.id}`);
  });

  it('P16 reads a dropped CSR: shows subject, key, requested SANs, and issues from it', async () => {
    const { engine, pki, int } = await withCas();
    const csrKey = await engine.generateKey({ template: 'ECDSA-P-384', name: 'requester' });
    const csr = await pki.createCsr(csrKey.id, { subject: { CN: 'csr.example.test', O: 'Requester' }, sans: { dns: ['csr.example.test'] } });
    const { user, navigate } = await readyForm(engine);
    await user.click(screen.getByRole('radio', { name: 'A certificate signing request (CSR)' }));
    await user.upload(screen.getByLabelText('CSR file'), new File([csr], 'req.csr', { type: 'application/pkcs10' }));
    const asks = await screen.findByRole('region', { name: 'What the request asks for' });
    expect(asks.textContent).toContain('O=Requester, CN=csr.example.test');
    expect(asks.textContent).toContain('ECDSA P-384');
    expect(asks.textContent).toContain('DNS: csr.example.test');
    expect((screen.getByRole('textbox', { name: 'Common name (CN)' }) as HTMLInputElement).value).toBe('csr.example.test');
    expect((screen.getByRole('textbox', { name: 'DNS names' }) as HTMLTextAreaElement).value).toBe('csr.example.test');
    await user.click(screen.getByRole('button', { name: 'Issue certificate' }));
    await waitFor(() => expect(navigate).toHaveBeenCalled());
    const [leaf] = await pki.listCertificates({ issuerId: int.ca.id });
    expect(leaf).toMatchObject({ source: 'csr', subject: 'O=Requester, CN=csr.example.test' });
  });

  it('a dropped file larger than any CSR is refused before it is read (issue 14 #9)', async () => {
    const { engine } = await withCas();
    const { user } = await readyForm(engine);
    await user.click(screen.getByRole('radio', { name: 'A certificate signing request (CSR)' }));
    const big = new File(['-----BEGIN A-----\n'.repeat(12_000)], 'huge.csr', { type: 'application/pkcs10' });
    const read = vi.spyOn(big, 'text');
    const readBytes = vi.spyOn(big, 'arrayBuffer');
    await user.upload(screen.getByLabelText('CSR file'), big);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/certificate request is far smaller/);
    expect(read).not.toHaveBeenCalled();
    expect(readBytes).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Issue certificate' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('a pasted CSR that is not a CSR gets an alert and cannot be issued', async () => {
    const { engine } = await withCas();
    const { user } = await readyForm(engine);
    await user.click(screen.getByRole('radio', { name: 'A certificate signing request (CSR)' }));
    const box = screen.getByRole('textbox', { name: 'Or paste the CSR (PEM)' });
    fireEvent.change(box, { target: { value: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----' } });
    await user.click(screen.getByRole('button', { name: 'Read CSR' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/MALFORMED_INPUT/);
    expect((screen.getByRole('button', { name: 'Issue certificate' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the lint refusal (a TLS server without any name) and stays on the form', async () => {
    const { engine } = await withCas();
    await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const { user, navigate } = await readyForm(engine);
    await user.type(screen.getByRole('textbox', { name: 'Organization (O)' }), 'Nobody');
    await user.click(screen.getByRole('button', { name: 'Issue certificate' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/needs a DNS or IP subjectAltName/);
    expect(alert.textContent).not.toMatch(/pki: /);
    expect(navigate).not.toHaveBeenCalled();
  });

  it('issue 16: the preview shows the DNS name the engine adds from a TLS server’s common name, and the certificate carries exactly that', async () => {
    const { engine, int } = await withCas();
    await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const { user, navigate } = await readyForm(engine);
    await user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'no-san');
    const preview = screen.getByRole('region', { name: 'Preview' });
    const sanText = () => within(preview).getByText('Subject alternative names').nextElementSibling!.textContent;
    expect(sanText()).toBe('DNS name: no-san (added from the common name: a TLS server’s common name must also be a SAN)');
    await user.click(screen.getByRole('button', { name: 'Issue certificate' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const pki = await engine.pki();
    const [leaf] = await pki.listCertificates({ issuerId: int.ca.id });
    expect(leaf!.sans).toMatchObject({ dns: ['no-san'], ip: [], email: [], uri: [] });
  });

  it('issue 16: a TLS server with no host name anywhere: the preview says it will be refused, not "none"', async () => {
    const { engine } = await withCas();
    await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const { user } = await readyForm(engine);
    await user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'My Server');
    const preview = screen.getByRole('region', { name: 'Preview' });
    expect(within(preview).getByText('Subject alternative names').nextElementSibling!.textContent).toBe(
      'None. A TLS server certificate needs a DNS name or IP address: Clavis will refuse to issue it.',
    );
    // A SAN the engine would refuse is named in the preview too.
    await user.type(screen.getByRole('textbox', { name: 'DNS names' }), 'bad name!');
    expect(within(preview).getByText('Subject alternative names').nextElementSibling!.textContent).toMatch(/^Not valid: .*bad name!/);
  });

  it('issue 16: a dropped DER CSR is read as bytes, its CN fills the CN field, and it issues', async () => {
    const { engine, pki, int } = await withCas();
    const csrKey = await engine.generateKey({ template: 'ECDSA-P-256', name: 'requester' });
    const pem = await pki.createCsr(csrKey.id, { subject: { CN: 'der.example.test' }, sans: { dns: ['der.example.test'] } });
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    expect(der[0]).toBe(0x30);
    const { user, navigate } = await readyForm(engine);
    await user.type(screen.getByRole('textbox', { name: 'Common name (CN)' }), 'typed before');
    await user.click(screen.getByRole('radio', { name: 'A certificate signing request (CSR)' }));
    await user.upload(screen.getByLabelText('CSR file'), new File([der], 'req.der', { type: 'application/pkcs10' }));
    const asks = await screen.findByRole('region', { name: 'What the request asks for' });
    expect(asks.textContent).toContain('CN=der.example.test');
    expect((screen.getByRole('textbox', { name: 'Common name (CN)' }) as HTMLInputElement).value).toBe('der.example.test');
    expectShown(screen.getByText(/Read from req\.der \(DER,/));
    await user.click(screen.getByRole('button', { name: 'Issue certificate' }));
    await waitFor(() => expect(navigate).toHaveBeenCalled());
    const [leaf] = await pki.listCertificates({ issuerId: int.ca.id });
    expect(leaf).toMatchObject({ source: 'csr', subject: 'CN=der.example.test' });
  });
});
