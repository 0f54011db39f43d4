// The lifecycle overview: keys by state, upcoming changes, revocations and principals.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../engine';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { LifecyclePage } from './lifecycle-page';
import { expectShown } from '../../testing/dom';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const DAY = 86_400_000;

async function setup() {
  const { engine } = await freshEngine({ clock: fixedClock(T0) });
  const staged = await engine.generateKey({ template: 'AES-GCM-256', name: 'staged', owner: 'alice', activateAt: T0 + 3 * DAY });
  const live = await engine.generateKey({ template: 'HMAC-SHA-256', name: 'live', owner: 'alice' });
  const old = await engine.generateKey({ template: 'AES-GCM-256', name: 'old', owner: 'bob' });
  await engine.revokeKey(old.id, 'cessationOfOperation');
  const view = await renderWithEngine(<LifecyclePage />, { engine });
  await screen.findByRole('heading', { level: 1, name: 'Key lifecycle' });
  await waitFor(() => expect(screen.getByRole('region', { name: 'Principals' }).querySelector('table')).toBeInstanceOf(HTMLTableElement));
  return { ...view, staged, live, old };
}

describe('LifecyclePage', () => {
  it('B1/B3/B5: groups keys by state, lists what changes in 30 days, revoked keys with reasons, and principals', async () => {
    await setup();
    const byState = screen.getByRole('region', { name: 'Keys by state' });
    expect(within(byState).getByRole('region', { name: 'Pre-activation (1)' }).textContent).toContain('staged');
    expect(within(byState).getByRole('region', { name: 'Active (1)' }).textContent).toContain('live');
    expect(within(byState).getByRole('region', { name: 'Deactivated (1)' }).textContent).toContain('old');
    expectShown(within(byState).getByRole('region', { name: 'Destroyed (0)' }));

    const upcoming = screen.getByRole('region', { name: 'In the next 30 days' });
    expect(within(upcoming).getAllByRole('row').slice(1).map((r) => r.textContent)).toEqual(['staged2030-01-04 12:00 UTCactivation']);

    const revoked = screen.getByRole('region', { name: 'Revoked keys' });
    expectShown(within(revoked).getByRole('row', { name: /old Cessation of operation 2030-01-01 12:00 UTC operator Deactivated/ }));

    const principals = screen.getByRole('region', { name: 'Principals' });
    expectShown(within(principals).getByRole('row', { name: /alice In good standing 2/ }));
    expectShown(within(principals).getByRole('row', { name: /bob In good standing 1/ }));
  });

  it('B5: revoking a principal asks for a reason, moves its keys, and reinstating lifts it', async () => {
    const { user, engine, staged, live } = await setup();
    await user.click(screen.getByRole('button', { name: 'Revoke alice…' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke alice?' });
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Revocation reason' }), 'privilegeWithdrawn');
    expect(dialog.textContent).toContain('keys never activated are destroyed');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke principal' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect((await engine.getKey(staged.id)).state).toBe('destroyed');
    expect((await engine.getKey(live.id)).state).toBe('deactivated');

    const principals = screen.getByRole('region', { name: 'Principals' });
    await waitFor(() => expectShown(within(principals).getByRole('row', { name: /alice Revoked \(Privilege withdrawn\) on 2030-01-01 12:00 UTC/ })));
    expect(within(principals).getByRole('status').textContent).toBe('alice was revoked (Privilege withdrawn); its 2 keys were moved.');
    const revoked = screen.getByRole('region', { name: 'Revoked keys' });
    await waitFor(() => expect(within(revoked).getAllByRole('row')).toHaveLength(4));
    expectShown(within(revoked).getByRole('row', { name: /live Privilege withdrawn .* cascade \(owner revoked\) Deactivated/ }));
    expect(within(screen.getByRole('region', { name: 'Keys by state' })).getByRole('region', { name: 'Destroyed (1)' }).textContent).toContain('staged');

    await user.click(within(principals).getByRole('button', { name: 'Reinstate alice' }));
    await waitFor(() => expectShown(within(principals).getByRole('row', { name: /alice In good standing, reinstated on 2030-01-01 12:00 UTC/ })));
    expect((await engine.generateKey({ template: 'AES-GCM-256', name: 'new', owner: 'alice' })).state).toBe('active');
  });

  it('offers the clock on the overview', async () => {
    await setup();
    expectShown(within(screen.getByRole('region', { name: 'Clock' })).getByRole('button', { name: '+30 days' }));
  });
});
