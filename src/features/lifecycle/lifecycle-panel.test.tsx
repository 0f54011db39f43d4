// The key page's lifecycle panel offers only the transitions the state allows.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fixedClock, type Engine, type GenerateKeyParams, type KeyInfo } from '../../engine';
import { useAppStore } from '../../state/engine-provider';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { LifecyclePanel } from './lifecycle-panel';
import { expectShown } from '../../testing/dom';
import type { CertId } from '../../engine';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const DAY = 86_400_000;

/** The panel as the key page mounts it: fed from the keys slice. */
function Panel(props: { id: string }) {
  const info = useAppStore((s) => s.keys.byId[props.id]);
  return info ? <LifecyclePanel info={info} /> : <p>missing</p>;
}

async function panelFor(params: GenerateKeyParams, prepare?: (engine: Engine, key: KeyInfo) => Promise<void>) {
  const clock = fixedClock(T0);
  const { engine } = await freshEngine({ clock });
  const key = await engine.generateKey(params);
  await prepare?.(engine, key);
  const view = await renderWithEngine(<Panel id={key.id} />, { engine });
  const region = screen.getByRole('region', { name: 'Lifecycle' });
  return { ...view, key, clock, region };
}

const stateLine = (region: HTMLElement) => within(region).getByText(/^State:/);

