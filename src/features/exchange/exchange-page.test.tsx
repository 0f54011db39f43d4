// The Exchange page (D1–D5) over a real engine: an unauthenticated exchange with the man in
// the middle, step by step, with the fingerprint mismatch flagged and what the attacker
// reads; an authenticated one where the attack is refused with the failing check; the
// forward-secrecy demonstration and classic DH.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engine';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { ExchangePage } from './exchange-page';
import { expectShown } from '../../testing/dom';

/** The demo's own engine: a fresh database per test, apart from the user's. */
function demo(): { open: () => Promise<Engine>; engine: () => Engine | undefined } {
  let made: Promise<Engine> | undefined;
  let engine: Engine | undefined;
  return {
    open: () => (made ??= freshEngine().then((f) => (engine = f.engine))),
    engine: () => engine,
  };
}

describe('ExchangePage', () => {
  it('E1: unauthenticated with a man in the middle, one step at a time: fingerprints differ and the attacker reads and alters messages', async () => {
    const { user } = await renderWithEngine(<ExchangePage demoEngine={demo().open} />);
    expectShown(await screen.findByRole('heading', { level: 1, name: 'Key exchange' }));
    // The engine lists curves by id; the page names them.
    expect((await screen.findByRole('option', { name: 'ECDH on NIST P-384' })).getAttribute('value')).toBe('P-384');
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Attacker in the middle' }), 'substitute');
    await user.click(screen.getByRole('button', { name: 'Start exchange' }));
    const next = await screen.findByRole('button', { name: 'Next step' });
    await user.click(next);
    const steps = await screen.findByRole('list', { name: 'Exchange steps' });
    await waitFor(() => expect(within(steps).getAllByRole('listitem', { hidden: false }).filter((li) => li.classList.contains('exchange-step'))).toHaveLength(1));
    expectShown(within(steps).getByText(/Alice makes an ephemeral P-256 key pair/));
    await user.click(screen.getByRole('button', { name: 'Run to the end' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Fingerprints differ: a man in the middle/);
    expect(screen.getByRole('region', { name: "Mallory's view" }).textContent).toMatch(/can read the conversationyes/);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'the code is 42');
    await user.type(screen.getByRole('textbox', { name: /Mallory replaces it with/ }), 'the code is 99');
    await user.click(screen.getByRole('button', { name: 'Send message' }));
    const table = await screen.findByRole('table', { name: 'Messages sent' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('the code is 42 (altered)');
    expect(row.textContent).toContain('the code is 99');
  });

  it('E2: authenticated with demo parties: the same attack is refused and the failing check is named', async () => {
    const d = demo();
    const { user, engine } = await renderWithEngine(<ExchangePage demoEngine={d.open} />);
    await user.click(await screen.findByRole('radio', { name: /Authenticated/ }));
    await user.click(screen.getByRole('button', { name: 'Create demo parties (Alice, Bob, Mallory)' }));
    const initiator = screen.getByRole('combobox', { name: 'Initiator certificate' }) as HTMLSelectElement;
    await waitFor(() => expect(initiator.selectedOptions[0]?.textContent).toMatch(/^Alice/));
    expect((screen.getByRole('combobox', { name: 'Responder certificate' }) as HTMLSelectElement).selectedOptions[0]?.textContent).toMatch(/^Bob/);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Attacker in the middle' }), 'substitute');
    await user.click(screen.getByRole('button', { name: 'Start exchange' }));
    await user.click(await screen.findByRole('button', { name: 'Run to the end' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Attack detected — exchange refused \(signature\)/);
    expect(screen.getByRole('list', { name: 'Checks by Alice' }).textContent).toMatch(/signature: FAILED/);
    expect(screen.queryByRole('button', { name: 'Send message' })).toBeNull();
    // D3 / issue 16: the demo parties live in the demo's own database, never in the user's vault.
    expect((await d.engine()!.listKeys()).map((k) => k.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^Alice/), expect.stringMatching(/^Bob/), expect.stringMatching(/^Mallory/)]));
    expect(await engine.listKeys()).toEqual([]);
    expect(await engine.hasCertificateAuthorities()).toBe(false);
    const pki = await engine.pki();
    expect(await pki.listCas()).toEqual([]);
    expect(await pki.listCertificates()).toEqual([]);
  });

  it('D4 and D5: forward secrecy and classic DH with p = 23, g = 5', async () => {
    const { user } = await renderWithEngine(<ExchangePage demoEngine={demo().open} />);
    await user.click(await screen.findByRole('button', { name: 'Record, then steal the long-term keys' }));
    const eph = await screen.findByRole('region', { name: 'Ephemeral ECDH keys, signed with long-term keys (forward secrecy)' });
    expectShown(within(eph).getByRole('heading', { level: 3, name: 'Ephemeral ECDH keys, signed with long-term keys (forward secrecy)' }));
    expect(eph.textContent).toMatch(/Recorded message recovered: no — it stays sealed/);
    expect(screen.getByRole('region', { name: 'Static (long-term) ECDH keys, no ephemeral keys' }).textContent).toMatch(/Recorded message recovered: yes — “The launch code is 0000”/);
    // The demo reports values and attempts by id; the section words them.
    expectShown(within(eph).getByText(/^Bob's long-term signing key \(SPKI SHA-256\):/));
    expect(eph.textContent).toContain('Use the ephemeral private keys of the recorded exchange: fails — they were non-extractable, used once and dropped: no copy exists anywhere');
    expect(screen.getByRole('region', { name: 'Static (long-term) ECDH keys, no ephemeral keys' }).textContent).toContain(
      "ECDH of Bob's stolen static key with Alice's recorded static public key, then the protocol's HKDF: succeeds — the recording decrypts: every past conversation of these keys is exposed",
    );
    await user.click(screen.getByRole('button', { name: 'Compute step by step' }));
    const table = await screen.findByRole('table', { name: /p = 23, g = 5: both sides reach 2/ });
    expectShown(within(table).getByText('5^6 mod 23'));
    // The engine reports each line by id; the section words it, the brute force from the numbers.
    expect(table.textContent).toContain('Picks a secret exponent a');
    expect(table.textContent).toContain('Sees p, g, A and B; with numbers this small she tries every exponentfind k with 5^k mod 23 = 8k = 6 after 6 tries, so the secret is 2');
    expect(screen.getByRole('table', { name: 'The same structure in the real exchange' }).textContent).toContain('ECDH: d_A·Q_B = d_B·Q_A');
    expect(screen.getAllByText(/Teaching aid only/).length).toBeGreaterThan(0);
    await user.clear(screen.getByRole('textbox', { name: 'Prime p' }));
    await user.type(screen.getByRole('textbox', { name: 'Prime p' }), '21');
    await user.click(screen.getByRole('button', { name: 'Compute step by step' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/INVALID_ARGUMENT/);
  });
});
