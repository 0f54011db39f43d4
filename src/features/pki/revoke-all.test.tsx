// Issue 15 on screen: "Revoke all certificates of this CA" on the CA's CRL page and "… of this key" for a key, behind a confirmation that counts, with a reason, the outcome (N revoked, CRL number n) and the error.
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { CrlPage } from './crl-page';
import { RevokeAllSection } from './revoke-all';
import { testKeyId } from '../../testing/ids';
import { expectShown } from '../../testing/dom';

afterEach(() => vi.restoreAllMocks());

async function setup() {
  const { engine } = await freshEngine();
  const pki = await engine.pki();
  const root = await pki.createRootCa({ name: 'Sweep Root', subject: { CN: 'Sweep Root' }, pathLen: 1 });
  const int = await pki.createIntermediateCa({ name: 'Sweep Issuing', parentId: root.ca.id, subject: { CN: 'Sweep Issuing' }, pathLen: 0 });
  const leaves = [];
  for (const cn of ['one.test', 'two.test']) {
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: cn });
    leaves.push({ key, cert: (await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: cn }, sans: { dns: [cn] } })).cert });
  }
  return { engine, pki, root, int, leaves };
}

describe('revoke all certificates of a CA (CRL page)', () => {
  it('E6/R1 keyboard: the action is reachable by Tab, Escape cancels and revokes nothing; confirming revokes the CA’s leaves with the chosen reason and says "N revoked, CRL number n"', async () => {
    const { engine, pki, int, leaves } = await setup();
    const { user } = await renderWithEngine(<CrlPage caId={int.ca.id} />, { engine });
    const panel = await screen.findByRole('region', { name: 'Revoke all certificates of this CA' });
    const button = within(panel).getByRole('button', { name: 'Revoke all certificates of this CA…' });
    await user.selectOptions(within(panel).getByLabelText('Revocation reason'), 'cessationOfOperation');
    // From the reason select, Tab lands on the action; Enter opens the dialog.
    within(panel).getByLabelText('Revocation reason').focus();
    await user.tab();
    expect(document.activeElement).toBe(button);
    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Revoke all certificates of “Sweep Issuing”?' });
    await waitFor(() => expectShown(within(dialog).getByRole('button', { name: 'Revoke 2 certificates' })));
    expectShown(within(dialog).getByText(/2 certificates will be revoked for “Cessation of operation”/));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(await pki.listCertificates({ status: 'revoked' })).toEqual([]);

    await user.click(button);
    await user.click(await screen.findByRole('button', { name: 'Revoke 2 certificates' }));
    await waitFor(() => expect(within(panel).getByRole('status').textContent).toBe('Revoked 2 certificates. Published CRL number 2.'));
    const revoked = await pki.listCertificates({ status: 'revoked' });
    expect(revoked.map((c) => c.id).sort()).toEqual(leaves.map((l) => l.cert.id).sort());
    expect(revoked.every((c) => c.revocation?.reason === 'cessationOfOperation')).toBe(true);
    // The page's current CRL follows.
    const current = screen.getByRole('region', { name: 'Current CRL' });
    await waitFor(() => expect(within(current).getByText('CRL number').nextElementSibling?.textContent).toBe('2'));
  });

  it('R8 on the root: its intermediate stays valid, nothing is revoked and the page says so (no CRL published)', async () => {
    const { engine, pki, root, int } = await setup();
    const { user } = await renderWithEngine(<CrlPage caId={root.ca.id} />, { engine });
    const panel = await screen.findByRole('region', { name: 'Revoke all certificates of this CA' });
    await user.click(within(panel).getByRole('button', { name: 'Revoke all certificates of this CA…' }));
    const dialog = await screen.findByRole('dialog');
    await waitFor(() => expectShown(within(dialog).getByText(/No unexpired, unrevoked certificate is listed/)));
    await user.click(within(dialog).getByRole('button', { name: 'Revoke 0 certificates' }));
    await waitFor(() => expect(within(panel).getByRole('status').textContent).toMatch(/^Nothing was revoked: .* No CRL was published\. Left alone: 2 \(.*intermediate CA certificate.*root certificate/));
    expect((await pki.getCertificate(int.cert.id)).status).toBe('valid');
    expect((await pki.listCrls(root.ca.id)).map((c) => c.number)).toEqual([1]);
  });

  it('a refused revocation shows why in an alert and no success message', async () => {
    const { engine, pki, int } = await setup();
    vi.spyOn(pki, 'revokeCertificates').mockRejectedValueOnce(new EngineError('STORAGE', 'storage: the browser refused the write (quota exceeded)'));
    const { user } = await renderWithEngine(<CrlPage caId={int.ca.id} />, { engine });
    const panel = await screen.findByRole('region', { name: 'Revoke all certificates of this CA' });
    await user.click(within(panel).getByRole('button', { name: 'Revoke all certificates of this CA…' }));
    await user.click(await screen.findByRole('button', { name: 'Revoke 2 certificates' }));
    const alert = await within(panel).findByRole('alert');
    expect(alert.textContent).toContain('Nothing was revoked');
    expect(alert.textContent).toContain('The browser refused the write (quota exceeded).');
    expect(within(panel).queryByRole('status')).toBeNull();
    expect(await pki.listCertificates({ status: 'revoked' })).toEqual([]);
  });
});

describe('revoke all certificates of a key', () => {
  it('K8 counts the key’s certificates at every CA, revokes them for key compromise, and the key becomes compromised', async () => {
    const { engine, pki, root, leaves } = await setup();
    const { key } = leaves[0]!;
    // The same key certified by the root as well: two CAs, one CRL each.
    const atRoot = (await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'one.test' } })).cert;
    const { user, store } = await renderWithEngine(<RevokeAllSection scope={{ kind: 'key', keyId: key.id, spkiSha256: key.fingerprint.value, name: key.name }} />, { engine });
    const panel = screen.getByRole('region', { name: 'Revoke all certificates of this key' });
    await user.selectOptions(within(panel).getByLabelText('Revocation reason'), 'keyCompromise');
    await user.click(within(panel).getByRole('button', { name: 'Revoke all certificates of this key…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke all certificates of “one.test”?' });
    // The inventory is read only now, when asked.
    await user.click(await within(dialog).findByRole('button', { name: 'Revoke 2 certificates' }));
    await waitFor(() => expect(within(panel).getByRole('status').textContent).toMatch(/^Revoked 2 certificates\. (Published CRL number 2 of (Sweep Root|Sweep Issuing)\. ?){2}$/));
    const text = within(panel).getByRole('status').textContent ?? '';
    expect(text).toContain('of Sweep Root.');
    expect(text).toContain('of Sweep Issuing.');
    expect((await pki.getCertificate(atRoot.id)).revocation?.reason).toBe('keyCompromise');
    expect((await pki.getCertificate(leaves[0]!.cert.id)).status).toBe('revoked');
    expect((await pki.getCertificate(leaves[1]!.cert.id)).status).toBe('valid');
    await waitFor(() => expect(store.getState().keys.byId[key.id]?.state).toBe('compromised'));
  });

  it('R8 the key of an intermediate CA: the dialog warns that its CA certificate goes, and cancelling keeps it valid', async () => {
    const { engine, pki, int } = await setup();
    const { user } = await renderWithEngine(<RevokeAllSection scope={{ kind: 'key', keyId: int.ca.keyId, spkiSha256: int.cert.spkiSha256, name: 'Sweep Issuing (CA key)' }} />, { engine });
    await user.click(screen.getByRole('button', { name: 'Revoke all certificates of this key…' }));
    const dialog = await screen.findByRole('dialog');
    expectShown(await within(dialog).findByText('This includes a CA certificate.'));
    expectShown(within(dialog).getByText(/Revoking a CA certificate ends every certificate issued under it/));
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect((await pki.getCertificate(int.cert.id)).status).toBe('valid');
  });

  it('an unknown key is refused with its code', async () => {
    const { engine } = await setup();
    const { user } = await renderWithEngine(<RevokeAllSection scope={{ kind: 'key', keyId: testKeyId('gone'), spkiSha256: '00', name: 'gone' }} />, { engine });
    const panel = screen.getByRole('region', { name: 'Revoke all certificates of this key' });
    await user.click(within(panel).getByRole('button', { name: 'Revoke all certificates of this key…' }));
    await user.click(await screen.findByRole('button', { name: 'Revoke 0 certificates' }));
    const alert = await within(panel).findByRole('alert');
    expect(alert.textContent).toContain('Nothing was revoked');
    expect(alert.textContent).toContain('KEY_NOT_FOUND');
  });
});
