// The KDC screens over a real engine (C1–C6): register principals, step the protocol as a
// sequence diagram, chat under the session key, run an attack, verify and revoke keys.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { KdcAttacksPage, KdcDistributionPage, KdcKeysPage, KdcPrincipalsPage } from '.';
import { expectShown } from '../../testing/dom';
import { asPrincipalId, KDC_ATTACK_NAMES } from '../../engine';

const ALICE = asPrincipalId('alice');
const FILES = asPrincipalId('files');

async function engineWithPrincipals() {
  const { engine } = await freshEngine();
  await (await engine.kdc()).registerPrincipal({ name: 'alice', kind: 'user' });
  await (await engine.kdc()).registerPrincipal({ name: 'files', kind: 'service' });
  return engine;
}

describe('KDC screens', () => {
  it('C1 Principals: register, suspend, reinstate and revoke (with a reason)', async () => {
    const { user } = await renderWithEngine(<KdcPrincipalsPage />);
    expectShown(await screen.findByRole('heading', { level: 1, name: 'KDC principals' }));
    await user.type(screen.getByLabelText('Principal name'), 'alice');
    await user.click(screen.getByRole('button', { name: 'Register principal' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^Registered alice \(user\), long-term key KCV [0-9a-f]{6}$/));
    await user.type(screen.getByLabelText('Principal name'), 'files');
    await user.selectOptions(screen.getByLabelText('Kind'), 'service');
    await user.click(screen.getByRole('button', { name: 'Register principal' }));
    const table = await screen.findByRole('table', { name: 'Registered principals' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    await user.click(screen.getByRole('button', { name: 'Suspend files' }));
    await waitFor(() => expect(within(table).getByRole('row', { name: /files/ }).textContent).toContain('suspended'));
    await user.click(screen.getByRole('button', { name: 'Reinstate files' }));
    await waitFor(() => expect(within(table).getByRole('row', { name: /files/ }).textContent).toContain('active'));
    // D5: rotating the long-term key moves the key version (a table cell) to 2.
    await user.click(screen.getByRole('button', { name: 'Rotate key of files (its long-term key)' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^files's long-term key rotated: key version 2, KCV [0-9a-f]{6};/));
    expect(within(within(table).getByRole('row', { name: /files/ })).getAllByRole('cell')[2]!.textContent).toBe('2');
    await user.click(screen.getByRole('button', { name: 'Revoke alice' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke alice?' });
    await user.selectOptions(within(dialog).getByLabelText('Reason'), 'affiliationChanged');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke principal' }));
    await waitFor(() => expect(within(table).getByRole('row', { name: /alice/ }).textContent).toContain('revoked'));
    expectShown(screen.getByRole('button', { name: 'Reinstate alice' }));
    // A refused registration shows the engine's message.
    await user.type(screen.getByLabelText('Principal name'), 'bad name');
    await user.click(screen.getByRole('button', { name: 'Register principal' }));
    expect((await screen.findByRole('alert')).textContent).toContain('INVALID_ARGUMENT');
  });

  it('C2/C6 Distribution: five messages one at a time, each decoded and as bytes, then a chat under the session key', async () => {
    const engine = await engineWithPrincipals();
    const { user } = await renderWithEngine(<KdcDistributionPage />, { engine });
    await waitFor(() => expect((screen.getByLabelText('B (service)') as HTMLSelectElement).value).toBe('files'));
    expect((screen.getByLabelText('A (client)') as HTMLSelectElement).value).toBe('alice');
    await user.click(screen.getByRole('button', { name: 'Start distribution' }));
    const list = await screen.findByRole('list', { name: 'Protocol messages' });
    expect(within(list).getAllByRole('article')).toHaveLength(1);
    expectShown(screen.getByText('The KDC checks the request and issues a key and a ticket for files'));
    for (let i = 2; i <= 5; i++) {
      await user.click(screen.getByRole('button', { name: 'Next step' }));
      await waitFor(() => expect(within(list).getAllByRole('article')).toHaveLength(i));
    }
    expectShown(screen.getByText("files checks alice's confirmation"));
    await user.click(screen.getByRole('button', { name: 'Next step' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^Key confirmed on both sides/));
    const reply = screen.getByRole('article', { name: /Message 2: kdc → alice/ });
    // The engine reports each message by type and names; the screen words it.
    expectShown(within(reply).getByText('The KDC answers alice with a session key and a ticket for files'));
    expectShown(within(screen.getByRole('article', { name: /Message 1: alice → kdc/ })).getByText('alice asks the KDC for a key to talk to files'));
    expectShown(within(screen.getByRole('article', { name: /Message 4: files → alice/ })).getByText('files accepts the ticket and proves it holds the key'));
    expect(within(reply).getByRole('region', { name: 'Ticket of message 2' }).textContent).toContain("AES-GCM under K_files (files's long-term key, kvno 1)");
    expectShown(within(reply).getByText(/^Bytes \(\d+\) of message 2$/));
    expect(within(reply).getByLabelText('Hex bytes of message 2').textContent).toMatch(/^0000 {2}7b 22/);

    await user.type(screen.getByLabelText('Message'), 'hello files');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    const chat = screen.getByRole('list', { name: 'Chat' });
    await waitFor(() => expectShown(within(chat).getByText(/hello files/)));
    await user.selectOptions(screen.getByLabelText('Sender'), 'files');
    await user.type(screen.getByLabelText('Message'), 'hi alice');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(within(chat).getAllByRole('listitem')).toHaveLength(2));
    expect(within(chat).getAllByRole('listitem')[1]!.textContent).toContain('files → alice: hi alice');
  });

  it('C5 Attacks: Denning–Sacco fails against Clavis (expiry highlighted) and succeeds against the unfixed protocol', async () => {
    const engine = await engineWithPrincipals();
    const { user } = await renderWithEngine(<KdcAttacksPage />, { engine });
    await waitFor(() => expect((screen.getByLabelText('B (service)') as HTMLSelectElement).value).toBe('files'));
    // The engine reports attacks and checks by id; the screen words them.
    expect(screen.getAllByRole('radio').map((r) => r.getAttribute('value'))).toEqual([...KDC_ATTACK_NAMES]);
    expect(document.querySelector('label[for="kdc-attack-reflection"]')?.textContent).toBe("Reflection of B's challenge The attacker sends B's own key-confirmation message back to B as A's answer.");
    await user.click(screen.getByRole('radio', { name: /Denning–Sacco/ }));
    await user.click(screen.getByRole('button', { name: 'Run attack' }));
    expectShown(await screen.findByRole('heading', { level: 2, name: 'Denning–Sacco: old ticket with a compromised session key' }));
    expectShown(screen.getByText('The attacker replays a recorded ticket and uses the old, compromised session key to pass as A.', { selector: 'p' }));
    const clavis = await screen.findByRole('region', { name: /Against Clavis's protocol: attack refused/ });
    expectShown(within(clavis).getByText('Ticket not expired', { selector: 'strong' }));
    expect(within(clavis).getByRole('list', { name: 'What the attacker tried (Clavis)' }).textContent).toContain('refused by Authenticator not seen before (replay cache)');
    const checks = within(clavis).getByRole('list', { name: "Checks of Clavis's protocol" });
    expect(checks.querySelector('[aria-current="true"]')?.textContent).toBe('Ticket not expired — stopped the attack');
    const unfixed = screen.getByRole('region', { name: /Against the unfixed protocol: attack succeeded/ });
    expect(unfixed.textContent).toContain('INSECURE');
  });

  it('C3/C4 Distributed keys: verify each copy against the KDC record, revoke, see the revoked list', async () => {
    const engine = await engineWithPrincipals();
    const run = await (await engine.kdc()).distribute({ client: ALICE, service: FILES });
    const { user } = await renderWithEngine(<KdcKeysPage />, { engine });
    await user.click(await screen.findByRole('button', { name: `Verify alice's copy of ${run.keyId}` }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^alice's key .* matches the KDC's record/));
    await user.click(screen.getByRole('button', { name: `Verify files's copy of ${run.keyId}` }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^files's key .* matches/));
    await user.click(screen.getByRole('button', { name: `Revoke ${run.keyId}` }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Revoke key' }));
    const revoked = await screen.findByRole('table', { name: 'Revoked keys' });
    expect(within(revoked).getByRole('row', { name: new RegExp(run.keyId!) }).textContent).toContain('alice ↔ files');
    expectShown(within(revoked).getByText('key compromise'));
  });
});
