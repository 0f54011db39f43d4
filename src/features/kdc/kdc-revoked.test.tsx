// Revocation on the KDC screens (C3, C4, D-items): a revoked distributed key never shows
// a green check, and a revoked principal is not offered for a new distribution.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { asPrincipalId } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { KdcDistributionPage, KdcKeysPage } from '.';
import { expectShown } from '../../testing/dom';

const ALICE = asPrincipalId('alice');
const CAROL = asPrincipalId('carol');
const FILES = asPrincipalId('files');
const USER123 = asPrincipalId('user123');

describe('KDC screens after revocation', () => {
  it('C4 “Verify alice” on a revoked distributed key says revoked, not “✓ matches”', async () => {
    const { engine } = await freshEngine();
    const kdc = await engine.kdc();
    await kdc.registerPrincipal({ name: 'alice', kind: 'user' });
    await kdc.registerPrincipal({ name: 'files', kind: 'service' });
    const run = await kdc.distribute({ client: ALICE, service: FILES });
    await kdc.revokeDistributedKey(run.keyId!, 'keyCompromise');
    const { user } = await renderWithEngine(<KdcKeysPage />, { engine });
    await user.click(await screen.findByRole('button', { name: `Verify alice's copy of ${run.keyId}` }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^alice's key .* is revoked: do not use it/));
    const keys = screen.getByRole('button', { name: `Verify alice's copy of ${run.keyId}` }).closest('td')!;
    expectShown(within(keys).getByText(/✗ revoked: do not use/));
    expect(within(keys).queryByText(/✓/)).toBeNull();
  });

  it('C1 a revoked owner is not offered in the distribution picker; active and suspended ones are', async () => {
    const { engine } = await freshEngine();
    const kdc = await engine.kdc();
    for (const [name, kind] of [['alice', 'user'], ['user123', 'user'], ['carol', 'user'], ['files', 'service']] as const) await kdc.registerPrincipal({ name, kind });
    await kdc.revokePrincipal(USER123, 'keyCompromise');
    await kdc.suspendPrincipal(CAROL);
    await renderWithEngine(<KdcDistributionPage />, { engine });
    const a = await screen.findByRole('combobox', { name: 'A (client)' });
    await waitFor(() => expect(within(a).getAllByRole('option').length).toBeGreaterThan(0));
    for (const box of [a, screen.getByRole('combobox', { name: 'B (service)' })]) {
      const names = within(box).getAllByRole('option').map((o) => o.textContent);
      expect(names).toEqual(['alice (user, active)', 'carol (user, suspended)', 'files (service, active)']);
    }
  });

  it('C2 with no active principal to default to, Start says to choose A and B; a chosen pair (select values, branded) starts the run', async () => {
    const { engine } = await freshEngine();
    const kdc = await engine.kdc();
    await kdc.registerPrincipal({ name: 'alice', kind: 'user' });
    await kdc.registerPrincipal({ name: 'files', kind: 'service' });
    await kdc.suspendPrincipal(ALICE);
    await kdc.suspendPrincipal(FILES);
    const { user } = await renderWithEngine(<KdcDistributionPage />, { engine });
    const a = await screen.findByRole('combobox', { name: 'A (client)' });
    await waitFor(() => expect(within(a).getAllByRole('option')).toHaveLength(2));
    await user.click(screen.getByRole('button', { name: 'Start distribution' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/choose two principals, A and B/i);
    await user.selectOptions(a, 'alice');
    await user.selectOptions(screen.getByRole('combobox', { name: 'B (service)' }), 'files');
    await user.click(screen.getByRole('button', { name: 'Start distribution' }));
    expectShown(await screen.findByRole('heading', { level: 2, name: 'alice ↔ files' }));
  });
});