describe('LifecyclePanel', () => {
  it('B1: a pre-activation key offers Activate and explains the moves it cannot make', async () => {
    const { user, region } = await panelFor({ template: 'AES-GCM-256', name: 'staged', activateAt: T0 + DAY });
    expect(stateLine(region).textContent).toContain('Pre-activation');
    expectShown(screen.getByRole('img', { name: /Current state: Pre-activation\./ }));
    const group = within(region).getByRole('group', { name: 'Allowed transitions' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent)).toEqual(['Activate', 'Destroy…', 'Mark compromised…', 'Revoke…']);
    const forbidden = within(region).getByRole('heading', { name: 'Not possible from pre-activation' }).nextElementSibling!;
    expect(forbidden.textContent).toContain('Suspended: only an active key can be suspended; a pre-activation key is not in use yet.');
    // B2: nothing may be done with it yet, and the table says why.
    expectShown(within(region).getByRole('row', { name: /encrypt \(protect\) Refused .*before it is activated/ }));

    await user.click(within(group).getByRole('button', { name: 'Activate' }));
    await waitFor(() => expect(stateLine(screen.getByRole('region', { name: 'Lifecycle' })).textContent).toContain('Active'));
    await waitFor(() => expect(within(screen.getByRole('region', { name: 'Lifecycle' })).getByRole('status').textContent).toBe('The key was activated. It is now active.'));
    expectShown(screen.getByRole('row', { name: /encrypt \(protect\) Allowed/ }));
  });

  it('B1: an active key cannot be destroyed directly: no button, and the reason is listed', async () => {
    const { region } = await panelFor({ template: 'AES-GCM-256', name: 'live' });
    const group = within(region).getByRole('group', { name: 'Allowed transitions' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent)).toEqual(['Suspend', 'Deactivate', 'Mark compromised…', 'Revoke…']);
    expect(region.textContent).toContain('Destroyed: an active key cannot be destroyed directly (KMIP)');
  });

  it('B1/B6: compromise and destroy ask for confirmation; Cancel changes nothing', async () => {
    const { user, engine, key } = await panelFor({ template: 'AES-GCM-256', name: 'leaky' });
    const region = () => screen.getByRole('region', { name: 'Lifecycle' });
    await user.click(within(region()).getByRole('button', { name: 'Mark compromised…' }));
    const dialog = screen.getByRole('dialog', { name: 'Mark “leaky” compromised?' });
    expect(dialog.textContent).toContain('Compromise is permanent');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect((await engine.getKey(key.id)).state).toBe('active');

    await user.click(within(region()).getByRole('button', { name: 'Mark compromised…' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Mark compromised' }));
    await waitFor(() => expect(stateLine(region()).textContent).toContain('Compromised'));
    // The compromise is finished when its dialog has closed.
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await user.click(within(region()).getByRole('button', { name: 'Destroy…' }));
    const destroy = screen.getByRole('dialog', { name: 'Destroy “leaky”?' });
    expect(destroy.textContent).toContain('can never be decrypted again');
    await user.click(within(destroy).getByRole('button', { name: 'Destroy key' }));
    await waitFor(() => expect(stateLine(region()).textContent).toContain('Destroyed (compromised)'));
    expect((await engine.getKey(key.id)).state).toBe('destroyed-compromised');
    expect(within(region()).getByRole('heading', { name: 'Change state' }).nextElementSibling!.textContent).toBe('No operator transition leaves this state.');
  });

  it('B5: revoke asks for a reason and moves the key as that reason requires', async () => {
    const { user, engine, key } = await panelFor({ template: 'AES-GCM-256', name: 'retired' });
    await user.click(within(screen.getByRole('region', { name: 'Lifecycle' })).getByRole('button', { name: 'Revoke…' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “retired”?' });
    const reason = within(dialog).getByRole('combobox', { name: 'Revocation reason' });
    expect(within(reason).getAllByRole('option').map((o) => o.textContent)).toContain('Key compromise');
    await user.selectOptions(reason, 'superseded');
    expect(dialog.textContent).toContain('The key becomes deactivated.');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const k = await engine.getKey(key.id);
    expect(k.state).toBe('deactivated');
    expect(k.history.at(-1)).toMatchObject({ reason: 'superseded', cause: 'operator' });
    expectShown(screen.getByText('The key was revoked (Superseded). It is now deactivated.'));
  });

  it('K8: revoking a key pair with a certificate revokes the certificate too, and the panel says so', async () => {
    let certId: CertId | undefined;
    const { user, engine } = await panelFor({ template: 'ECDSA-P-256', name: 'web server' }, async (e, key) => {
      const pki = await e.pki();
      const root = await pki.createRootCa({ name: 'Panel Root', subject: { CN: 'Panel Root' }, keyTemplate: 'ECDSA-P-256' });
      certId = (await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'web.example.test' }, sans: { dns: ['web.example.test'] } })).cert.id;
    });
    await user.click(within(screen.getByRole('region', { name: 'Lifecycle' })).getByRole('button', { name: 'Revoke…' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “web server”?' });
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Revocation reason' }), 'cessationOfOperation');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    expectShown(
      await screen.findByText("The key was revoked (Cessation of operation). It is now deactivated. 1 certificate was revoked (Cessation of operation) and is on the CA's new CRL."),
    );
    expect((await (await engine.pki()).getCertificate(certId!)).revocation?.reason).toBe('cessationOfOperation');
  }, 30_000);

  it('K8/issue 14: the revoke dialog says beforehand what happens to the certificates, for each reason, and unspecified revokes them', async () => {
    let certId: CertId | undefined;
    const { user, engine } = await panelFor({ template: 'ECDSA-P-256', name: 'api server' }, async (e, key) => {
      const pki = await e.pki();
      const root = await pki.createRootCa({ name: 'Preview Root', subject: { CN: 'Preview Root' }, keyTemplate: 'ECDSA-P-256' });
      certId = (await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'api.example.test' }, sans: { dns: ['api.example.test'] } })).cert.id;
    });
    await user.click(within(screen.getByRole('region', { name: 'Lifecycle' })).getByRole('button', { name: 'Revoke…' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “api server”?' });
    const reason = within(dialog).getByRole('combobox', { name: 'Revocation reason' });
    await user.selectOptions(reason, 'certificateHold');
    expectShown(await within(dialog).findByText(/1 certificate stays valid: a hold only suspends the key/));
    await user.selectOptions(reason, 'unspecified');
    expectShown(await within(dialog).findByText(/1 certificate of this key will be revoked too \(listed without a reason code, which means unspecified\)/));
    // Nothing was revoked by looking.
    expect((await (await engine.pki()).getCertificate(certId!)).status).toBe('valid');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect((await (await engine.pki()).getCertificate(certId!)).revocation?.reason).toBe('unspecified');
  }, 30_000);

  it('B1: a refused transition shows the engine’s KEY_STATE message (resume after protect-stop)', async () => {
    const { user, clock } = await panelFor({ template: 'AES-GCM-256', name: 'held' }, async (engine, key) => {
      await engine.setKeyDates(key.id, { protectStop: T0 + DAY, deactivation: T0 + 10 * DAY });
      await engine.suspendKey(key.id);
    });
    // The suspension outlives the originator-usage period; the clock has not run yet.
    clock.set(T0 + DAY / 2);
    await user.click(within(screen.getByRole('region', { name: 'Lifecycle' })).getByRole('button', { name: 'Resume' }));
    await waitFor(() => expectShown(screen.getByText(/The key was resumed/)));
    clock.set(T0 + DAY / 2 + 1000);
    await user.click(within(screen.getByRole('region', { name: 'Lifecycle' })).getByRole('button', { name: 'Suspend' }));
    await waitFor(() => expect(stateLine(screen.getByRole('region', { name: 'Lifecycle' })).textContent).toContain('Suspended'));
    clock.set(T0 + 2 * DAY);
    // The gate already judges the key deactivated: resuming is refused with the rule.
    await user.click(within(screen.getByRole('region', { name: 'Lifecycle' })).getByRole('button', { name: 'Resume' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('KEY_STATE');
    expect(alert.textContent).toMatch(/[Kk]ey is deactivated; cannot move to active/);
  });

  it('B3: shows the timeline, and editing a date to the past applies it at once', async () => {
    const { user, engine, key } = await panelFor({ template: 'AES-GCM-256', name: 'dated' });
    const section = screen.getByRole('region', { name: 'Timeline and dates' });
    const items = within(section).getAllByRole('listitem').map((li) => li.textContent);
    expect(items[0]).toBe('2030-01-01 12:00 UTC — created');
    expect(items).toContain('2032-01-01 12:00 UTC — scheduled: protect-stop (end of originator use)');
    expect(items).toContain('2035-01-01 12:00 UTC — scheduled: process-stop (end of recipient use)');
    // No activation field once the key is active.
    expect(within(section).queryByLabelText('Activation date (UTC)')).toBeNull();

    const protectStop = within(section).getByLabelText('Protect-stop date (UTC)') as HTMLInputElement;
    expect(protectStop.value).toBe('2032-01-01T12:00');
    await user.click(within(section).getByRole('button', { name: 'Save dates' }));
    expect(within(section).getByRole('alert').textContent).toContain('No date was changed.');

    fireEvent.change(protectStop, { target: { value: '2030-01-01T12:00' } });
    await user.click(within(section).getByRole('button', { name: 'Save dates' }));
    await waitFor(() => expect(within(screen.getByRole('region', { name: 'Timeline and dates' })).getByRole('status').textContent).toBe('Dates saved. The key is deactivated.'));
    expect((await engine.getKey(key.id)).state).toBe('deactivated');
    expect(screen.getByRole('region', { name: 'Timeline and dates' }).textContent).toContain('active → deactivated (clock: protectStop date reached)');

    // Out-of-order dates come back as the engine's error.
    const processStop = within(screen.getByRole('region', { name: 'Timeline and dates' })).getByLabelText('Process-stop date (UTC)');
    fireEvent.change(processStop, { target: { value: '2029-06-01T00:00' } });
    await user.click(screen.getByRole('button', { name: 'Save dates' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('INVALID_ARGUMENT');
    expect(alert.textContent).toContain('must not be before');
  });

  it('B4: shows the versions with the primary marked, rotates, and counts uses', async () => {
    const { user, key } = await panelFor({ template: 'AES-GCM-256', name: 'ring' }, async (engine, k) => {
      await engine.encryptText(k.id, 'one');
      await engine.encryptText(k.id, 'two');
    });
    const section = () => screen.getByRole('region', { name: 'Versions' });
    await waitFor(() => expect(within(section()).getAllByRole('row')).toHaveLength(2));
    expectShown(within(section()).getByRole('row', { name: /Version 1 \(this page\) ★ Primary \(protects\) Active/ }));
    await waitFor(() => expect(section().textContent).toContain('Used 2 times, last on 2030-01-01 12:00 UTC.'));

    await user.click(within(section()).getByRole('button', { name: 'Rotate key' }));
    await waitFor(() => expect(within(section()).getAllByRole('row')).toHaveLength(3));
    expectShown(within(section()).getByRole('row', { name: /Version 1 \(this page\) Process only Deactivated/ }));
    const v2 = within(section()).getByRole('link', { name: 'Version 2' });
    expectShown(within(section()).getByRole('row', { name: /Version 2 ★ Primary \(protects\) Active/ }));
    expect(v2.getAttribute('href')).toMatch(/^#\/keys\/key_/);
    await waitFor(() => expect(within(section()).getByRole('status').textContent).toMatch(/version 2 is now the primary/));
    expect(v2.getAttribute('href')).not.toBe(`#/keys/${key.id}`);
  });
});
