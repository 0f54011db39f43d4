// Issuing certificates in bulk from a CSV.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { BulkIssuePage } from './bulk-issue-page';
import { expectShown } from '../../testing/dom';

async function withCas() {
  const { engine } = await freshEngine();
  const pki = await engine.pki();
  const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Bulk Root' }, pathLen: 1 });
  const int = await pki.createIntermediateCa({ name: 'Issuing', parentId: root.ca.id, subject: { CN: 'Bulk Issuing' }, pathLen: 0 });
  return { engine, pki, root, int };
}

async function ready() {
  const env = await withCas();
  const view = await renderWithEngine(<BulkIssuePage />, { engine: env.engine });
  const ca = screen.getByRole('combobox', { name: 'Issuing CA' }) as HTMLSelectElement;
  await waitFor(() => expect(ca.options.length).toBe(2));
  return { ...env, ...view, ca };
}

describe('BulkIssuePage (E2 at scale)', () => {
  it('reads a CSV, issues every row from the preselected intermediate, and adds them to the inventory', async () => {
    const { user, ca, int, pki, store } = await ready();
    expect(ca.value).toBe(int.ca.id);
    const csv = 'cn,sans,profile,validity_days\none.bulk.test,,tls-server,30\ntwo.bulk.test,alt.bulk.test,tls-server,\nclient three,,tls-client,\n';
    await user.upload(screen.getByLabelText('CSV file'), new File([csv], 'batch.csv', { type: 'text/csv' }));
    expectShown(await screen.findByText('3 certificates to issue, from batch.csv.'));
    await user.click(screen.getByRole('button', { name: 'Issue 3 certificates' }));
    expectShown(await screen.findByText('Issued 3 certificates from Issuing, each for a new key in the vault.'));
    expectShown(screen.getByRole('button', { name: 'Download PEM bundle' }));
    expectShown(screen.getByRole('button', { name: 'Download ZIP' }));
    const issued = await pki.listCertificates({ issuerId: int.ca.id });
    expect(issued.map((c) => c.subject).sort()).toEqual(['CN=client three', 'CN=one.bulk.test', 'CN=two.bulk.test']);
    expect(issued.find((c) => c.subject === 'CN=two.bulk.test')!.sans.dns).toEqual(['two.bulk.test', 'alt.bulk.test']);
    // The store holds their metadata (no PEM): the list shows them without a reload.
    const ids = store.getState().pki.certIds;
    for (const c of issued) expect(ids).toContain(c.id);
    expect(JSON.stringify(store.getState())).not.toContain('BEGIN CERTIFICATE');
  });

  it('a bad CSV line is shown as an error naming the line, and nothing can be issued', async () => {
    const { user, pki, int } = await ready();
    await user.upload(screen.getByLabelText('CSV file'), new File(['a.test,,root-ca,\n'], 'bad.csv', { type: 'text/csv' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('MALFORMED_INPUT');
    expect(alert.textContent).toContain('CSV line 1: the profile must be one of');
    expect((screen.getByRole('button', { name: 'Issue certificates' }) as HTMLButtonElement).disabled).toBe(true);
    expect(await pki.listCertificates({ issuerId: int.ca.id })).toEqual([]);
  });

  it('a refused row refuses the job: the error names the row and nothing is issued', async () => {
    const { user, pki, int } = await ready();
    await user.upload(screen.getByLabelText('CSV file'), new File(['ok.bulk.test,,tls-server,\nlong.bulk.test,,tls-server,500\n'], 'rows.csv', { type: 'text/csv' }));
    await user.click(await screen.findByRole('button', { name: 'Issue 2 certificates' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Nothing was issued');
    expect(alert.textContent).toMatch(/[Rr]ow 2:/);
    expect(await pki.listCertificates({ issuerId: int.ca.id })).toEqual([]);
  });

  it('issues from several CSR files chosen at once, with the profile chosen on the screen', async () => {
    const { user, pki, int, engine } = await ready();
    const csrs = [];
    for (const name of ['a', 'b']) {
      const key = await engine.generateKey({ template: 'ECDSA-P-256', name });
      csrs.push(new File([await pki.createCsr(key.id, { subject: { CN: `${name}.csr.test` } })], `${name}.csr`, { type: 'application/pkcs10' }));
    }
    await user.click(screen.getByRole('radio', { name: 'Certificate signing requests (CSRs)' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Profile' }), 'tls-client');
    await user.upload(screen.getByLabelText('CSR files'), csrs);
    await user.click(await screen.findByRole('button', { name: 'Issue 2 certificates' }));
    expectShown(await screen.findByText('Issued 2 certificates from Issuing.'));
    const issued = await pki.listCertificates({ issuerId: int.ca.id });
    expect(issued.map((c) => [c.subject, c.profile, c.source]).sort()).toEqual([
      ['CN=a.csr.test', 'tls-client', 'csr'],
      ['CN=b.csr.test', 'tls-client', 'csr'],
    ]);
  });
});
