// The KDC screens word what the engine reports as ids and data: message parts, protections, field notes, attack moves and explanations.
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { asPrincipalId } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { expectShown } from '../../testing/dom';
import { KdcAttacksPage } from '.';
import { MessageView } from './message-view';

const ALICE = asPrincipalId('alice');
const FILES = asPrincipalId('files');

async function engineWithPrincipals() {
  const { engine } = await freshEngine();
  const kdc = await engine.kdc();
  await kdc.registerPrincipal({ name: 'alice', kind: 'user' });
  await kdc.registerPrincipal({ name: 'files', kind: 'service' });
  return engine;
}

describe('KDC words', () => {
  it('C2 a message names each part, what protects it and why a field matters, in the run’s own names', async () => {
    const engine = await engineWithPrincipals();
    const run = await (await engine.kdc()).distribute({ client: ALICE, service: FILES });
    render(
      <>
        <MessageView message={run.messages[1]!} />
        <MessageView message={run.messages[2]!} />
      </>,
    );
    const reply = screen.getByRole('region', { name: 'Reply of message 2' });
    expect(reply.querySelector('.kdc-protection')?.textContent).toBe("AES-GCM under K_alice (alice's long-term key, kvno 1)");
    expect(reply.textContent).toContain('N_A echoed: A checks it (D2)');
    expect(reply.textContent).toContain('K_AB, AES-GCM wrapKey under K_alice');
    const shown = (region: HTMLElement, name: string) => [...region.querySelectorAll('dt')].find((d) => d.textContent === name)?.nextElementSibling?.querySelector('.mono')?.textContent;
    expect(shown(reply, 'sessionKey')).toMatch(/^wrapped, \d+ bytes$/);
    expect(shown(reply, 'ticket')).toBe('sealed for the service (opaque here; decoded below)');
    expect(screen.getByRole('region', { name: 'Ticket of message 2' }).textContent).toContain('K_AB, AES-GCM wrapKey under K_files');
    const header = screen.getByRole('region', { name: 'Header of message 2' });
    expect(header.className).toContain('kdc-clear');
    expect(header.querySelector('.kdc-protection')?.textContent).toBe('clear, authenticated as AES-GCM additional data (AAD)');
    const carried = screen.getByRole('region', { name: 'Ticket of message 3' });
    expect(carried.className).toContain('kdc-sealed');
    expect(carried.querySelector('.kdc-protection')?.textContent).toBe("AES-GCM under K_files (opaque to alice; the KDC's seal, passed on unchanged)");
    expect(shown(carried, 'ciphertext')).toMatch(/^\d+ bytes$/);
    expect(screen.getByRole('region', { name: 'Envelope of message 3' }).querySelector('.kdc-protection')?.textContent).toBe('clear');
    const auth = screen.getByRole('region', { name: 'Authenticator of message 3' });
    expect(auth.querySelector('.kdc-protection')?.textContent).toBe(`AES-GCM under K_AB (the session key ${run.keyId})`);
    expect(auth.textContent).toContain("Goes into B's replay cache (D3)");
  });

  it('C5 an attack’s moves, results and explanations name the chosen A and B', async () => {
    const engine = await engineWithPrincipals();
    const { user } = await renderWithEngine(<KdcAttacksPage />, { engine });
    await user.click(await screen.findByRole('radio', { name: /^Tampered KDC reply/ }));
    await user.click(screen.getByRole('button', { name: 'Run attack' }));
    const clavis = await screen.findByRole('region', { name: /Against Clavis's protocol: attack refused/ });
    expectShown(within(clavis).getByText("Clavis's protocol (Needham–Schroeder with the Kerberos fixes)"));
    const tried = within(clavis).getByRole('list', { name: 'What the attacker tried (Clavis)' });
    expect(within(tried).getAllByRole('listitem')[0]!.textContent).toMatch(/^Flip one bit of the KDC's reply to alice: refused by AES-GCM authentication .* — kdc: /);
    expect(within(tried).getAllByRole('listitem')[1]!.textContent).toMatch(/^Add a field to the reply header: refused by /);
    expectShown(within(clavis).getByText("The reply is AES-GCM under alice's long-term key with its header as AAD: alice refuses any change (D1)."));
    const unfixed = screen.getByRole('region', { name: /Against the unfixed protocol: attack succeeded/ });
    expectShown(within(unfixed).getByText('Original Needham–Schroeder (1978), without the Kerberos fixes — INSECURE, demonstration only'));
    expect(within(unfixed).getByRole('list', { name: 'What the attacker tried (unfixed)' }).textContent).toBe(
      'XOR the service name "files" into "mallo" inside the reply: accepted — alice accepted the reply and believes the key is for "mallo"',
    );
    expectShown(within(unfixed).getByText('Without integrity, the reply can be changed in transit: A is told the key is for another party.'));
  });
});
